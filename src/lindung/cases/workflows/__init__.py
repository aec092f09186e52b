"""The seven case workflows, one module each; ``get(case_type)`` returns a ``Workflow``."""

from . import atd, avrr, forced_return, protection, readmission, reintegration, uasc
from .base import CLOSED, CLOSURE, TRANSFERRED, Transition, Workflow  # noqa: F401  (re-exported)

WORKFLOWS: dict[str, Workflow] = {
    m.WORKFLOW.case_type: m.WORKFLOW
    for m in (protection, avrr, readmission, forced_return, reintegration, atd, uasc)
}


def get(case_type: str) -> Workflow:
    return WORKFLOWS[case_type]


def state_choices(case_type: str = "") -> list[tuple[str, str]]:
    """(state, label) of one case type's workflow, or of them all (the first label of a shared state)."""
    types = [case_type] if case_type in WORKFLOWS else list(WORKFLOWS)
    seen = {}
    for t in types:
        for state, label in WORKFLOWS[t].states:
            seen.setdefault(state, label)
    return list(seen.items())
