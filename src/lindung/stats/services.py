"""Every write of the statistics app: settings, releases, microdata exports (the privacy-budget
ledger is ``budget.py``, which the tables below this module spend from)."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability

from . import disclosure
from .budget import publishing_organisation
from .models import DisclosureSettings, Release, ReleaseTable
from .tables import ProtectedTable


def settings_update(
    *, acting_user, organisation, threshold, rounding, k, annual_epsilon_budget
) -> DisclosureSettings:
    policy.require_capability(acting_user, Capability.PUBLISH_STATS, organisation.pk)
    try:
        threshold = disclosure.check_threshold(threshold)
        rounding = disclosure.check_rounding(rounding)
        k = disclosure.check_k(k)
    except disclosure.DisclosureError as exc:
        raise ValidationError(str(exc)) from exc
    with transaction.atomic():
        found = DisclosureSettings.objects.select_for_update().filter(organisation=organisation).first()
        found = found or DisclosureSettings(organisation=organisation)
        before = {
            "threshold": found.threshold,
            "rounding": found.rounding,
            "k": found.k,
            "budget": found.annual_epsilon_budget,
        }
        found.threshold, found.rounding, found.k = threshold, rounding, k
        found.annual_epsilon_budget = float(annual_epsilon_budget)
        found.updated_by = acting_user
        found.full_clean()
        found.save()
        after = {"threshold": threshold, "rounding": rounding, "k": k, "budget": found.annual_epsilon_budget}
        audit_record(
            action=AuditAction.STATS_SETTINGS_UPDATED,
            actor=acting_user,
            obj=found,
            organisation_id=organisation.pk,
            detail={"before": before, "after": after},
        )
    return found


def _next_identifier(organisation) -> str:
    prefix = "".join(
        ch for ch in (organisation.short_name or f"ORG{organisation.pk}").upper() if ch.isalnum()
    )[:12]
    year = timezone.localdate().year
    count = Release.objects.filter(
        organisation=organisation, identifier__startswith=f"{prefix}-{year}-"
    ).count()
    return f"{prefix}-{year}-{count + 1:03d}"


def check_tables_shown(tables, shown_digests) -> None:
    """Refuse (code ``table_changed``) unless each table has the parameters of the one that was shown:
    ``shown_digests`` are the ``parameters_digest`` values the page displayed, in the same order."""
    shown_digests = list(shown_digests)
    changed = [
        ValidationError(
            _(
                "The table “%(name)s” is not the one that was shown: its options or your organisation's "
                "disclosure settings have changed since. Look at the table again before freezing it."
            ),
            code="table_changed",
            params={"name": table.name, "position": position},
        )
        for position, table in enumerate(tables)
        if position >= len(shown_digests) or shown_digests[position] != table.parameters_digest
    ]
    if changed or len(shown_digests) != len(tables):
        raise ValidationError(
            changed or [ValidationError(_("The tables shown do not match."), code="table_changed")]
        )


def release_create(
    *, acting_user, title: str, tables, notes: str = "", organisation=None, shown_digests=None
) -> Release:
    """Freeze protected tables as a release: date, rules, source-data fingerprint; immutable.

    A page passes ``shown_digests`` (see ``check_tables_shown``) so that the release holds exactly the
    tables its user saw; the API, which computes and freezes in one request, does not need to."""
    organisation = publishing_organisation(acting_user, organisation)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the release a title.")})
    if len(title) > 200:
        raise ValidationError({"title": _("The title may have at most 200 characters.")})
    tables = list(tables)
    if not tables:
        raise ValidationError(_("A release needs at least one table."))
    if not all(isinstance(t, ProtectedTable) for t in tables):
        raise TypeError("a release holds protected tables only")
    if shown_digests is not None:
        check_tables_shown(tables, shown_digests)
    fingerprint = hashlib.sha256("\n".join(t.fingerprint for t in tables).encode()).hexdigest()
    epsilon = sum((t.dp or {}).get("epsilon", 0.0) for t in tables)
    rules = {
        "tables": [{"indicator": t.indicator_id, "by": list(t.by), "rules": t.rules} for t in tables],
        "thresholds": sorted({t.rules["primary_suppression"]["threshold"] for t in tables}),
    }
    with transaction.atomic():
        release = Release.objects.create(
            organisation=organisation,
            identifier=_next_identifier(organisation),
            title=title,
            notes=notes.strip(),
            created_by=acting_user,
            rules=rules,
            fingerprint=fingerprint,
            epsilon_spent=epsilon,
        )
        for position, table in enumerate(tables):
            ReleaseTable.objects.create(
                release=release,
                position=position,
                indicator=table.indicator_id,
                indicator_version=table.indicator_version,
                by=list(table.by),
                payload=table.payload(),
                fingerprint=table.fingerprint,
            )
        audit_record(
            action=AuditAction.STATS_RELEASE_CREATED,
            actor=acting_user,
            obj=release,
            organisation_id=organisation.pk,
            detail={"identifier": release.identifier, "tables": len(tables), "fingerprint": fingerprint},
        )
    return release


def microdata_exported(*, acting_user, source: str, rows: int, k: int, report: dict) -> None:
    """Record that k-anonymised records left the app (counts and parameters only)."""
    organisation = publishing_organisation(acting_user)
    with transaction.atomic():
        audit_record(
            action=AuditAction.STATS_MICRODATA_EXPORTED,
            actor=acting_user,
            organisation_id=organisation.pk,
            detail={
                "source": source,
                "rows": rows,
                "k": k,
                "suppressed_values": report.get("suppressed_values", 0),
                "dropped_records": report.get("dropped_records", 0),
            },
        )
