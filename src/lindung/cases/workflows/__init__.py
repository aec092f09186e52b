"""The seven case workflows, one module each; ``get(case_type)`` returns a ``Workflow``."""

from . import atd, avrr, forced_return, protection, readmission, reintegration, uasc
from .base import CLOSED, CLOSURE, TRANSFERRED, Transition, Workflow  # noqa: F401  (re-exported)

WORKFLOWS: dict[str, Workflow] = {
    m.WORKFLOW.case_type: m.WORKFLOW
    for m in (protection, avrr, readmission, forced_return, reintegration, atd, uasc)
}


def get(case_type: str) -> Workflow:
    return WORKFLOWS[case_type]
