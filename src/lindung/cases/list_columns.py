"""Copies, on the case row, of what the case list filters on: the earliest due date of the case's
open tasks, and the person's vulnerability categories.

Asked as EXISTS over tasks and vulnerabilities, "overdue" and "unaccompanied child" probe every
candidate case: 60-200 ms per page at a million cases. Kept on the case row, and included in the
list indexes, the filter and the page's count read the index alone (a few ms). Every service that
adds or finishes a task, changes a person's vulnerabilities or opens a case calls the matching
``refresh_*`` in its own transaction, with the case rows locked so two writers cannot interleave.
"""

from django.db.models import Min, OuterRef, Q, Subquery

from .models import Case, PersonVulnerability, Task


def encode_codes(codes) -> str:
    """Space-delimited, with a space at each end, so that one code is found by ``contains``."""
    codes = sorted(set(codes))
    return f" {' '.join(codes)} " if codes else ""


def vulnerability_q(code: str) -> Q:
    return Q(vulnerability_codes__contains=f" {code} ")


def overdue_q(today) -> Q:
    return Q(open_task_due_on__lt=today)


def refresh_task_due(case_ids) -> None:
    case_ids = list(Case.objects.select_for_update().filter(pk__in=case_ids).values_list("pk", flat=True))
    earliest = (
        Task.objects.filter(case_id=OuterRef("pk"), done_at__isnull=True)
        .order_by()
        .values("case_id")
        .annotate(due=Min("due_on"))
        .values("due")
    )
    Case.objects.filter(pk__in=case_ids).update(open_task_due_on=Subquery(earliest))


def refresh_vulnerabilities(person_ids) -> None:
    cases = Case.objects.select_for_update().filter(person_id__in=person_ids)
    persons = set(cases.values_list("person_id", flat=True))
    codes: dict[int, list[str]] = {pk: [] for pk in persons}
    for person_id, category in PersonVulnerability.objects.filter(person_id__in=persons).values_list(
        "person_id", "category"
    ):
        codes[person_id].append(category)
    for person_id, categories in codes.items():
        Case.objects.filter(person_id=person_id).update(vulnerability_codes=encode_codes(categories))
