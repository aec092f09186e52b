"""Statistical disclosure control: pure functions over tables (Django only for translated messages).

The table model
---------------
A count table is published with its margins. ``grid`` is the *augmented* table: the interior
cells plus a last column of row totals and, for two-way tables, a last row of column totals whose
last cell is the grand total. A one-way table is a single row whose last cell is its total.

Whoever reads the published table knows every linear relation between its cells (each row and
each column adds up to its total) and that counts are never negative. A suppressed cell is safe
when those relations leave it undetermined: it can move while everything published stays the same.

Why cycles
----------
Flip the sign of the margin row and column; then every published relation says "this line sums to
zero". A change of the suppressed cells that keeps every relation true is then exactly a set of
alternating +t/-t changes around a cycle of suppressed cells, in the bipartite graph whose
vertices are the table's rows and columns and whose edges are the suppressed cells (a one-way table
has one row vertex and a "ground" vertex standing for its missing column relations). A suppressed
cell is therefore determined exactly when it is a *bridge* of that graph. Secondary suppression
removes every bridge by adding the cheapest path of non-zero cells that closes a cycle through it;
because every suppressed cell is then positive, a small move along that cycle stays non-negative,
so each suppressed cell has a feasible range of width > 0. tests/stats prove it by brute force.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

MIN_THRESHOLD = 3
DEFAULT_THRESHOLD = 5
THRESHOLD_CHOICES = (5, 10)
ROUNDING_BASES = (3, 5)
DEFAULT_K = 11
MIN_K = 2
MAX_EPSILON = 10.0
# Suppressing a margin hides more than suppressing an interior cell: prefer interior complements.
MARGIN_COST_FACTOR = 10

# Cell status codes (SDMX OBS_STATUS style flags are derived from these in exports).
PUBLISHED = 0
PRIMARY = 1
SECONDARY = 2


class DisclosureError(ValueError):
    """Parameters that would produce an unsafe or meaningless table (or record file); ``code``
    names the rule for scripts and tests."""

    def __init__(self, message: str = "", code: str = "disclosure.refused"):
        super().__init__(message)
        self.code = code


class NoData(DisclosureError):
    """Nothing to count (or nothing the user may see): not the user's mistake."""


# parameters ----------------------------------------------------------------------------------


def _shown(value) -> str:
    return repr(value)[:40]


def check_threshold(value) -> int:
    try:
        threshold = int(value)
    except (TypeError, ValueError) as exc:
        raise DisclosureError(
            _("The threshold must be a whole number, not %(v)s.") % {"v": _shown(value)}
        ) from exc
    if threshold < MIN_THRESHOLD:
        raise DisclosureError(
            _("A threshold of %(n)s is refused: cells below %(min)s identify people. Use %(a)s or %(b)s.")
            % {"n": threshold, "min": MIN_THRESHOLD, "a": DEFAULT_THRESHOLD, "b": THRESHOLD_CHOICES[-1]}
        )
    if threshold > 1000:
        raise DisclosureError(
            _("A threshold of %(n)s would hide almost everything; use at most 1000.") % {"n": threshold}
        )
    return threshold


def check_rounding(value) -> int | None:
    if value in (None, "", 0, "0", "none"):
        return None
    message = _("The rounding base must be 3 or 5, not %(v)s.")
    try:
        base = int(value)
    except (TypeError, ValueError) as exc:
        raise DisclosureError(message % {"v": _shown(value)}) from exc
    if base not in ROUNDING_BASES:
        raise DisclosureError(message % {"v": base})
    return base


def check_epsilon(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        epsilon = float(value)
    except (TypeError, ValueError) as exc:
        raise DisclosureError(_("Epsilon must be a number, not %(v)s.") % {"v": _shown(value)}) from exc
    if not math.isfinite(epsilon) or epsilon <= 0:
        raise DisclosureError(_("Epsilon must be greater than 0, not %(v)s.") % {"v": _shown(value)})
    if epsilon > MAX_EPSILON:
        raise DisclosureError(
            _("Epsilon %(e)s is refused: above %(max)s the noise protects nobody.")
            % {"e": f"{epsilon:g}", "max": f"{MAX_EPSILON:g}"}
        )
    return epsilon


def check_k(value) -> int:
    try:
        k = int(value)
    except (TypeError, ValueError) as exc:
        raise DisclosureError(_("k must be a whole number, not %(v)s.") % {"v": _shown(value)}) from exc
    if k < MIN_K:
        raise DisclosureError(_("k must be at least %(min)s.") % {"min": MIN_K})
    return k


# margins -------------------------------------------------------------------------------------


def augment(interior: np.ndarray, *, one_way: bool | None = None) -> np.ndarray:
    """The published grid: interior plus margins (see the module docstring). A single row is a
    one-way table unless ``one_way`` is False (a two-way table with one row category)."""
    interior = np.asarray(interior)
    if interior.ndim != 2:
        raise DisclosureError("a table must be two-dimensional (one row for a one-way table)")
    with_row_totals = np.hstack([interior, interior.sum(axis=1, keepdims=True)])
    if one_way if one_way is not None else interior.shape[0] == 1:
        return with_row_totals
    return np.vstack([with_row_totals, with_row_totals.sum(axis=0, keepdims=True)])


def has_column_totals(grid: np.ndarray) -> bool:
    return grid.shape[0] > 1


# primary and secondary suppression ------------------------------------------------------------


def primary_mask(grid: np.ndarray, threshold: int) -> np.ndarray:
    """Cells (margins included) that count fewer than ``threshold`` but not zero people."""
    return (grid > 0) & (grid < threshold)


def _cell_cost(grid: np.ndarray) -> np.ndarray:
    cost = grid.astype(float)
    cost[:, -1] *= MARGIN_COST_FACTOR
    if has_column_totals(grid):
        cost[-1, :] *= MARGIN_COST_FACTOR
    cost[grid <= 0] = np.inf  # zeros never protect: a cycle through a zero may not move
    return cost


def _endpoints(grid: np.ndarray):
    """Vertex ids of each cell's two ends: its row, and its column or the ground vertex."""
    n_rows, n_cols = grid.shape
    rows = np.repeat(np.arange(n_rows), n_cols).reshape(n_rows, n_cols)
    if has_column_totals(grid):
        cols = n_rows + np.tile(np.arange(n_cols), n_rows).reshape(n_rows, n_cols)
        n_vertices = n_rows + n_cols
    else:
        cols = np.full((n_rows, n_cols), n_rows)  # ground
        n_vertices = n_rows + 1
    return rows, cols, n_vertices


def _bridges(edges: list[tuple[int, int, int]], n_vertices: int) -> list[int]:
    """Ids of the bridge edges of a multigraph given as (edge id, u, v); iterative Tarjan."""
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_vertices)]
    for edge_id, u, v in edges:
        adjacency[u].append((v, edge_id))
        adjacency[v].append((u, edge_id))
    order = [-1] * n_vertices
    low = [0] * n_vertices
    found = []
    counter = 0
    for root in range(n_vertices):
        if order[root] != -1 or not adjacency[root]:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            vertex, via, neighbours = stack[-1]
            advanced = False
            for neighbour, edge_id in neighbours:
                if edge_id == via:
                    continue
                if order[neighbour] == -1:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge_id, iter(adjacency[neighbour])))
                    advanced = True
                    break
                low[vertex] = min(low[vertex], order[neighbour])
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[vertex])
                if low[vertex] > order[parent]:
                    found.append(via)
    return found


def _component(start: int, edges: list[tuple[int, int, int]], skip: int, n_vertices: int) -> np.ndarray:
    adjacency: list[list[int]] = [[] for _ in range(n_vertices)]
    for edge_id, u, v in edges:
        if edge_id != skip:
            adjacency[u].append(v)
            adjacency[v].append(u)
    seen = np.zeros(n_vertices, dtype=bool)
    seen[start] = True
    todo = [start]
    while todo:
        for neighbour in adjacency[todo.pop()]:
            if not seen[neighbour]:
                seen[neighbour] = True
                todo.append(neighbour)
    return seen


def _cheapest_path(weights: np.ndarray, sources: np.ndarray, targets: np.ndarray, edge_of: np.ndarray):
    """Dense Dijkstra from a vertex set to a vertex set; returns the flat cell ids on the path."""
    n = weights.shape[0]
    dist = np.where(sources, 0.0, np.inf)
    previous = np.full(n, -1)
    done = np.zeros(n, dtype=bool)
    while True:
        candidates = np.where(done, np.inf, dist)
        vertex = int(np.argmin(candidates))
        if not np.isfinite(candidates[vertex]):
            return None
        if targets[vertex]:
            break
        done[vertex] = True
        through = dist[vertex] + weights[vertex]
        better = (through < dist) & ~done
        dist[better] = through[better]
        previous[better] = vertex
    path = []
    while previous[vertex] != -1:
        path.append(int(edge_of[previous[vertex], vertex]))
        vertex = previous[vertex]
    return path


def _pair_lines(grid: np.ndarray, suppressed: np.ndarray) -> np.ndarray:
    """First, vectorised pass: every line (row, or column of a two-way table) holding exactly one
    suppressed cell gets its cheapest positive cell suppressed too, preferring a cell whose other
    line already holds one; repeated until no line has a lone suppressed cell. This settles most
    tables; the cycle check afterwards catches what pairing lines cannot see."""
    suppressed = suppressed.copy()
    base = _cell_cost(grid)
    two_way = has_column_totals(grid)
    for _round in range(grid.size):
        per_row = suppressed.sum(axis=1)
        per_col = suppressed.sum(axis=0) if two_way else np.zeros(grid.shape[1], dtype=int)
        lone_rows = np.flatnonzero(per_row == 1)
        lone_cols = np.flatnonzero(per_col == 1) if two_way else np.array([], dtype=int)
        if not len(lone_rows) and not len(lone_cols):
            return suppressed
        cost = np.where(suppressed, np.inf, base)
        if two_way:
            # Closing a line that already has a suppressed cell adds no new lone line.
            cost = np.where((per_row[:, None] > 0) | (per_col[None, :] > 0), cost / 4, cost)
        added = False
        for index in lone_rows:
            j = int(np.argmin(cost[index]))
            if np.isfinite(cost[index, j]):
                suppressed[index, j] = added = True
        for index in lone_cols:
            if suppressed[:, index].sum() != 1:
                continue
            i = int(np.argmin(cost[:, index]))
            if np.isfinite(cost[i, index]):
                suppressed[i, index] = added = True
        if not added:
            return suppressed
    return suppressed


def secondary_mask(grid: np.ndarray, primary: np.ndarray) -> np.ndarray:
    """Complementary cells so that no suppressed cell follows from the published ones.

    Returns the mask of *added* cells. Repeats until no suppressed cell is a bridge (see the module
    docstring); each round closes a cycle through one bridge with the cheapest non-zero cells.
    """
    grid = np.asarray(grid)
    suppressed = primary.copy()
    if not suppressed.any():
        return np.zeros_like(primary)
    suppressed = _pair_lines(grid, suppressed)
    rows, cols, n_vertices = _endpoints(grid)
    flat_rows, flat_cols = rows.ravel(), cols.ravel()
    cost = _cell_cost(grid).ravel()
    order = np.argsort(-cost, kind="stable")  # cheapest written last, so it wins its vertex pair
    for _round in range(grid.size + 1):
        flat = suppressed.ravel()
        edges = [(int(e), int(flat_rows[e]), int(flat_cols[e])) for e in np.flatnonzero(flat)]
        bridges = _bridges(edges, n_vertices)
        if not bridges:
            return suppressed & ~primary
        bridge = bridges[0]
        side = _component(int(flat_rows[bridge]), edges, bridge, n_vertices)
        # Path weights: a positive unsuppressed cell costs its size; an already suppressed cell
        # (other than the bridge) costs nothing to reuse. A one-way table has parallel cells
        # between its row and the ground vertex: the cheapest one stands for the pair.
        weights = np.full((n_vertices, n_vertices), np.inf)
        edge_of = np.full((n_vertices, n_vertices), -1)
        usable = order[~flat[order] & np.isfinite(cost[order])]
        reused = np.array([e for e, _u, _v in edges if e != bridge], dtype=np.int64)
        for cells, weight in ((usable, cost[usable]), (reused, np.zeros(len(reused)))):
            weights[flat_rows[cells], flat_cols[cells]] = weight
            weights[flat_cols[cells], flat_rows[cells]] = weight
            edge_of[flat_rows[cells], flat_cols[cells]] = cells
            edge_of[flat_cols[cells], flat_rows[cells]] = cells
        path = _cheapest_path(weights, side, ~side, edge_of)
        if path is None:
            # No positive cell can hide this one: withhold the whole table rather than leak it.
            return (grid > 0) & ~primary
        suppressed.ravel()[path] = True
    raise AssertionError("secondary suppression did not converge")  # pragma: no cover


def determined_cells(grid: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Suppressed cells whose value follows from the published cells (bridges); empty when safe."""
    rows, cols, n_vertices = _endpoints(np.asarray(grid))
    flat = mask.ravel()
    edges = [(int(e), int(rows.ravel()[e]), int(cols.ravel()[e])) for e in np.flatnonzero(flat)]
    result = np.zeros(mask.size, dtype=bool)
    result[_bridges(edges, n_vertices)] = True
    return result.reshape(mask.shape)


# rounding ------------------------------------------------------------------------------------


def rounded(values: np.ndarray, base: int) -> np.ndarray:
    """Conventional rounding to the nearest multiple of ``base`` (halves up)."""
    return (np.floor(np.asarray(values, dtype=float) / base + 0.5) * base).astype(np.int64)


# differential privacy ------------------------------------------------------------------------


@dataclass(frozen=True)
class NoisyCounts:
    values: np.ndarray
    epsilon: float
    scale: float
    sensitivity: int
    mechanism: str = "discrete Laplace (OpenDP make_laplace on integers)"


def dp_counts(interior: np.ndarray, epsilon: float, *, sensitivity: int = 1) -> NoisyCounts:
    """Counts with discrete Laplace noise from OpenDP, epsilon-DP for ``sensitivity`` (the L1 change
    one person can make to the table). Negative results are clamped to zero (post-processing)."""
    import opendp.prelude as dp

    epsilon = check_epsilon(epsilon)
    if sensitivity < 1:
        raise DisclosureError("sensitivity must be at least 1")
    dp.enable_features("contrib")
    flat = [int(v) for v in np.asarray(interior).ravel()]
    scale = sensitivity / epsilon
    domain = dp.vector_domain(dp.atom_domain(T=int))
    measurement = dp.m.make_laplace(domain, dp.l1_distance(T=int), scale=scale)
    spent = measurement.map(sensitivity)
    if spent > epsilon * (1 + 1e-9):
        raise DisclosureError(f"the mechanism would spend {spent:g} > epsilon {epsilon:g}")
    noisy = np.maximum(np.asarray(measurement(flat), dtype=np.int64), 0).reshape(np.asarray(interior).shape)
    return NoisyCounts(noisy, float(spent), scale, sensitivity)


# the whole protection of a count table -------------------------------------------------------


@dataclass
class Protection:
    # Augmented values; suppressed cells still hold their true value here, so exports must read status.
    grid: np.ndarray
    status: np.ndarray  # PUBLISHED / PRIMARY / SECONDARY per cell
    rules: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    @property
    def suppressed(self) -> np.ndarray:
        return self.status != PUBLISHED


def protect_counts(
    interior: np.ndarray,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    rounding: int | None = None,
    epsilon: float | None = None,
    sensitivity: int = 1,
    noisy: NoisyCounts | None = None,
    one_way: bool | None = None,
) -> Protection:
    """Primary and secondary suppression (after DP noise when ``epsilon``, or over counts already
    made noisy), then rounding."""
    threshold = check_threshold(threshold)
    rounding = check_rounding(rounding)
    interior = np.asarray(interior, dtype=np.int64)
    if interior.ndim == 1:
        interior = interior.reshape(1, -1)
    rules: dict = {"primary_suppression": {"threshold": threshold}, "secondary_suppression": "cycle"}
    if noisy is None and epsilon is not None:
        noisy = dp_counts(interior, epsilon, sensitivity=sensitivity)
    if noisy is not None:
        interior = np.asarray(noisy.values, dtype=np.int64).reshape(interior.shape)
        rules["differential_privacy"] = {
            "epsilon": noisy.epsilon,
            "mechanism": noisy.mechanism,
            "scale": noisy.scale,
            "sensitivity": noisy.sensitivity,
            "library": "opendp",
        }
    grid = augment(interior, one_way=one_way)
    primary = primary_mask(grid, threshold)
    secondary = secondary_mask(grid, primary)
    status = np.where(primary, PRIMARY, np.where(secondary, SECONDARY, PUBLISHED)).astype(np.int8)
    if rounding:
        grid = rounded(grid, rounding)
        rules["rounding"] = {"base": rounding}
    warnings = []
    interior_status = status[:-1, :-1] if has_column_totals(grid) else status[:, :-1]
    interior_values = grid[:-1, :-1] if has_column_totals(grid) else grid[:, :-1]
    nonzero = interior_values > 0
    if nonzero.any() and (interior_status[nonzero] != PUBLISHED).mean() > 0.5:
        warnings.append("most_cells_suppressed")
    return Protection(grid=grid, status=status, rules=rules, warnings=warnings)


def derived_status(count_status: np.ndarray, *others: np.ndarray) -> np.ndarray:
    """A share or median is withheld wherever any count table it is built from is withheld."""
    status = count_status.copy()
    for other in others:
        status = np.where((status == PUBLISHED) & (other != PUBLISHED), SECONDARY, status)
    return status
