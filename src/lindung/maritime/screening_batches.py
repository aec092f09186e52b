"""From rescue to protection: screenings opened for the persons on board of a disembarkation.

A batch is ``count`` draft interviews of the screening organisation, one per person to be seen,
pre-filled with the group of the persons-on-board breakdown each was opened for (sex and age group,
and the country of disembarkation as the interview's country), and linked back to the incident by
IncidentScreening rows. The interviews carry no name; whoever may read the incident sees how many
were opened and completed and their urgencies (``selectors.protection_outcomes``), never which.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.actors import user_of
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability
from lindung.screening import services as screening_services
from lindung.screening.models import InstrumentVersion

from .models import IncidentScreening, ScreeningBatch

DISEMBARKATION = "disembarkation"
# A batch is written in one transaction: keep it to what one team screens after one landing.
MAX_BATCH = 500


def _groups(incident) -> list[tuple[str, str]]:
    """One (sex, age group) per person of the breakdown, largest groups first; unknown for the rest."""
    groups = []
    for row in sorted(incident.persons.all(), key=lambda p: (-p.count, p.pk)):
        groups.extend([(row.sex, row.age_group)] * row.count)
    return groups


def _check(incident, count, version):
    if incident.incident_type != DISEMBARKATION:
        raise ValidationError(
            _("Screenings are opened from a disembarkation, where the persons on board come ashore."),
            code="not_a_disembarkation",
        )
    if incident.persons_on_board is None:
        raise ValidationError(
            _("Record the number of persons on board before opening their screenings."),
            code="persons_on_board_unknown",
        )
    if count < 1 or count > MAX_BATCH:
        raise ValidationError(
            _("Open between 1 and %(max)s screenings at a time.") % {"max": MAX_BATCH}, code="batch_size"
        )
    already = sum(incident.screening_batches.values_list("size", flat=True))
    if already + count > incident.persons_on_board:
        raise ValidationError(
            _("%(count)s more screenings would make %(total)s, more than the %(pob)s persons on board.")
            % {"count": count, "total": already + count, "pob": incident.persons_on_board},
            code="batch_larger_than_on_board",
        )
    if version.status != InstrumentVersion.Status.PUBLISHED:
        raise ValidationError(
            _("Only a published instrument version can be used for interviews."), code="not_published"
        )


def screening_batch_open(*, acting_user, incident, count: int, instrument, organisation) -> ScreeningBatch:
    """Open ``count`` draft interviews of ``organisation`` for the persons on board of ``incident``.

    The acting user must be able to read the incident and run screenings in ``organisation``.
    Refusals: ``not_a_disembarkation``, ``persons_on_board_unknown``, ``batch_size``,
    ``batch_larger_than_on_board`` (batches already opened count too), ``not_published``.
    """
    policy.require(acting_user, policy.VIEW, incident)
    policy.require_capability(acting_user, Capability.MANAGE_SCREENING, organisation.pk)
    with transaction.atomic():
        # Lock the incident: two batches opened at once must not both pass the on-board check.
        type(incident).objects.select_for_update().filter(pk=incident.pk).first()
        _check(incident, count, instrument)
        batch = ScreeningBatch.objects.create(
            incident=incident,
            organisation=organisation,
            instrument_version=instrument,
            size=count,
            created_by=user_of(acting_user),
        )
        groups = _groups(incident)
        already = sum(incident.screening_batches.exclude(pk=batch.pk).values_list("size", flat=True))
        links = []
        for number in range(count):
            position = already + number
            sex, age_group = groups[position] if position < len(groups) else ("", "")
            interview = screening_services.interview_start(
                acting_user=acting_user,
                version=instrument,
                organisation=organisation,
                prefill={
                    "sex": sex,
                    "age_group": age_group,
                    "interview_country": incident.disembarkation_country,
                },
            )
            links.append(
                IncidentScreening(
                    batch=batch, incident=incident, interview=interview, sex=sex, age_group=age_group
                )
            )
        IncidentScreening.objects.bulk_create(links)
        audit_record(
            action=AuditAction.SCREENING_BATCH_OPENED,
            actor=acting_user,
            obj=batch,
            detail={"incident": incident.pk, "size": count, "version": instrument.pk},
        )
    return batch
