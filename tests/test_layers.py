"""Apps import only downward, and no module imports itself round a circle (deferred imports
inside functions included): DESIGN.md's layering, checked on the source so it cannot drift."""

import ast
from pathlib import Path

import lindung

PACKAGE = Path(lindung.__file__).resolve().parent
# DESIGN.md's layers from the ground up; within the layer of the modules the order is the one in
# which they build on each other (referrals on cases and screening, engagement on referrals).
APP_ORDER = [
    "core",
    "standard",
    "frameworks",
    "cases",
    "screening",
    "referrals",
    "maritime",
    "engagement",
    "linkage",
    "sharing",
    "nodes",
    "notifications",
    "stats",
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict) -> set[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            candidates = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        targets.update(c for c in candidates if c in modules and c != name)
    return targets


def _graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_app_is_placed_in_the_order():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()}
    assert apps <= set(APP_ORDER), sorted(apps - set(APP_ORDER))


def test_apps_import_only_downward():
    rank = {app: i for i, app in enumerate(APP_ORDER)}
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if _app(module) in rank and _app(target) in rank and rank[_app(target)] > rank[_app(module)]
    )
    assert upward == []


def test_no_import_cycles_between_modules():
    graph = _graph()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node, counter=[0]):  # noqa: B006  (a counter shared by the recursion)
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert cycles == []


def test_the_check_sees_deferred_and_relative_imports():
    graph = _graph()
    # A relative import inside a function (stats.tables reads selectors lazily) is an edge too.
    assert "lindung.stats.selectors" in graph["lindung.stats.tables"]
    assert "lindung.core.policy" in graph["lindung.cases.selectors"]
