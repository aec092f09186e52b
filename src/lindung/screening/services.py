"""Every write of the screening app: policy check, one transaction, its audit entry.

Audit details carry ids, codes and counts only, never answers.
"""

import hashlib
import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability

from . import instrument as ins
from . import rules
from .models import DigestNonce, Instrument, InstrumentVersion, Interview, OpenRosaCredential, Profile

OPENROSA_REALM = "Lindung OpenRosa"


def _errors(exc: ins.DefinitionError) -> ValidationError:
    return ValidationError([ValidationError(message, code=exc.code) for message in exc.errors])


# instruments ---------------------------------------------------------------------------------


def instrument_import(*, acting_user, organisation, data: bytes) -> InstrumentVersion:
    """Import an XLSForm as a draft version: a new instrument for a new form_id, else a new version
    of an instrument the organisation owns."""
    policy.require_capability(acting_user, Capability.MANAGE_SCREENING, organisation.pk)
    try:
        definition = ins.from_xlsx(data)
    except ins.DefinitionError as exc:
        raise _errors(exc) from exc
    with transaction.atomic():
        instrument = Instrument.objects.select_for_update().filter(form_id=definition["form_id"]).first()
        if instrument is None:
            instrument = Instrument.objects.create(
                organisation=organisation,
                form_id=definition["form_id"],
                title=ins.text(definition["title"], "en"),
            )
        elif instrument.organisation_id != organisation.pk:
            raise ValidationError(
                _(
                    "form_id %(id)s belongs to another instrument you may not change: "
                    "give the form another form_id."
                )
                % {"id": definition["form_id"]}
            )
        if instrument.versions.filter(version=definition["version"]).exists():
            raise ValidationError(
                _("version %(v)s of %(id)s exists already: raise the version in the settings sheet.")
                % {"v": definition["version"], "id": definition["form_id"]}
            )
        version = InstrumentVersion.objects.create(
            instrument=instrument,
            version=definition["version"],
            definition=definition,
            created_by=acting_user,
        )
        audit_record(
            action=AuditAction.SCREENING_INSTRUMENT_IMPORTED,
            actor=acting_user,
            obj=version,
            organisation_id=organisation.pk,
            detail={"form_id": definition["form_id"], "version": definition["version"]},
        )
    return version


def instrument_export(*, acting_user, version: InstrumentVersion) -> bytes:
    data = ins.to_xlsx(version.definition)
    audit_record(
        action=AuditAction.SCREENING_INSTRUMENT_EXPORTED,
        actor=acting_user,
        obj=version,
        organisation_id=version.instrument.organisation_id,
        detail={"version": version.version},
    )
    return data


def instrument_copy(
    *, acting_user, version: InstrumentVersion, organisation, form_id: str
) -> InstrumentVersion:
    """Adapt an instrument (e.g. the shipped one): a new instrument of the organisation, as a draft."""
    policy.require_capability(acting_user, Capability.MANAGE_SCREENING, organisation.pk)
    if not ins.NAME_RE.match(form_id):
        raise ValidationError({"form_id": _("Use letters, digits and underscores, starting with a letter.")})
    definition = {**version.definition, "form_id": form_id, "version": "1"}
    with transaction.atomic():
        if Instrument.objects.filter(form_id=form_id).exists():
            raise ValidationError({"form_id": _("This form id is in use already.")})
        instrument = Instrument.objects.create(
            organisation=organisation, form_id=form_id, title=ins.text(definition["title"], "en")
        )
        copy = InstrumentVersion.objects.create(
            instrument=instrument, version="1", definition=definition, created_by=acting_user
        )
        audit_record(
            action=AuditAction.SCREENING_INSTRUMENT_EDITED,
            actor=acting_user,
            obj=copy,
            organisation_id=organisation.pk,
            detail={"copied_from": version.pk},
        )
    return copy


def version_new_draft(*, acting_user, version: InstrumentVersion, new_version: str) -> InstrumentVersion:
    policy.require(acting_user, policy.CHANGE, version)
    if not re.match(r"^[\w.-]{1,32}$", new_version):
        raise ValidationError({"version": _("1 to 32 letters, digits, dots or dashes.")})
    with transaction.atomic():
        if version.instrument.versions.filter(version=new_version).exists():
            raise ValidationError({"version": _("This version exists already.")})
        draft = InstrumentVersion.objects.create(
            instrument=version.instrument,
            version=new_version,
            definition={**version.definition, "version": new_version},
            created_by=acting_user,
        )
        audit_record(
            action=AuditAction.SCREENING_INSTRUMENT_EDITED,
            actor=acting_user,
            obj=draft,
            detail={"draft_from": version.pk},
            organisation_id=version.instrument.organisation_id,
        )
    return draft


def version_update_question(
    *,
    acting_user,
    version: InstrumentVersion,
    question_name: str,
    labels: dict,
    hints: dict,
    required: bool,
    relevant: str,
    factors: dict,
) -> InstrumentVersion:
    """Change one question of a draft. ``factors`` maps answer -> [{"direction", "factor"}]."""
    policy.require(acting_user, policy.CHANGE, version)
    with transaction.atomic():
        version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != InstrumentVersion.Status.DRAFT:
            raise ValidationError(_("Only a draft can be edited: make a new draft version first."))
        definition = version.definition
        question = ins.question_index(definition).get(question_name)
        if question is None:
            raise ValidationError(_("There is no question %(q)s in this version.") % {"q": question_name})
        question.update(
            {
                "label": {k: v for k, v in labels.items() if v},
                "hint": {k: v for k, v in hints.items() if v},
                "required": required,
                "relevant": relevant.strip(),
                "factors": factors,
            }
        )
        try:
            ins.validate(definition)
        except ins.DefinitionError as exc:
            raise _errors(exc) from exc
        version.definition = definition
        version.save(update_fields=["definition"])
        audit_record(
            action=AuditAction.SCREENING_INSTRUMENT_EDITED,
            actor=acting_user,
            obj=version,
            organisation_id=version.instrument.organisation_id,
            detail={"question": question_name},
        )
    return version


def version_publish(*, acting_user, version: InstrumentVersion) -> InstrumentVersion:
    """Publish a draft; the version published before it is retired (phones must update)."""
    policy.require(acting_user, policy.CHANGE, version)
    with transaction.atomic():
        version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != InstrumentVersion.Status.DRAFT:
            raise ValidationError(_("Only a draft can be published."))
        try:
            ins.validate(version.definition)
            ins.to_xform(version.definition)
        except ins.DefinitionError as exc:
            raise _errors(exc) from exc
        except Exception as exc:  # noqa: BLE001 - pyxform raises its own error types for invalid forms
            raise ValidationError(_("pyxform cannot convert this form: %(error)s") % {"error": exc}) from exc
        version.instrument.versions.filter(status=InstrumentVersion.Status.PUBLISHED).update(
            status=InstrumentVersion.Status.RETIRED
        )
        version.status = InstrumentVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
        audit_record(
            action=AuditAction.SCREENING_INSTRUMENT_PUBLISHED,
            actor=acting_user,
            obj=version,
            organisation_id=version.instrument.organisation_id,
            detail={"version": version.version},
        )
    return version


def load_shipped_instrument(instrument_model=Instrument, version_model=InstrumentVersion, *, audit=True):
    """Create the identification interview guide from instruments/identification.xlsx if this
    version is not there yet (idempotent). The data migration passes its historical models."""
    definition = ins.from_xlsx(ins.shipped_xlsx_path().read_bytes())
    with transaction.atomic():
        instrument, _created = instrument_model.objects.get_or_create(
            form_id=definition["form_id"], defaults={"title": ins.text(definition["title"], "en")}
        )
        version, created = version_model.objects.get_or_create(
            instrument=instrument,
            version=definition["version"],
            defaults={"definition": definition, "status": "published", "published_at": timezone.now()},
        )
        if created:
            instrument.versions.exclude(pk=version.pk).filter(status="published").update(status="retired")
            if audit:
                audit_record(
                    action=AuditAction.SCREENING_INSTRUMENT_PUBLISHED,
                    obj=version,
                    detail={"version": version.version, "shipped": True},
                )
    return version


# interviews ----------------------------------------------------------------------------------


def _organisation_for(acting_user, organisation=None):
    if organisation is not None:
        policy.require_capability(acting_user, Capability.MANAGE_SCREENING, organisation.pk)
        return organisation
    orgs = sorted(policy.organisations_with(acting_user, Capability.MANAGE_SCREENING))
    if not orgs:
        policy.require_capability(acting_user, Capability.MANAGE_SCREENING)
    from lindung.core.models import Organisation

    return Organisation.objects.get(pk=orgs[0])


def _check_person(acting_user, organisation, person):
    if person is None:
        return
    if person.organisation_id != organisation.pk or not policy.can(acting_user, policy.VIEW, person):
        raise ValidationError({"person": _("Choose a person registered by your organisation.")})


def prefilled_answers(definition: dict, prefill: dict | None) -> dict:
    """The answers of ``prefill`` that name a question of the instrument and are allowed for it;
    the others are dropped (a pre-fill is a help, the interviewer checks every answer)."""
    index = ins.question_index(definition)
    answers = {}
    for name, value in (prefill or {}).items():
        if name not in index:
            continue
        try:
            cleaned = ins.check_answer(definition, index[name], value)
        except ValueError:
            continue
        if cleaned is not None:
            answers[name] = cleaned
    return answers


def interview_start(
    *,
    acting_user,
    version: InstrumentVersion,
    organisation=None,
    person=None,
    language: str = "en",
    prefill: dict | None = None,
) -> Interview:
    organisation = _organisation_for(acting_user, organisation)
    if version.status != InstrumentVersion.Status.PUBLISHED:
        raise ValidationError(_("Only a published instrument version can be used for interviews."))
    _check_person(acting_user, organisation, person)
    with transaction.atomic():
        interview = Interview.objects.create(
            organisation=organisation,
            version=version,
            person=person,
            language=language[:8],
            answers=prefilled_answers(version.definition, prefill),
            started_by=acting_user,
            current_section=version.definition["sections"][0]["name"],
        )
        audit_record(
            action=AuditAction.SCREENING_INTERVIEW_STARTED,
            actor=acting_user,
            obj=interview,
            detail={"version": version.pk, "linked": person is not None},
        )
    return interview


def section_names(interview: Interview) -> list[str]:
    return [s["name"] for s in interview.version.definition["sections"]]


def next_section(interview: Interview, after: str) -> str | None:
    """The next section after ``after`` whose skip logic lets it apply."""
    definition = interview.version.definition
    names = section_names(interview)
    answers = interview.answers or {}
    relevant = ins.relevant_questions(definition, answers)
    for section in definition["sections"][names.index(after) + 1 :]:
        if any(q["name"] in relevant for q in section["questions"]):
            return section["name"]
    return None


def interview_save_section(*, acting_user, interview: Interview, section: str, raw: dict) -> Interview:
    """Save the answers of one section (a pause keeps them); required answers are checked when the
    caseworker moves on. Raises ValidationError naming each question at fault."""
    policy.require(acting_user, policy.CHANGE, interview)
    definition = interview.version.definition
    if section not in section_names(interview):
        raise ValidationError(_("Unknown section %(s)s.") % {"s": section})
    if interview.status != Interview.Status.IN_PROGRESS:
        raise ValidationError(_("This interview is completed; its answers can no longer change."))
    section_questions = {q["name"] for s, q in ins.questions(definition) if s["name"] == section}
    with transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=interview.pk)
        merged = {k: v for k, v in (interview.answers or {}).items() if k not in section_questions}
        merged.update({k: v for k, v in raw.items() if k in section_questions})
        try:
            answers = ins.clean_answers(definition, merged)
        except ins.DefinitionError as exc:
            raise _errors(exc) from exc
        interview.answers = answers
        interview.current_section = section
        interview.country = str(answers.get("interview_country", ""))[:3]
        interview.place = str(answers.get("interview_place", ""))[:100]
        interview.save()
        audit_record(
            action=AuditAction.SCREENING_INTERVIEW_SAVED,
            actor=acting_user,
            obj=interview,
            detail={"section": section, "answered": len(answers)},
        )
    return interview


def _compute(interview: Interview) -> Profile:
    definition = interview.version.definition
    result = rules.compute_profile(definition, interview.answers or {})
    values = {
        "organisation_id": interview.organisation_id,
        "categories": [c["code"] for c in result["categories"]],
        "risk_factors": sorted({f["factor"] for f in result["factors"] if f["direction"] == "risk"}),
        "protective_factors": sorted(
            {f["factor"] for f in result["factors"] if f["direction"] == "protective"}
        ),
        "urgency": result["urgency"],
        "suggested_services": [s["service"] for s in result["services"]],
        "explanation": result,
        "rules_version": result["rules_version"],
        "computed_at": timezone.now(),
    }
    profile, _created = Profile.objects.update_or_create(interview=interview, defaults=values)
    return profile


def interview_complete(*, acting_user, interview: Interview) -> Profile:
    policy.require(acting_user, policy.CHANGE, interview)
    with transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=interview.pk)
        if interview.status == Interview.Status.COMPLETED:
            return interview.profile
        missing = ins.missing_required(interview.version.definition, interview.answers or {})
        if missing:
            raise ValidationError(
                _("Answer the required questions first: %(names)s") % {"names": ", ".join(missing)}
            )
        interview.status = Interview.Status.COMPLETED
        interview.completed_at = timezone.now()
        interview.save(update_fields=["status", "completed_at", "updated_at"])
        profile = _compute(interview)
        audit_record(
            action=AuditAction.SCREENING_INTERVIEW_COMPLETED,
            actor=acting_user,
            obj=interview,
            detail={"categories": profile.categories, "urgency": profile.urgency},
        )
    return profile


def interview_link_person(*, acting_user, interview: Interview, person) -> Interview:
    policy.require(acting_user, policy.CHANGE, interview)
    _check_person(acting_user, interview.organisation, person)
    with transaction.atomic():
        Interview.objects.filter(pk=interview.pk).update(person=person)
        interview.person = person
        audit_record(
            action=AuditAction.SCREENING_INTERVIEW_LINKED,
            actor=acting_user,
            obj=interview,
            detail={"person_id": person.pk},
        )
    return interview


def profile_write_to_person(*, acting_user, profile) -> list[str]:
    """Add the profile's vulnerability categories to the linked person's record, through the cases
    service (which asks for the person's consent to assistance and writes the audit entry)."""
    from lindung.cases import services as cases_services

    policy.require(acting_user, policy.VIEW, profile)
    person = profile.interview.person
    if person is None:
        raise ValidationError(_("Link the screening to a person first."), code="no_person")
    return cases_services.person_add_vulnerabilities(
        acting_user=acting_user, person=person, categories=profile.categories, source="screening"
    )


class SubmissionError(Exception):
    """An OpenRosa submission Lindung refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def interview_receive(
    *, acting_user, form_id: str, version: str, answers: dict, instance_id: str, channel: str = "openrosa"
) -> tuple[Interview, bool]:
    """Store a completed interview sent from a phone or the API and compute its profile.

    Returns (interview, created); the same instance id is stored once and answered as a duplicate
    afterwards. Unknown or retired form versions and answers outside the lists are refused whole."""
    organisation = _organisation_for(acting_user)
    instrument = Instrument.objects.filter(form_id=form_id).first()
    refusal = None
    target = None
    if instrument is None:
        refusal = SubmissionError(
            _("Unknown form %(id)s: download the current forms again.") % {"id": form_id}, 404
        )
    else:
        target = instrument.versions.filter(version=version).first()
        if target is None or target.status != InstrumentVersion.Status.PUBLISHED:
            current = instrument.published_version()
            refusal = SubmissionError(
                _(
                    "Form %(id)s version %(v)s is not in use (current version: %(current)s). "
                    "Update the form on the phone and fill it again."
                )
                % {"id": form_id, "v": version, "current": current.version if current else "-"}
            )
    if refusal is None:
        existing = Interview.objects.filter(instance_id=instance_id).first()
        if existing is not None:
            if existing.organisation_id not in policy.organisations_with(
                acting_user, Capability.MANAGE_SCREENING
            ):
                refusal = SubmissionError(_("This instance id was sent by another organisation."), 409)
            else:
                return existing, False
    if refusal is None:
        try:
            cleaned = ins.clean_answers(target.definition, answers)
        except ins.DefinitionError as exc:
            refusal = SubmissionError("; ".join(exc.errors))
    if refusal is not None:
        audit_record(
            action=AuditAction.SCREENING_SUBMISSION_REFUSED,
            actor=acting_user,
            organisation_id=organisation.pk,
            detail={"form_id": form_id[:64], "version": version[:32], "status": refusal.status},
        )
        raise refusal
    try:
        with transaction.atomic():
            interview = Interview.objects.create(
                organisation=organisation,
                version=target,
                status=Interview.Status.COMPLETED,
                channel=channel,
                answers=cleaned,
                instance_id=instance_id,
                started_by=acting_user,
                completed_at=timezone.now(),
                current_section=target.definition["sections"][-1]["name"],
                country=str(cleaned.get("interview_country", ""))[:3],
                place=str(cleaned.get("interview_place", ""))[:100],
            )
            profile = _compute(interview)
            audit_record(
                action=AuditAction.SCREENING_SUBMISSION_RECEIVED,
                actor=acting_user,
                obj=interview,
                detail={"channel": channel, "categories": profile.categories, "urgency": profile.urgency},
            )
    except IntegrityError:
        # Two copies of the same submission raced; the other one was stored.
        return Interview.objects.get(instance_id=instance_id), False
    return interview, True


# OpenRosa credentials ------------------------------------------------------------------------


def digest_ha1(username: str, secret: str) -> str:
    # HTTP Digest (RFC 2617) as ODK Collect speaks it is defined on MD5; nothing else is accepted.
    return hashlib.md5(f"{username}:{OPENROSA_REALM}:{secret}".encode(), usedforsecurity=False).hexdigest()


def openrosa_secret_set(*, acting_user, secret: str) -> OpenRosaCredential:
    if not policy.has_capability(acting_user, Capability.MANAGE_SCREENING):
        raise PermissionDenied
    try:
        # A phone secret is a password: the same validators as sign-in passwords.
        validate_password(secret, user=acting_user)
    except ValidationError as exc:
        raise ValidationError({"secret": exc.error_list}) from exc
    with transaction.atomic():
        credential, _created = OpenRosaCredential.objects.update_or_create(
            user=acting_user,
            defaults={"ha1": digest_ha1(acting_user.get_username(), secret), "updated_at": timezone.now()},
        )
        audit_record(action=AuditAction.SCREENING_OPENROSA_CREDENTIAL_SET, actor=acting_user)
    return credential


def openrosa_nonce_count(*, nonce: str, issued: int, count: int, valid_since: int) -> bool:
    """Records ``count`` as used with ``nonce`` (a nonce the server signed, issued at ``issued``)
    and says whether it is new: greater than every count accepted before with that nonce. Nonces
    issued before ``valid_since`` have expired and are forgotten."""
    with transaction.atomic():
        if DigestNonce.objects.filter(nonce=nonce, count__lt=count).update(count=count):
            return True
        if DigestNonce.objects.filter(nonce=nonce).exists():
            return False
        DigestNonce.objects.filter(issued__lt=valid_since).delete()
        try:
            with transaction.atomic():
                DigestNonce.objects.create(nonce=nonce, issued=issued, count=count)
        except IntegrityError:  # a concurrent first use of the same nonce won
            return False
    return True
