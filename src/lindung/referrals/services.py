"""Every write of the referrals app: policy check, one transaction, its audit entry.

A referral leaves only with the person's consent for referral (asked through
``cases.selectors.has_consent`` at the moment of sending) and carries a minimal payload; the
person's identity goes with it only when the person also consented to data sharing. Refusals are
audited too.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.events import send_on_commit
from lindung.core.roles import Capability
from lindung.standard import registry

from . import events
from .models import Referral, Service

SERVICE_FIELDS = (
    "name",
    "service_type",
    "description",
    "eligibility",
    "languages",
    "country",
    "place",
    "address",
    "latitude",
    "longitude",
    "coverage_area",
    "capacity",
    "opening_hours",
    "contact_phone",
    "contact_email",
    "answer_days",
    "active",
)
NOTE_LIMIT = 2000


# directory -----------------------------------------------------------------------------------


def _clean_service(fields: dict) -> dict:
    errors = {}
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        errors["__all__"] = _("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}
    if not registry.is_valid("service_type", fields.get("service_type", "")):
        errors["service_type"] = _("Choose a type of service from the standard's list.")
    if not registry.is_valid("country", fields.get("country", "")):
        errors["country"] = _("Choose a country (ISO 3166 alpha-3 code).")
    languages = fields.get("languages") or []
    wrong = [code for code in languages if not registry.is_valid("language", code)]
    if wrong:
        errors["languages"] = _("Not ISO 639-3 language codes: %(codes)s") % {"codes": ", ".join(wrong)}
    if not str(fields.get("name", "")).strip():
        errors["name"] = _("Give the service a name.")
    if not str(fields.get("place", "")).strip():
        errors["place"] = _("Say where the service is (province, city or district).")
    if (fields.get("latitude") is None) != (fields.get("longitude") is None):
        errors["longitude"] = _("Give both latitude and longitude, or neither.")
    if errors:
        raise ValidationError(errors)
    return fields


def service_save(*, acting_user, organisation=None, service: Service | None = None, **fields) -> Service:
    """Create a service of ``organisation`` or update ``service``. The operator loading a directory
    from the command line (demo, imports) acts as ``SYSTEM``."""
    if service is None:
        policy.require_capability(acting_user, Capability.MANAGE_DIRECTORY, organisation.pk)
        service = Service(organisation=organisation)
    else:
        policy.require(acting_user, policy.CHANGE, service)
    merged = {name: getattr(service, name) for name in SERVICE_FIELDS if service.pk}
    merged.update(fields)
    for name in ("latitude", "longitude"):
        if isinstance(merged.get(name), float | int):
            merged[name] = Decimal(str(merged[name]))
    _clean_service(merged)
    for name, value in merged.items():
        setattr(service, name, value)
    service.full_clean(exclude=["organisation"])
    with transaction.atomic():
        created = service.pk is None
        service.save()
        audit_record(
            action=AuditAction.DIRECTORY_SERVICE_SAVED,
            actor=acting_user,
            obj=service,
            detail={"created": created, "fields": sorted(fields)},
        )
    return service


def directory_exported(*, acting_user, fmt: str, rows: int) -> None:
    audit_record(
        action=AuditAction.DIRECTORY_EXPORTED, actor=acting_user, detail={"format": fmt, "rows": rows}
    )


# referrals -----------------------------------------------------------------------------------


def _refuse(acting_user, organisation_id, reason: str, message: str):
    audit_record(
        action=AuditAction.REFERRAL_REFUSED,
        actor=acting_user,
        organisation_id=organisation_id,
        detail={"reason": reason},
    )
    raise ValidationError(message)


def _payload(person, profile, needs, urgency, note, share_identity) -> dict:
    payload = {
        "needs": needs,
        "urgency": urgency,
        "age_group": getattr(person, "age_group", "") or "",
        "sex": getattr(person, "sex", "") or "",
        "languages": list(getattr(person, "languages", []) or []),
        "categories": list(profile.categories) if profile else [],
        "note": note,
    }
    if share_identity:
        payload["identity"] = {
            "person_reference": person.reference,
            "given_name": person.given_name or "",
            "family_name": person.family_name or "",
            "contacts": person.contacts or [],
        }
    return payload


def referral_send(
    *,
    acting_user,
    service: Service,
    needs: list,
    profile=None,
    case=None,
    person=None,
    urgency: str = "",
    share_identity: bool = False,
    note: str = "",
    sent_at=None,
) -> Referral:
    """Refer the person behind a profile, a case or a person record to a service. ``sent_at`` is
    for recording a referral made earlier on paper; it cannot be in the future."""
    from lindung.cases.selectors import has_consent

    if profile is not None:
        person = profile.interview.person
        organisation_id = profile.organisation_id
    elif case is not None:
        person = case.person
        organisation_id = case.organisation_id
    elif person is not None:
        organisation_id = person.organisation_id
    else:
        raise ValidationError(_("Refer from a profile, a case or a person."))
    policy.require_capability(acting_user, Capability.SEND_REFERRALS, organisation_id)
    for obj in (profile, case, person):
        if obj is not None and not policy.can(acting_user, policy.VIEW, obj):
            raise PermissionDenied
    if person is None:
        _refuse(
            acting_user,
            organisation_id,
            "no_person",
            _("Link the screening to a person first: a referral needs the person's consent."),
        )
    if not has_consent(person, "referral"):
        _refuse(
            acting_user,
            organisation_id,
            "no_consent",
            _("The person has not consented to referral (or withdrew consent). Record their consent first."),
        )
    if share_identity and not has_consent(person, "data_sharing"):
        _refuse(
            acting_user,
            organisation_id,
            "no_sharing_consent",
            _("The person has not consented to sharing their identity: send the referral without it."),
        )
    needs = [n for n in dict.fromkeys(needs) if n]
    wrong = [n for n in needs if not registry.is_valid("service_type", n)]
    if not needs or wrong:
        raise ValidationError({"needs": _("Choose the needs from the list of service types.")})
    if service.service_type not in needs:
        _refuse(
            acting_user,
            organisation_id,
            "service_mismatch",
            _(
                "%(service)s offers %(type)s, which is not one of the needs chosen. "
                "Choose a service that matches the need."
            )
            % {"service": service.name, "type": registry.label("service_type", service.service_type)},
        )
    if not service.active:
        _refuse(
            acting_user, organisation_id, "service_inactive", _("This service does not accept referrals now.")
        )
    urgency = profile.urgency if profile is not None else (urgency or "routine")
    if not registry.is_valid("screening_urgency", urgency):
        raise ValidationError({"urgency": _("Choose an urgency level.")})
    if len(note) > NOTE_LIMIT:
        raise ValidationError({"note": _("Keep the note under %(n)d characters.") % {"n": NOTE_LIMIT}})
    from lindung.core.models import Organisation

    now = timezone.now()
    if sent_at is not None:
        if sent_at > now:
            raise ValidationError({"sent_at": _("A referral cannot be sent in the future.")})
        now = sent_at
    with transaction.atomic():
        referral = Referral.objects.create(
            organisation=Organisation.objects.get(pk=organisation_id),
            receiving_organisation=service.organisation,
            service=service,
            person=person,
            profile=profile,
            case=case,
            needs=needs,
            urgency=urgency,
            identity_shared=share_identity,
            payload=_payload(person, profile, needs, urgency, note, share_identity),
            sent_by=acting_user,
            sent_at=now,
            due_at=Referral.due_for(service, now),
        )
        audit_record(
            action=AuditAction.REFERRAL_SENT,
            actor=acting_user,
            obj=referral,
            detail={
                "service": service.pk,
                "receiver": service.organisation_id,
                "needs": needs,
                "identity_shared": share_identity,
            },
        )
        send_on_commit(events.referral_sent, Referral, referral=referral, actor=acting_user)
    return referral


def _answerable(acting_user, referral, expected):
    policy.require(acting_user, policy.ANSWER, referral)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status not in expected:
        raise ValidationError(
            _("This referral is %(status)s; it cannot take this answer.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise ValidationError({"note": _("Keep the note under %(n)d characters.") % {"n": NOTE_LIMIT}})
    return note


def _answered(referral, acting_user, answer):
    send_on_commit(events.referral_answered, Referral, referral=referral, actor=acting_user, answer=answer)


def referral_accept(*, acting_user, referral: Referral, note: str = "") -> Referral:
    note = _clean_note(note)
    with transaction.atomic():
        referral = _answerable(acting_user, referral, (Referral.Status.SENT,))
        referral.status = Referral.Status.ACCEPTED
        referral.answered_by, referral.answered_at, referral.answer_note = (
            acting_user,
            timezone.now(),
            note or None,
        )
        referral.save()
        audit_record(
            action=AuditAction.REFERRAL_ACCEPTED,
            actor=acting_user,
            obj=referral,
            organisation_id=referral.receiving_organisation_id,
        )
        _answered(referral, acting_user, "accepted")
    return referral


def referral_decline(*, acting_user, referral: Referral, reason: str, note: str = "") -> Referral:
    note = _clean_note(note)
    if not registry.is_valid("referral_decline_reason", reason):
        raise ValidationError({"reason": _("Choose the reason for declining.")})
    if reason == "other" and not note:
        raise ValidationError({"note": _("Explain the reason when it is 'other'.")})
    with transaction.atomic():
        referral = _answerable(acting_user, referral, (Referral.Status.SENT, Referral.Status.ACCEPTED))
        referral.status = Referral.Status.DECLINED
        referral.decline_reason = reason
        referral.answered_by, referral.answered_at, referral.answer_note = (
            acting_user,
            timezone.now(),
            note or None,
        )
        referral.save()
        audit_record(
            action=AuditAction.REFERRAL_DECLINED,
            actor=acting_user,
            obj=referral,
            organisation_id=referral.receiving_organisation_id,
            detail={"reason": reason},
        )
        _answered(referral, acting_user, "declined")
    return referral


def referral_record_service(
    *, acting_user, referral: Referral, service_type: str, service_date: datetime.date, note: str = ""
) -> Referral:
    note = _clean_note(note)
    if not registry.is_valid("service_type", service_type):
        raise ValidationError({"service_type": _("Choose the service given from the list.")})
    if service_date > timezone.localdate():
        raise ValidationError({"service_date": _("The date of service cannot be in the future.")})
    with transaction.atomic():
        referral = _answerable(acting_user, referral, (Referral.Status.ACCEPTED,))
        if service_date < referral.sent_at.date():
            raise ValidationError(
                {"service_date": _("The service cannot be given before the referral was sent.")}
            )
        referral.status = Referral.Status.COMPLETED
        referral.service_given, referral.service_date, referral.completed_at = (
            service_type,
            service_date,
            timezone.now(),
        )
        if note:
            referral.answer_note = note
        referral.save()
        audit_record(
            action=AuditAction.REFERRAL_SERVICE_RECORDED,
            actor=acting_user,
            obj=referral,
            organisation_id=referral.receiving_organisation_id,
            detail={"service_type": service_type},
        )
        _answered(referral, acting_user, "completed")
    return referral


def referral_withdraw(*, acting_user, referral: Referral) -> Referral:
    policy.require(acting_user, policy.CHANGE, referral)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status not in (Referral.Status.SENT, Referral.Status.ACCEPTED):
            raise ValidationError(_("Only a referral waiting for an answer or accepted can be withdrawn."))
        referral.status = Referral.Status.WITHDRAWN
        referral.save(update_fields=["status"])
        audit_record(action=AuditAction.REFERRAL_WITHDRAWN, actor=acting_user, obj=referral)
    return referral


def referral_printed(*, acting_user, referral: Referral) -> None:
    audit_record(
        action=AuditAction.REFERRAL_PRINTED,
        actor=acting_user,
        obj=referral,
        detail={"identity_shared": referral.identity_shared},
    )
