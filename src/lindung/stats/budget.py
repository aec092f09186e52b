"""The privacy-budget ledger: differentially private counts spend an organisation's yearly epsilon.

Below ``tables`` (which spends from it while computing a table) and ``services`` (releases), so
that neither imports the other.
"""

import hashlib
import json

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability

from . import disclosure, selectors
from .models import DisclosureSettings, PrivacyBudgetEntry


class SpendNotConfirmed(disclosure.DisclosureError):
    """A table would spend privacy budget that nobody confirmed spending (pages ask first)."""

    def __init__(self, epsilon: float, remaining: float):
        self.epsilon, self.remaining = epsilon, remaining
        super().__init__(
            _(
                "This table would spend epsilon %(e)s of your organisation's privacy budget: open it on "
                "its page and confirm the spending first."
            )
            % {"e": f"{epsilon:g}"}
        )


def publishing_organisation(user, organisation=None):
    allowed = selectors.stats_organisations(user, Capability.PUBLISH_STATS)
    if organisation is not None:
        if not allowed.filter(pk=organisation.pk).exists():
            policy.require_capability(user, Capability.PUBLISH_STATS, organisation.pk)
        return organisation
    first = allowed.first()
    if first is None:
        policy.require_capability(user, Capability.PUBLISH_STATS)
    return first


def _query_key(request) -> str:
    content = {**request.key(), "epsilon": request.epsilon}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def dp_noisy_counts(
    *, acting_user, request, raw_counts, fingerprint, sensitivity, spend=True
) -> disclosure.NoisyCounts:
    """Noisy counts for a table, spending the publishing organisation's privacy budget once.

    The same question over the same data (same fingerprint) gets the answer recorded in the ledger,
    without spending again: asking twice must not let anyone average the noise away. With
    ``spend=False`` only such a recorded answer is given; a new spending raises SpendNotConfirmed."""
    organisation = publishing_organisation(acting_user)
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
        if not spend:
            raise SpendNotConfirmed(request.epsilon, remaining)
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
