"""Every write of the statistics app: settings, the privacy-budget ledger, releases."""

import hashlib
import json

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability

from . import disclosure, selectors
from .models import DisclosureSettings, PrivacyBudgetEntry, Release, ReleaseTable


def _publishing_organisation(user, organisation=None):
    allowed = selectors.stats_organisations(user, Capability.PUBLISH_STATS)
    if organisation is not None:
        if not allowed.filter(pk=organisation.pk).exists():
            policy.require_capability(user, Capability.PUBLISH_STATS, organisation.pk)
        return organisation
    first = allowed.first()
    if first is None:
        policy.require_capability(user, Capability.PUBLISH_STATS)
    return first


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


def _query_key(request) -> str:
    content = {**request.key(), "epsilon": request.epsilon}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def dp_noisy_counts(*, acting_user, request, raw_counts, fingerprint, sensitivity) -> disclosure.NoisyCounts:
    """Noisy counts for a table, spending the publishing organisation's privacy budget once.

    The same question over the same data (same fingerprint) gets the answer recorded in the ledger,
    without spending again: asking twice must not let anyone average the noise away."""
    organisation = _publishing_organisation(acting_user)
    key = _query_key(request)
    with transaction.atomic():
        # One writer at a time per organisation, so two requests cannot both pass the budget check.
        list(DisclosureSettings.objects.select_for_update().filter(organisation=organisation))
        cached = selectors.cached_noise(organisation, key, fingerprint)
        if cached is not None:
            values = np.asarray(cached.noisy, dtype=np.int64).reshape(raw_counts.shape)
            return disclosure.NoisyCounts(values, cached.epsilon, sensitivity / cached.epsilon, sensitivity)
        remaining = selectors.budget_remaining(organisation)
        if request.epsilon > remaining + 1e-9:
            raise disclosure.DisclosureError(
                _(
                    "This table would spend epsilon %(e)s but only %(r)s of this year's privacy budget "
                    "is left."
                )
                % {"e": f"{request.epsilon:g}", "r": f"{remaining:g}"}
            )
        noisy = disclosure.dp_counts(raw_counts, request.epsilon, sensitivity=sensitivity)
        entry = PrivacyBudgetEntry.objects.create(
            organisation=organisation,
            spent_by=acting_user,
            epsilon=noisy.epsilon,
            indicator=request.indicator.id,
            query=request.key(),
            query_key=key,
            fingerprint=fingerprint,
            noisy=noisy.values.ravel().tolist(),
        )
        audit_record(
            action=AuditAction.STATS_PRIVACY_BUDGET_SPENT,
            actor=acting_user,
            obj=entry,
            organisation_id=organisation.pk,
            detail={"indicator": request.indicator.id, "epsilon": noisy.epsilon, "by": list(request.by)},
        )
    return noisy


def _next_identifier(organisation) -> str:
    prefix = "".join(
        ch for ch in (organisation.short_name or f"ORG{organisation.pk}").upper() if ch.isalnum()
    )[:12]
    year = timezone.localdate().year
    count = Release.objects.filter(
        organisation=organisation, identifier__startswith=f"{prefix}-{year}-"
    ).count()
    return f"{prefix}-{year}-{count + 1:03d}"


def release_create(*, acting_user, title: str, tables, notes: str = "", organisation=None) -> Release:
    """Freeze protected tables as a release: date, rules, source-data fingerprint; immutable."""
    from .tables import ProtectedTable

    organisation = _publishing_organisation(acting_user, organisation)
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
    organisation = _publishing_organisation(acting_user)
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
