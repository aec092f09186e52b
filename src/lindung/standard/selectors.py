"""Every read of the standard app's data that leaves the app, filtered by the access policy first.

Statistics read imported records through ``records_visible`` and ``record_counts``.
"""

from django.db.models import Count

from lindung.core import policy

from . import registry
from .models import ImportBatch, StandardRecord, ValidationReport


def reports_visible(user):
    return policy.accessible(user, ValidationReport.objects.select_related("organisation", "created_by"))


def batches_visible(user):
    return policy.accessible(user, ImportBatch.objects.select_related("organisation", "created_by"))


def records_visible(user):
    return policy.accessible(user, StandardRecord.objects.all()).order_by("pk")


def record_counts(user, *, organisation_id: int | None = None) -> dict:
    """Counts of visible records by year and sex, overall and per form of exploitation.

    A record with several forms of exploitation counts once under each, so the per-form table
    can add up to more than the total."""
    records = records_visible(user)
    if organisation_id:
        records = records.filter(organisation_id=organisation_id)
    by_year_sex = list(
        records.values("year_of_registration", "sex")
        .annotate(n=Count("pk"))
        .order_by("year_of_registration", "sex")
    )
    by_form = []
    for code in registry.code_list("form_of_exploitation").codes:
        rows = records.filter(forms_of_exploitation__contains=f" {code.code} ")
        counts = list(rows.values("year_of_registration", "sex").annotate(n=Count("pk")))
        if counts:
            by_form.append({"code": code.code, "label": code.label, "counts": counts})
    return {"total": records.count(), "by_year_sex": by_year_sex, "by_form": by_form}
