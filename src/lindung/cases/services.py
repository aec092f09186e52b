"""Every write of the cases app: ``<entity>_<action>(*, acting_user, ...)``, policy check first,
one transaction with its audit entry. Audit details carry ids, codes and field names only."""

import base64
import datetime
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import crypto, policy, uploads
from lindung.core.actors import require_actor
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.events import send_on_commit
from lindung.core.roles import Capability
from lindung.standard import registry

from . import events, identifiers, list_columns, return_risk, workflows
from .choices import (
    CaseType,
    ConsentPurpose,
    DocumentType,
    NeedStatus,
    NoteType,
    PlacementKind,
    ServiceOutcome,
)
from .models import (
    Attachment,
    Case,
    CaseNote,
    CaseTransition,
    ComplianceCheckIn,
    Consent,
    MonitoringVisit,
    Need,
    Person,
    PersonIdentifier,
    PersonVulnerability,
    Placement,
    ReturnRiskAssessment,
    ServiceGiven,
    Task,
    TransferAgreement,
)
from .workflows.base import CLOSED, CLOSURE, DATE, TRANSFERRED, clean_step_data, date_order_errors

NAME_LIMIT = 200
# (person field, standard code list)
CODED_PERSON_FIELDS = (
    ("sex", "sex"),
    ("gender", "gender"),
    ("age_group", "age_group"),
    ("citizenship", "country"),
    ("disability_status", "yes_no_unknown"),
    ("majority_status", "majority_status"),
    ("legal_status", "legal_status"),
)
PHOTO_LIMIT = 2 * 1024 * 1024
CONTACT_KEYS = ("phone", "email", "address")
PHOTO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
ATTACHMENT_TYPES = ("application/pdf", "image/png", "image/jpeg", uploads.DOCX)
# The standard's person variables held on a person, beside the identity fields.
PERSON_PROFILE_FIELDS = (
    "sex",
    "gender",
    "age_group",
    "citizenship",
    "is_stateless",
    "languages",
    "disability_status",
    "majority_status",
    "legal_status",
    "vulnerabilities",
)
# What a transfer agreement may allow. Notes, attachments and free-text step data never move.
TRANSFERABLE_FIELDS = (
    *Person.IDENTITY_FIELDS,
    *PERSON_PROFILE_FIELDS,
    "step_data",
    "needs",
    "services",
)
PERSON_COPY_FIELDS = tuple(
    f for f in TRANSFERABLE_FIELDS if f not in ("vulnerabilities", "step_data", "needs", "services")
)


class StaleCase(ValidationError):
    """Someone saved the record after the user loaded it: refuse rather than overwrite."""

    def __init__(self):
        super().__init__(
            _(
                "This record was changed by someone else after you opened it. Nothing was saved: "
                "reload it to see their change, then make yours again."
            ),
            code="stale",
        )


def max_attachment_bytes() -> int:
    return getattr(settings, "LINDUNG_CASES_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024)


@dataclass(frozen=True)
class Retention:
    days: int
    action: str


def retention_for(case_type: str) -> Retention:
    """The workflow's retention, unless settings.LINDUNG_CASES_RETENTION overrides it."""
    workflow = workflows.get(case_type)
    override = getattr(settings, "LINDUNG_CASES_RETENTION", {}).get(case_type, {})
    return Retention(
        override.get("days", workflow.retention_days), override.get("action", workflow.retention_action)
    )


def _require_change(acting_user, obj, action=policy.CHANGE):
    policy.require(acting_user, action, obj)


def _actor_org_check(acting_user, organisation):
    policy.require_capability(acting_user, Capability.MANAGE_CASES, organisation.pk)


# persons -------------------------------------------------------------------------------------


def _band_contains(band: str, age: int) -> bool:
    if band.endswith("+"):
        return age >= int(band[:-1])
    low, _sep, high = band.partition("-")
    # Bands come from the standard's code list; isascii() keeps int() from meeting "²" all the same.
    bounded = all(part.isascii() and part.isdigit() for part in (low, high))
    return bounded and int(low) <= age <= int(high)


def _age(dob: datetime.date) -> int:
    today = timezone.localdate()
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _clean_person(data: dict) -> dict:
    """Validate and normalise person fields; ValidationError names every bad field."""
    errors: dict[str, list] = {}
    out = dict(data)

    def bad(field, message):
        errors.setdefault(field, []).append(message)

    for name in ("given_name", "family_name"):
        if name in out:
            out[name] = (out[name] or "").strip()
            if len(out[name]) > NAME_LIMIT:
                bad(name, _("At most %(n)d characters.") % {"n": NAME_LIMIT})
    if ("given_name" in out or "family_name" in out) and not (
        out.get("given_name") or out.get("family_name")
    ):
        bad("given_name", _("Give at least one name (a given or a family name)."))
    if "aliases" in out:
        aliases = out["aliases"] or []
        if not isinstance(aliases, list) or not all(
            isinstance(a, str) and 0 < len(a.strip()) <= NAME_LIMIT for a in aliases
        ):
            bad("aliases", _("Other names must be a list of names of 1 to 200 characters."))
        else:
            out["aliases"] = [a.strip() for a in aliases]
    dob = out.get("date_of_birth")
    if dob is not None:
        if isinstance(dob, str):
            try:
                dob = datetime.date.fromisoformat(dob)
            except ValueError:
                dob = None
                bad("date_of_birth", _("Enter a date as YYYY-MM-DD."))
        if dob is not None:
            today = timezone.localdate()
            if dob > today:
                bad("date_of_birth", _("A date of birth cannot be in the future."))
            elif dob.year < 1900:
                bad("date_of_birth", _("A date of birth before 1900 is not plausible."))
            out["date_of_birth"] = dob
    for field, list_id in CODED_PERSON_FIELDS:
        if out.get(field) and not registry.is_valid(list_id, out[field]):
            bad(
                field,
                _("%(value)s is not a code of the standard's %(list)s list.")
                % {"value": str(out[field])[:40], "list": list_id},
            )
    if dob is not None and "date_of_birth" not in errors:
        age = _age(dob)
        if out.get("age_group") not in (None, "", "unknown") and not _band_contains(out["age_group"], age):
            bad(
                "age_group", _("The age group does not match the date of birth (age %(age)d).") % {"age": age}
            )
        if out.get("majority_status") in ("adult", "child") and (age >= 18) != (
            out["majority_status"] == "adult"
        ):
            bad(
                "majority_status",
                _("Adult or child does not match the date of birth (age %(age)d).") % {"age": age},
            )
    if "languages" in out:
        languages = out["languages"] or []
        unknown = [str(code)[:10] for code in languages if not registry.is_valid("language", str(code))]
        if not isinstance(languages, list) or unknown:
            bad(
                "languages",
                _("Unknown language codes (use ISO 639-3): %(codes)s.") % {"codes": ", ".join(unknown)},
            )
        else:
            out["languages"] = sorted(set(languages))
    if "vulnerabilities" in out:
        codes = out["vulnerabilities"] or []
        unknown = [str(c)[:40] for c in codes if not registry.is_valid("vulnerability_category", str(c))]
        if not isinstance(codes, list) or unknown:
            bad(
                "vulnerabilities",
                _("Unknown vulnerability categories: %(codes)s.") % {"codes": ", ".join(unknown)},
            )
    if "documents" in out:
        out["documents"] = _clean_documents(out["documents"] or [], bad)
    if "contacts" in out:
        contacts = out["contacts"] or {}
        if (
            not isinstance(contacts, dict)
            or set(contacts) - set(CONTACT_KEYS)
            or not all(isinstance(v, str) and len(v) <= 300 for v in contacts.values())
        ):
            bad(
                "contacts",
                _("Contacts take phone, email and address, each as text of at most 300 characters."),
            )
        else:
            out["contacts"] = {k: v.strip() for k, v in contacts.items() if v.strip()}
    if out.get("photo") is not None:
        photo, _ctype = out["photo"]
        if len(photo) > PHOTO_LIMIT:
            bad("photo", _("A photograph may be at most 2 MB."))
        elif not any(photo.startswith(magic) for magic in PHOTO_TYPES):
            bad("photo", _("A photograph must be a JPEG or PNG image."))
    if errors:
        raise ValidationError(errors)
    return out


def _clean_documents(documents, bad) -> list:
    if not isinstance(documents, list):
        bad("documents", _("Documents must be a list."))
        return []
    cleaned = []
    for row, doc in enumerate(documents, start=1):
        if not isinstance(doc, dict):
            bad("documents", _("Document %(row)d: give a type and a number.") % {"row": row})
            continue
        number = str(doc.get("number", "")).strip()
        kind = doc.get("type", "")
        country = doc.get("country", "") or ""
        if kind not in DocumentType.values:
            bad("documents", _("Document %(row)d: unknown document type.") % {"row": row})
        if not number or len(number) > 64:
            bad("documents", _("Document %(row)d: the number must have 1 to 64 characters.") % {"row": row})
        if country and not registry.is_valid("country", country):
            bad("documents", _("Document %(row)d: unknown issuing country.") % {"row": row})
        cleaned.append({"type": kind, "number": number, "country": country})
    return cleaned


def _index_person(person: Person) -> None:
    """Rebuild the blind index rows of a person (names, aliases, document numbers)."""
    PersonIdentifier.objects.filter(person=person).delete()
    org = person.organisation_id
    names = {person.full_name, person.given_name or "", person.family_name or "", *(person.aliases or [])}
    rows = [
        PersonIdentifier(
            person=person,
            organisation_id=org,
            kind=PersonIdentifier.Kind.NAME,
            digest=crypto.blind_index(n, organisation_id=org, kind="name"),
        )
        for n in names
        if n and n.strip()
    ]
    rows += [
        PersonIdentifier(
            person=person,
            organisation_id=org,
            kind=PersonIdentifier.Kind.DOCUMENT,
            digest=crypto.blind_index(
                identifiers.document_key(d["number"]), organisation_id=org, kind="document"
            ),
        )
        for d in person.documents or []
        if identifiers.document_key(d["number"])
    ]
    PersonIdentifier.objects.bulk_create({(r.kind, r.digest): r for r in rows}.values())


def _set_vulnerabilities(person, codes):
    PersonVulnerability.objects.filter(person=person).exclude(category__in=codes).delete()
    existing = set(person.vulnerabilities.values_list("category", flat=True))
    PersonVulnerability.objects.bulk_create(
        [PersonVulnerability(person=person, category=c) for c in sorted(set(codes) - existing)]
    )
    list_columns.refresh_vulnerabilities([person.pk])


def _apply_person_fields(person, data):
    for name, value in data.items():
        if name == "photo":
            person.photo, person.photo_content_type = (
                (value[0], _photo_type(value[0])) if value else (None, "")
            )
        elif name != "vulnerabilities":
            setattr(person, name, value)


def _photo_type(photo: bytes) -> str:
    return next(ctype for magic, ctype in PHOTO_TYPES.items() if photo.startswith(magic))


def person_register(*, acting_user, organisation, **fields) -> Person:
    """Register a person. ``photo`` is (bytes, declared content type) or None."""
    _actor_org_check(acting_user, organisation)
    unknown = set(fields) - {*Person.IDENTITY_FIELDS, *PERSON_PROFILE_FIELDS}
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    fields.setdefault("given_name", "")
    data = _clean_person(fields)
    with transaction.atomic():
        person = Person(organisation=organisation, registered_by=acting_user)
        _apply_person_fields(person, data)
        person.save()
        _index_person(person)
        _set_vulnerabilities(person, data.get("vulnerabilities", []))
        audit_record(
            action=AuditAction.PERSON_REGISTERED,
            actor=acting_user,
            obj=person,
            detail={"fields": sorted(k for k, v in data.items() if v not in (None, "", [], {}))},
        )
    return person


def person_update(*, acting_user, person, expected_version, **changes) -> Person:
    _require_change(acting_user, person)
    if not policy.can_see_identity(acting_user, person) and set(changes) & set(Person.IDENTITY_FIELDS):
        raise PermissionDenied
    data = _clean_person(changes)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.version != expected_version:
            raise StaleCase()
        _apply_person_fields(locked, data)
        locked.version += 1
        locked.save()
        if set(data) & {"given_name", "family_name", "aliases", "documents"}:
            _index_person(locked)
        if "vulnerabilities" in data:
            _set_vulnerabilities(locked, data["vulnerabilities"])
        audit_record(
            action=AuditAction.PERSON_UPDATED, actor=acting_user, obj=locked, detail={"fields": sorted(data)}
        )
    return locked


def person_add_vulnerabilities(*, acting_user, person, categories, source: str) -> list[str]:
    """Add vulnerability categories found elsewhere (``source``: e.g. "screening") to the person's
    record; the ones added. Recording them serves the person's assistance, so it needs their active
    consent for assistance, asked at this moment."""
    from .selectors import has_consent

    _require_change(acting_user, person)
    if any(not registry.is_valid("vulnerability_category", str(c)) for c in categories):
        raise ValidationError(
            {"categories": [ValidationError(_("Unknown vulnerability category."), code="unknown")]}
        )
    if not has_consent(person, ConsentPurpose.ASSISTANCE):
        raise ValidationError(
            _("The person has not consented to assistance: their record is not changed."), code="no_consent"
        )
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        held = set(locked.vulnerabilities.values_list("category", flat=True))
        added = sorted(set(categories) - held)
        if added:
            _set_vulnerabilities(locked, sorted(held | set(added)))
            locked.version += 1
            locked.save(update_fields=["version"])
        audit_record(
            action=AuditAction.PERSON_VULNERABILITIES_ADDED,
            actor=acting_user,
            obj=locked,
            purpose=str(ConsentPurpose.ASSISTANCE),
            detail={"source": source, "added": len(added)},
        )
    return added


# cases ---------------------------------------------------------------------------------------


def case_open(*, acting_user, person, case_type, owner=None, team="", opened_on=None) -> Case:
    """Open a case; ``opened_on`` may be in the past when a paper file is entered late."""
    _require_change(acting_user, person)
    uploads.check_dates(opened_on=opened_on)
    if case_type not in CaseType.values:
        raise ValidationError({"case_type": [_("Unknown case type.")]})
    workflow = workflows.get(case_type)
    for check in workflow.open_checks:
        reason = check(person)
        if reason:
            raise ValidationError({"case_type": [reason]})
    if owner is not None and not policy.has_capability(
        owner, Capability.MANAGE_CASES, person.organisation_id
    ):
        raise ValidationError({"owner": [_("The case owner must be a caseworker of the organisation.")]})
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": [_("A case cannot be opened in the future.")]})
    with transaction.atomic():
        case = Case.objects.create(
            opened_on=opened_on,
            organisation_id=person.organisation_id,
            person=person,
            case_type=case_type,
            state=workflow.initial,
            opened_by=acting_user,
            owner=owner if owner is not None else acting_user,
            team=team[:100],
        )
        list_columns.refresh_vulnerabilities([person.pk])
        audit_record(
            action=AuditAction.CASE_OPENED,
            actor=acting_user,
            obj=case,
            detail={"case_type": case_type, "person": person.pk},
        )
    return case


def _lock_case(case, expected_version) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is None or int(expected_version) != locked.version:
        raise StaleCase()
    return locked


def transition_refusal(case, transition_name, acting_user) -> str | None:
    """Why ``transition_name`` cannot be taken from the case's current step by ``acting_user``
    (None: it can)."""
    workflow = case.workflow
    transition = workflow.transition(transition_name)
    if transition is None:
        return _("'%(name)s' is not a step of %(type)s cases.") % {
            "name": str(transition_name)[:60],
            "type": workflow.label,
        }
    if case.state not in transition.sources:
        allowed = [str(t.label) for t in workflow.transitions_from(case.state)]
        return _("A case at step '%(state)s' cannot do '%(label)s'. From here it can: %(allowed)s.") % {
            "state": case.state_label,
            "label": transition.label,
            "allowed": ", ".join(allowed) if allowed else _("nothing (the case is finished)"),
        }
    if not policy.has_capability(require_actor(acting_user), transition.capability, case.organisation_id):
        return _("'%(label)s' needs the capability: %(cap)s.") % {
            "label": transition.label,
            "cap": Capability(transition.capability).label,
        }
    if (
        transition.target == CLOSED
        and acting_user is not None
        and closure_requested_by(case) == acting_user.pk
    ):
        # Segregation of duties: a closure is approved by someone other than who asked for it.
        return _("You asked for this closure, so another supervisor must approve it.")
    return None


def closure_requested_by(case) -> int | None:
    """Who moved the case to its pending closure (None when it is not pending)."""
    if case.state != CLOSURE:
        return None
    return case.transitions.filter(to_state=CLOSURE).order_by("-pk").values_list("by_id", flat=True).first()


def case_transition(*, acting_user, case, transition, data=None, expected_version=None) -> Case:
    """Move ``case`` along its workflow. Refused with a reason when out of order, when step data is
    missing or wrong, when dates are in an impossible order, or when the record is stale."""
    _require_change(acting_user, case)
    reason = transition_refusal(case, transition, acting_user)
    if reason:
        raise ValidationError({"transition": [ValidationError(reason, code="refused")]})
    workflow = case.workflow
    step = workflow.transition(transition)
    # Non-refoulement: no departure without a signed-off risk-on-return assessment that clears it.
    return_risk.check_departure(acting_user=acting_user, case=case, transition=step)
    public, personal = clean_step_data(step, data or {})
    merged = {**case.step_data, **public}
    errors = date_order_errors(workflow, merged, set(public))
    for name, value in public.items():
        if step.field_kind(name) == DATE and value < case.opened_on.isoformat() and name not in errors:
            errors[name] = [
                _("%(label)s (%(d)s) cannot be before the case was opened (%(o)s).")
                % {"label": workflow.field(name).label, "d": value, "o": case.opened_on}
            ]
    if errors:
        raise ValidationError(errors)
    for check in step.checks:
        reason = check(case, {**public, **personal})
        if reason:
            raise ValidationError({"transition": [ValidationError(reason, code="refused")]})
    with transaction.atomic():
        locked = _lock_case(case, expected_version)
        # Again under the case's lock, which the risk services also take: an assessment recorded
        # between the check above and this commit must not slip a departure through.
        return_risk.check_departure(acting_user=acting_user, case=locked, transition=step, audit=False)
        from_state = locked.state
        locked.step_data = merged
        if personal:
            locked.step_personal = {**(locked.step_personal or {}), **personal}
        locked.state = step.target
        tasks_closed = 0
        if step.target == CLOSED:
            tasks_closed = _close(locked, acting_user, merged.get("closure_date"))
        elif from_state == CLOSURE:
            locked.closed_on = None
        locked.version += 1
        locked.save()
        CaseTransition.objects.create(
            case=locked,
            name=step.name,
            from_state=from_state,
            to_state=step.target,
            by=acting_user,
            fields=sorted({*public, *personal}),
        )
        if step.task:
            _open_step_task(locked, step, merged, acting_user)
        for effect in step.effects:
            STEP_EFFECTS[effect](locked, {**public, **personal}, acting_user)
        audit_record(
            action=AuditAction.CASE_TRANSITIONED,
            actor=acting_user,
            obj=locked,
            detail={
                "transition": step.name,
                "from": from_state,
                "to": step.target,
                "fields": sorted({*public, *personal}),
                **({"tasks_closed_with_case": tasks_closed} if tasks_closed else {}),
            },
        )
        send_on_commit(
            events.case_transitioned,
            Case,
            case=locked,
            transition=step.name,
            from_state=from_state,
            to_state=step.target,
            actor=acting_user,
        )
    return locked


def _open_step_task(case, step, data, acting_user) -> None:
    """The step's follow-up task. A step that is sent again (a readmission request resent with a
    new deadline) moves the open task to the new date instead of stacking a second copy."""
    title, due_field = step.task
    title = str(title)[:200]
    due_on = datetime.date.fromisoformat(data[due_field])
    if not case.tasks.filter(title=title, done_at__isnull=True).update(due_on=due_on):
        Task.objects.create(
            case=case, title=title, created_by=acting_user, assignee=case.owner, due_on=due_on
        )
    list_columns.refresh_task_due([case.pk])


def _close(case, acting_user, closure_date):
    case.closed_on = datetime.date.fromisoformat(closure_date) if closure_date else timezone.localdate()
    case.closure_approved_by = acting_user
    case.retain_until = case.closed_on + datetime.timedelta(days=retention_for(case.case_type).days)
    # Tasks still open end with the case (marked as such), so none is left orphaned on a list.
    left = case.tasks.filter(done_at__isnull=True).update(
        done_at=timezone.now(), done_by=acting_user, closed_with_case=True
    )
    if left:
        list_columns.refresh_task_due([case.pk])
    return left


def case_assign(*, acting_user, case, owner, team="", expected_version=None) -> Case:
    _require_change(acting_user, case, policy.SUPERVISE)
    if owner is not None and not policy.has_capability(owner, Capability.MANAGE_CASES, case.organisation_id):
        raise ValidationError({"owner": [_("The case owner must be a caseworker of the organisation.")]})
    with transaction.atomic():
        locked = _lock_case(case, expected_version)
        locked.owner, locked.team = owner, (team or "")[:100]
        locked.version += 1
        locked.save()
        audit_record(
            action=AuditAction.CASE_ASSIGNED,
            actor=acting_user,
            obj=locked,
            detail={"owner": owner.pk if owner else None},
        )
    return locked


def case_set_legal_hold(*, acting_user, case, hold: bool, expected_version=None) -> Case:
    _require_change(acting_user, case, policy.SUPERVISE)
    with transaction.atomic():
        locked = _lock_case(case, expected_version)
        locked.legal_hold = bool(hold)
        locked.version += 1
        locked.save()
        audit_record(
            action=AuditAction.CASE_LEGAL_HOLD, actor=acting_user, obj=locked, detail={"hold": bool(hold)}
        )
    return locked


# consent -------------------------------------------------------------------------------------


def consent_record(
    *, acting_user, person, purpose, language, information_given, obtained_on=None, valid_until=None
) -> Consent:
    _require_change(acting_user, person)
    errors = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = [_("Unknown purpose.")]
    if not language or not registry.is_valid("language", language):
        errors["language"] = [_("Give the language of the conversation as an ISO 639-3 code.")]
    if not (information_given or "").strip():
        errors["information_given"] = [
            _("Say what the person was told (purpose, who will see the data, how to withdraw).")
        ]
    obtained_on = obtained_on or timezone.localdate()
    if obtained_on > timezone.localdate():
        errors["obtained_on"] = [_("Consent cannot be obtained in the future.")]
    if valid_until and valid_until < obtained_on:
        errors["valid_until"] = [_("Consent cannot end before it was given.")]
    errors.update(uploads.date_errors(obtained_on=obtained_on, valid_until=valid_until))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            organisation_id=person.organisation_id,
            person=person,
            purpose=purpose,
            obtained_by=acting_user,
            obtained_on=obtained_on,
            language=language,
            information_given=information_given.strip(),
            valid_until=valid_until,
        )
        audit_record(
            action=AuditAction.CONSENT_RECORDED,
            actor=acting_user,
            obj=consent,
            detail={"person": person.pk, "purpose": purpose},
        )
    return consent


def consent_withdraw(*, acting_user, consent) -> Consent:
    """Withdrawal takes effect at once: ``selectors.has_consent`` answers False from this commit on."""
    _require_change(acting_user, consent)
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    with transaction.atomic():
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = acting_user
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(
            action=AuditAction.CONSENT_WITHDRAWN,
            actor=acting_user,
            obj=consent,
            detail={"person": consent.person_id, "purpose": consent.purpose},
        )
        send_on_commit(events.consent_withdrawn, Consent, consent=consent, actor=acting_user)
    return consent


# needs, services, notes, attachments, tasks --------------------------------------------------


def _require_open(case):
    if not case.is_open:
        raise ValidationError(
            _("This case is %(state)s: nothing more can be added.") % {"state": case.state_label}
        )


def need_record(*, acting_user, case, need_type, status=NeedStatus.OPEN, identified_on=None) -> Need:
    _require_change(acting_user, case)
    uploads.check_dates(identified_on=identified_on)
    _require_open(case)
    errors = {}
    if not registry.is_valid("service_type", need_type or ""):
        errors["need_type"] = [_("Choose a need from the standard's list of services.")]
    if status not in NeedStatus.values:
        errors["status"] = [_("Unknown status.")]
    if identified_on and identified_on > timezone.localdate():
        errors["identified_on"] = [_("A need cannot be identified in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        need = Need.objects.create(
            case=case,
            need_type=need_type,
            status=status,
            recorded_by=acting_user,
            identified_on=identified_on or timezone.localdate(),
        )
        audit_record(
            action=AuditAction.CASE_NEED_RECORDED,
            actor=acting_user,
            obj=need,
            organisation_id=case.organisation_id,
            detail={"case": case.pk, "need": need_type},
        )
    return need


def need_set_status(*, acting_user, need, status) -> Need:
    _require_change(acting_user, need)
    if status not in NeedStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    with transaction.atomic():
        need.status = status
        need.save(update_fields=["status"])
        audit_record(
            action=AuditAction.CASE_NEED_RECORDED,
            actor=acting_user,
            obj=need,
            organisation_id=need.case.organisation_id,
            detail={"case": need.case_id, "status": status},
        )
    return need


def service_record(*, acting_user, case, service_type, provided_on, outcome, provider=None) -> ServiceGiven:
    _require_change(acting_user, case)
    uploads.check_dates(provided_on=provided_on)
    errors = {}
    if not registry.is_valid("service_type", service_type or ""):
        errors["service_type"] = [_("Choose a service from the standard's list.")]
    if outcome not in ServiceOutcome.values:
        errors["outcome"] = [_("Unknown outcome.")]
    if provided_on is None or provided_on > timezone.localdate():
        errors["provided_on"] = [_("Give the day the service was provided (not in the future).")]
    elif provided_on < case.opened_on:
        errors["provided_on"] = [
            _("The service cannot be before the case was opened (%(d)s).") % {"d": case.opened_on}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        service = ServiceGiven.objects.create(
            case=case,
            service_type=service_type,
            provided_on=provided_on,
            outcome=outcome,
            provider=provider,
            recorded_by=acting_user,
        )
        audit_record(
            action=AuditAction.CASE_SERVICE_RECORDED,
            actor=acting_user,
            obj=service,
            organisation_id=case.organisation_id,
            detail={"case": case.pk, "service": service_type, "outcome": outcome},
        )
    return service


def note_add(*, acting_user, case, text, note_type=NoteType.GENERAL) -> CaseNote:
    _require_change(acting_user, case)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = [_("Write the note.")]
    elif len(text) > 20000:
        errors["text"] = [_("A note may have at most 20,000 characters.")]
    if note_type not in NoteType.values:
        errors["note_type"] = [_("Unknown kind of note.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        note = CaseNote.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            text=text,
            note_type=note_type,
            author=acting_user,
        )
        audit_record(
            action=AuditAction.CASE_NOTE_ADDED,
            actor=acting_user,
            obj=note,
            detail={"case": case.pk, "note_type": note_type},
        )
    return note


def sniff_attachment(filename: str, content: bytes) -> str:
    """The content type of an allowed file, checked by its first bytes and its extension."""
    if not content:
        raise ValidationError({"file": [_("The file is empty.")]})
    limit = max_attachment_bytes()
    if len(content) > limit:
        raise ValidationError(
            {
                "file": [
                    _("The file is %(size)s MB; the limit is %(limit)s MB.")
                    % {"size": round(len(content) / 1048576, 1), "limit": round(limit / 1048576, 1)}
                ]
            }
        )
    try:
        return uploads.sniff(filename, content, ATTACHMENT_TYPES)
    except ValidationError as exc:
        raise ValidationError({"file": exc}) from exc


def attachment_add(*, acting_user, case, filename, content: bytes) -> Attachment:
    _require_change(acting_user, case)
    filename = os.path.basename((filename or "").replace("\\", "/")).strip()[:200] or "file"
    ctype = sniff_attachment(filename, content)
    with transaction.atomic():
        attachment = Attachment.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            filename=filename,
            content_type=ctype,
            size=len(content),
            content=content,
            uploaded_by=acting_user,
        )
        audit_record(
            action=AuditAction.CASE_ATTACHMENT_ADDED,
            actor=acting_user,
            obj=attachment,
            detail={"case": case.pk, "content_type": ctype, "size": len(content)},
        )
    return attachment


def task_create(*, acting_user, case, title, due_on, assignee=None) -> Task:
    _require_change(acting_user, case)
    uploads.check_dates(due_on=due_on)
    _require_open(case)
    errors = {}
    title = (title or "").strip()
    if not title or len(title) > 200:
        errors["title"] = [_("Say what is to be done, in at most 200 characters.")]
    if due_on is None:
        errors["due_on"] = [_("Give a due date.")]
    elif not (
        case.opened_on - datetime.timedelta(days=366)
        <= due_on
        <= case.opened_on + datetime.timedelta(days=3653)
    ):
        # A task due decades ago is a typing slip (1926 for 2026), not a plan.
        errors["due_on"] = [
            ValidationError(
                _("A task is due between a year before the case opened and ten years after it."),
                code="due_on_implausible",
            )
        ]
    if assignee is not None and not policy.has_capability(
        assignee, Capability.MANAGE_CASES, case.organisation_id
    ):
        errors["assignee"] = [_("Tasks go to caseworkers of the case's organisation.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        task = Task.objects.create(
            case=case, title=title, due_on=due_on, assignee=assignee, created_by=acting_user
        )
        list_columns.refresh_task_due([case.pk])
        audit_record(
            action=AuditAction.CASE_TASK_CREATED,
            actor=acting_user,
            obj=task,
            organisation_id=case.organisation_id,
            detail={"case": case.pk},
        )
    return task


def task_complete(*, acting_user, task) -> Task:
    _require_change(acting_user, task)
    if task.done_at is not None:
        raise ValidationError(_("This task is already done."))
    with transaction.atomic():
        task.done_at, task.done_by = timezone.now(), acting_user
        task.save(update_fields=["done_at", "done_by"])
        list_columns.refresh_task_due([task.case_id])
        audit_record(
            action=AuditAction.CASE_TASK_DONE,
            actor=acting_user,
            obj=task,
            organisation_id=task.case.organisation_id,
            detail={"case": task.case_id},
        )
    return task


# placements, monitoring, compliance ----------------------------------------------------------


def placement_record(
    *, acting_user, case, kind, placement_type, start_on, end_on=None, conditions=""
) -> Placement:
    """Record a placement. Hard rule: a child is never placed in detention; the refusal is audited."""
    _require_change(acting_user, case)
    errors = {}
    if isinstance(start_on, str):
        start_on = datetime.date.fromisoformat(start_on)
    if kind not in PlacementKind.values:
        errors["kind"] = [_("Unknown kind of placement.")]
    else:
        list_id = "detention_placement_type" if kind == PlacementKind.DETENTION else "atd_placement_type"
        if not registry.is_valid(list_id, placement_type or ""):
            errors["placement_type"] = [_("Choose a placement from the standard's list.")]
    if start_on is None:
        errors["start_on"] = [_("Give the start date.")]
    elif end_on is not None and end_on < start_on:
        errors["end_on"] = [_("A placement cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    person = case.person
    if kind == PlacementKind.DETENTION and not person.is_adult():
        audit_record(
            action=AuditAction.CHILD_DETENTION_REFUSED,
            actor=acting_user,
            obj=case,
            detail={"placement_type": placement_type},
        )
        raise ValidationError(
            {
                "kind": [
                    _(
                        "Children are never placed in detention. This person is a child or of unknown age: "
                        "record an alternative to detention instead."
                    )
                ]
            },
            code="child_detention",
        )
    with transaction.atomic():
        placement = Placement.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            kind=kind,
            placement_type=placement_type,
            start_on=start_on,
            end_on=end_on,
            conditions=(conditions or "").strip() or None,
            recorded_by=acting_user,
        )
        audit_record(
            action=AuditAction.CASE_PLACEMENT_RECORDED,
            actor=acting_user,
            obj=placement,
            detail={"case": case.pk, "kind": kind, "placement_type": placement_type},
        )
    return placement


def _placement_from_atd_step(case, data, acting_user) -> None:
    placement_record(
        acting_user=acting_user,
        case=case,
        kind=PlacementKind.ALTERNATIVE,
        placement_type=data["placement_type"],
        start_on=data["placement_start"],
        conditions=data.get("conditions", ""),
    )


# What a workflow step's ``effects`` name (see workflows.base.Transition).
STEP_EFFECTS = {"atd.record_placement": _placement_from_atd_step}


def visit_record(*, acting_user, case, visit_on, economic, social, psychosocial) -> MonitoringVisit:
    _require_change(acting_user, case)
    uploads.check_dates(visit_on=visit_on)
    errors = {}
    if case.case_type not in (CaseType.REINTEGRATION, CaseType.AVRR):
        errors["case"] = [_("Monitoring visits belong to reintegration and return cases.")]
    scores = {}
    for name, value in (("economic", economic), ("social", social), ("psychosocial", psychosocial)):
        try:
            scores[name] = Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            scores[name] = None
        if scores[name] is None or not 0 <= scores[name] <= 1:
            errors[name] = [_("Score between 0 and 1.")]
    if visit_on is None or visit_on > timezone.localdate():
        errors["visit_on"] = [_("Give the day of the visit (not in the future).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = MonitoringVisit.objects.create(
            case=case, visit_on=visit_on, recorded_by=acting_user, **scores
        )
        audit_record(
            action=AuditAction.CASE_VISIT_RECORDED,
            actor=acting_user,
            obj=visit,
            organisation_id=case.organisation_id,
            detail={"case": case.pk},
        )
    return visit


def checkin_record(*, acting_user, case, check_on, complied) -> ComplianceCheckIn:
    _require_change(acting_user, case)
    uploads.check_dates(check_on=check_on)
    if case.case_type != CaseType.ATD:
        raise ValidationError(
            {"case": [_("Compliance check-ins belong to alternatives-to-detention cases.")]}
        )
    if check_on is None or check_on > timezone.localdate():
        raise ValidationError({"check_on": [_("Give the day of the check-in (not in the future).")]})
    with transaction.atomic():
        checkin = ComplianceCheckIn.objects.create(
            case=case, check_on=check_on, complied=bool(complied), recorded_by=acting_user
        )
        audit_record(
            action=AuditAction.CASE_CHECKIN_RECORDED,
            actor=acting_user,
            obj=checkin,
            organisation_id=case.organisation_id,
            detail={"case": case.pk, "complied": bool(complied)},
        )
    return checkin


# transfer ------------------------------------------------------------------------------------


def agreement_create(
    *, acting_user, organisation, partner, title, allowed_fields, valid_from=None, valid_until=None
) -> TransferAgreement:
    policy.require_capability(acting_user, Capability.SUPERVISE_CASES, organisation.pk)
    errors = {}
    if partner is None or partner.pk == organisation.pk:
        errors["partner"] = [_("Choose another organisation.")]
    if not (title or "").strip():
        errors["title"] = [_("Give the agreement a title.")]
    unknown = sorted(set(allowed_fields or []) - set(TRANSFERABLE_FIELDS))
    if not allowed_fields or unknown:
        errors["allowed_fields"] = [
            _("Choose the fields to transfer among: %(fields)s.") % {"fields": ", ".join(TRANSFERABLE_FIELDS)}
        ]
    valid_from = valid_from or timezone.localdate()
    if valid_until and valid_until < valid_from:
        errors["valid_until"] = [_("An agreement cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement = TransferAgreement.objects.create(
            organisation=organisation,
            partner=partner,
            title=title.strip()[:200],
            allowed_fields=sorted(set(allowed_fields)),
            valid_from=valid_from,
            valid_until=valid_until,
            created_by=acting_user,
        )
        audit_record(
            action=AuditAction.TRANSFER_AGREEMENT_CREATED,
            actor=acting_user,
            obj=agreement,
            detail={"partner": partner.pk, "fields": agreement.allowed_fields},
        )
    return agreement


def case_transfer(*, acting_user, case, agreement, expected_version=None) -> Case:
    """Hand an open case to the agreement's partner: a copy in the partner organisation carrying
    exactly the allowed fields (re-encrypted with the partner's key); the source case ends as
    'transferred'. Needs the person's active data-sharing consent. Audited at both ends."""
    from .selectors import has_consent

    _require_change(acting_user, case, policy.SUPERVISE)
    reasons = []
    if agreement.organisation_id != case.organisation_id:
        reasons.append(_("The agreement is not one of this case's organisation."))
    elif not agreement.is_valid_on(timezone.localdate()):
        reasons.append(_("The agreement is not in force today."))
    if not case.is_open:
        reasons.append(_("Only an open case can be transferred."))
    if not has_consent(case.person, ConsentPurpose.DATA_SHARING):
        reasons.append(
            _("The person has not given (or has withdrawn) consent to share data with another organisation.")
        )
    if reasons:
        raise ValidationError({"agreement": reasons}, code="refused")
    allowed = set(agreement.allowed_fields)
    partner = agreement.partner
    with transaction.atomic():
        locked = _lock_case(case, expected_version)
        source_person = locked.person
        person = Person(organisation=partner)
        for name in PERSON_COPY_FIELDS:
            if name in allowed:
                setattr(person, name, getattr(source_person, name))
        if "photo" in allowed:
            person.photo_content_type = source_person.photo_content_type
        person.save()
        _index_person(person)
        if "vulnerabilities" in allowed:
            _set_vulnerabilities(
                person, list(source_person.vulnerabilities.values_list("category", flat=True))
            )
        for consent in source_person.consents.all():
            if consent.is_active:
                Consent.objects.create(
                    organisation=partner,
                    person=person,
                    purpose=consent.purpose,
                    obtained_on=consent.obtained_on,
                    language=consent.language,
                    information_given=consent.information_given,
                    valid_until=consent.valid_until,
                )
        target = Case.objects.create(
            organisation=partner,
            person=person,
            case_type=locked.case_type,
            state=locked.state,
            step_data=dict(locked.step_data) if "step_data" in allowed else {},
            opened_by=acting_user,
            owner=None,
            received_from_id=locked.organisation_id,
            source_reference=locked.reference,
            transfer_agreement=agreement,
        )
        list_columns.refresh_vulnerabilities([person.pk])
        if "needs" in allowed:
            Need.objects.bulk_create(
                [
                    Need(case=target, need_type=n.need_type, status=n.status, identified_on=n.identified_on)
                    for n in locked.needs.all()
                ]
            )
        if "services" in allowed:
            ServiceGiven.objects.bulk_create(
                [
                    ServiceGiven(
                        case=target,
                        service_type=s.service_type,
                        provided_on=s.provided_on,
                        provider=s.provider,
                        outcome=s.outcome,
                    )
                    for s in locked.services.all()
                ]
            )
        from_state = locked.state
        locked.state = TRANSFERRED
        locked.transferred_to = partner
        locked.transfer_agreement = agreement
        _close(locked, acting_user, None)
        locked.version += 1
        locked.save()
        CaseTransition.objects.create(
            case=locked, name="transfer", from_state=from_state, to_state=TRANSFERRED, by=acting_user
        )
        detail = {"agreement": agreement.pk, "fields": sorted(allowed)}
        audit_record(
            action=AuditAction.CASE_TRANSFERRED_OUT,
            actor=acting_user,
            obj=locked,
            detail={**detail, "to": partner.pk, "target_case": target.pk},
        )
        audit_record(
            action=AuditAction.CASE_TRANSFERRED_IN,
            actor=acting_user,
            obj=target,
            detail={**detail, "from": locked.organisation_id, "source_case": locked.pk},
        )
        send_on_commit(events.case_transferred, Case, source=locked, target=target, actor=acting_user)
    return target


# subject access, erasure, retention ----------------------------------------------------------


def _jsonable(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):  # monitoring scores: written exactly, as DjangoJSONEncoder does
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _row(obj, fields):
    return {name: _jsonable(getattr(obj, name)) for name in fields}


RISK_EXPORT_FIELDS = [
    "assessed_on",
    *(name for factor, _label in ReturnRiskAssessment.FACTORS for name in (factor, f"{factor}_notes")),
    "result",
    "signed_off_at",
    "decision",
    "decision_reasons",
    "decided_at",
]


def person_export(*, acting_user, person) -> dict:
    """Everything held about a person (subject access), decrypted, as JSON-ready data."""
    _require_change(acting_user, person, policy.EXPORT)
    person_fields = [
        "reference",
        *Person.IDENTITY_FIELDS,
        "photo_content_type",
        "sex",
        "gender",
        "age_group",
        "citizenship",
        "is_stateless",
        "languages",
        "disability_status",
        "majority_status",
        "legal_status",
        "registered_at",
    ]
    cases = []
    for case in person.cases.all():
        cases.append(
            {
                **_row(
                    case,
                    [
                        "reference",
                        "case_type",
                        "state",
                        "opened_on",
                        "closed_on",
                        "step_data",
                        "step_personal",
                    ],
                ),
                "transitions": [
                    _row(t, ["name", "from_state", "to_state", "at"]) for t in case.transitions.all()
                ],
                "needs": [_row(n, ["need_type", "status", "identified_on"]) for n in case.needs.all()],
                "services": [
                    _row(s, ["service_type", "provided_on", "outcome"]) for s in case.services.all()
                ],
                "notes": [_row(n, ["note_type", "created_at", "text"]) for n in case.notes.all()],
                "attachments": [
                    _row(a, ["filename", "content_type", "size", "uploaded_at"])
                    for a in case.attachments.all()
                ],
                "tasks": [_row(t, ["title", "due_on", "done_at"]) for t in case.tasks.all()],
                "placements": [
                    _row(p, ["kind", "placement_type", "start_on", "end_on", "conditions"])
                    for p in case.placements.all()
                ],
                "monitoring_visits": [
                    _row(v, ["visit_on", "economic", "social", "psychosocial"])
                    for v in case.monitoring_visits.all()
                ],
                "checkins": [_row(c, ["check_on", "complied"]) for c in case.checkins.all()],
                "risk_assessments": [_row(r, RISK_EXPORT_FIELDS) for r in case.risk_assessments.all()],
            }
        )
    data = {
        "exported_at": timezone.now().isoformat(),
        "organisation": person.organisation.name,
        "person": _row(person, person_fields),
        "vulnerabilities": sorted(person.vulnerabilities.values_list("category", flat=True)),
        "consents": [
            _row(
                c, ["purpose", "obtained_on", "language", "information_given", "valid_until", "withdrawn_at"]
            )
            for c in person.consents.all()
        ],
        "cases": cases,
    }
    audit_record(
        action=AuditAction.PERSONAL_DATA_EXPORTED,
        actor=acting_user,
        obj=person,
        purpose="subject access request",
        detail={"cases": len(cases)},
    )
    return data


def person_erase(*, acting_user, person, confirm_reference) -> None:
    """Erase a person and their cases on request, unless a case is under legal hold."""
    _require_change(acting_user, person, policy.ERASE)
    if confirm_reference != person.reference:
        raise ValidationError({"confirm_reference": [_("Type the person's reference to confirm.")]})
    held = person.cases.filter(legal_hold=True).count()
    if held:
        raise ValidationError(
            {
                "confirm_reference": [
                    _(
                        "%(n)d case(s) of this person are under legal hold: the law requires keeping them. "
                        "Lift the hold first if the law allows erasure."
                    )
                    % {"n": held}
                ]
            },
            code="legal_hold",
        )
    with transaction.atomic():
        case_ids = list(person.cases.values_list("pk", flat=True))
        audit_record(
            action=AuditAction.PERSON_ERASED, actor=acting_user, obj=person, detail={"cases": case_ids}
        )
        person.delete()


def _anonymise_person(person):
    for name in Person.IDENTITY_FIELDS:
        setattr(person, name, None)
    person.photo_content_type = ""
    person.anonymised_at = timezone.now()
    person.save()
    PersonIdentifier.objects.filter(person=person).delete()
    Consent.objects.filter(person=person).update(information_given=None)


def retention_run(*, today=None, dry_run=False) -> dict:
    """Anonymise or delete every case past its retention date (legal holds excepted); a person
    loses their identity once none of their cases is still kept in full."""
    today = today or timezone.localdate()
    report = {
        "anonymised": 0,
        "deleted": 0,
        "persons_anonymised": 0,
        "persons_deleted": 0,
        "dry_run": dry_run,
    }
    due = Case.objects.filter(retain_until__lt=today, legal_hold=False, anonymised_at__isnull=True)
    for case in due.select_related("person").iterator(chunk_size=200):
        action = retention_for(case.case_type).action
        report["deleted" if action == "delete" else "anonymised"] += 1
        if dry_run:
            continue
        with transaction.atomic():
            person = case.person
            if action == "delete":
                audit_record(
                    action=AuditAction.RETENTION_DELETED, obj=case, detail={"case_type": case.case_type}
                )
                case.delete()
            else:
                case.step_personal = None
                case.anonymised_at = timezone.now()
                case.save()
                case.notes.all().delete()
                case.attachments.all().delete()
                case.placements.update(conditions=None)
                case.risk_assessments.update(
                    decision_reasons=None,
                    **{f"{factor}_notes": None for factor, _label in ReturnRiskAssessment.FACTORS},
                )
                audit_record(
                    action=AuditAction.RETENTION_ANONYMISED, obj=case, detail={"case_type": case.case_type}
                )
            kept = person.cases.filter(anonymised_at__isnull=True)
            if not person.cases.exists():
                person.delete()
                report["persons_deleted"] += 1
            elif not kept.exists() and person.anonymised_at is None:
                _anonymise_person(person)
                report["persons_anonymised"] += 1
    if not dry_run:
        audit_record(action=AuditAction.RETENTION_RUN, detail={**report, "today": today.isoformat()})
    return report
