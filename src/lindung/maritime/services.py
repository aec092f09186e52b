"""Every write of the maritime app: validated, policy-checked, in one transaction with its audit entry.

The operator at the command line (imports) acts as ``lindung.core.actors.SYSTEM``; every other
caller passes the signed-in user; the policy decides for both (``None`` is refused).
"""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import policy, uploads
from lindung.core.actors import user_of
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.events import send_on_commit
from lindung.core.markings import TLP, Distribution
from lindung.core.roles import Capability
from lindung.standard import registry

from . import events, importers
from .models import (
    FACILITATOR_REFERENCE_RE,
    Attachment,
    FacilitatorReference,
    Incident,
    PersonsOnBoard,
    Vessel,
)

# Fields a caller may set on an incident (markings included; ownership and origin are not).
INCIDENT_FIELDS = (
    "incident_type",
    "occurred_at",
    "latitude",
    "longitude",
    "position_precision_m",
    "area",
    "location_description",
    "setting",
    "vessel",
    "persons_on_board",
    "dead",
    "missing",
    "survivors",
    "outcome",
    "cause_of_death",
    "route",
    "departure_point",
    "departure_country",
    "departure_latitude",
    "departure_longitude",
    "intended_destination",
    "destination_country",
    "disembarkation_port",
    "disembarkation_country",
    "disembarkation_latitude",
    "disembarkation_longitude",
    "source",
    "source_url",
    "source_reliability",
    "information_credibility",
    "source_id",
    "narrative",
    "tlp",
    "distribution",
    "sharing_group",
)
# Fields only an import sets: the source's event grouping and what the import noted on the row.
IMPORT_FIELDS = ("source_event_id", "source_notes")
VESSEL_FIELDS = (
    "vessel_type",
    "name",
    "flag",
    "length_m",
    "engine",
    "engine_power_hp",
    "registration",
    "mmsi",
)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "text/plain", "text/csv")


def _require_manage(acting_user, organisation_id):
    policy.require_capability(acting_user, Capability.MANAGE_INCIDENTS, organisation_id)


def _unknown_fields(given, allowed):
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ValidationError(_("Unknown field(s): %(names)s.") % {"names": ", ".join(unknown)})


# persons on board and facilitators -----------------------------------------------------------


def _clean_persons(persons) -> list[dict]:
    """Validate the breakdown of persons on board; one row per (sex, age group, nationality)."""
    cleaned, seen, errors = [], set(), []
    for number, row in enumerate(persons, start=1):
        sex = row.get("sex") or "U"
        age_group = row.get("age_group") or "unknown"
        nationality = row.get("nationality") or ""
        count = row.get("count")
        if not registry.is_valid("sex", sex):
            errors.append(_("Persons row %(n)s: unknown sex code %(code)r.") % {"n": number, "code": sex})
        if not registry.is_valid("age_group", age_group):
            errors.append(
                _("Persons row %(n)s: unknown age group %(code)r.") % {"n": number, "code": age_group}
            )
        if nationality and not registry.is_valid("country", nationality):
            errors.append(
                _("Persons row %(n)s: unknown nationality %(code)r (ISO 3166-1 alpha-3).")
                % {"n": number, "code": nationality}
            )
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            errors.append(
                _("Persons row %(n)s: the number of persons must be a whole number of at least 1.")
                % {"n": number}
            )
        key = (sex, age_group, nationality)
        if key in seen:
            errors.append(
                _("Persons row %(n)s repeats the same sex, age group and nationality.") % {"n": number}
            )
        seen.add(key)
        cleaned.append({"sex": sex, "age_group": age_group, "nationality": nationality, "count": count})
    if errors:
        raise ValidationError({"persons": errors})
    return cleaned


def _check_persons_total(incident, persons):
    if incident.persons_on_board is None:
        return
    total = sum(p["count"] for p in persons)
    if total > incident.persons_on_board:
        raise ValidationError(
            {
                "persons": [
                    _("The breakdown counts %(total)s persons, more than the %(pob)s on board.")
                    % {"total": total, "pob": incident.persons_on_board}
                ]
            }
        )


def _clean_facilitators(facilitators) -> list[tuple[str, str]]:
    cleaned, errors = [], []
    for item in facilitators:
        reference, network = (item, "") if isinstance(item, str) else (item[0], item[1] or "")
        reference = reference.strip()
        if not FACILITATOR_REFERENCE_RE.match(reference):
            errors.append(
                _(
                    "%(ref)r is not a facilitator reference: use an opaque code "
                    "(letters, digits, . _ : / -), never a description of a person."
                )
                % {"ref": reference[:40]}
            )
        cleaned.append((reference, network.strip()[:120]))
    if errors:
        raise ValidationError({"facilitators": errors})
    return cleaned


def _set_children(incident, persons, facilitators):
    if persons is not None:
        incident.persons.all().delete()
        PersonsOnBoard.objects.bulk_create(PersonsOnBoard(incident=incident, **p) for p in persons)
    if facilitators is not None:
        refs = []
        for reference, network in facilitators:
            ref, created = FacilitatorReference.objects.get_or_create(
                organisation_id=incident.organisation_id,
                reference=reference,
                defaults={"network_name": network},
            )
            if not created and network and ref.network_name != network:
                ref.network_name = network
                ref.modified_at = timezone.now()
                ref.version += 1
                ref.save(update_fields=["network_name", "modified_at", "version"])
            refs.append(ref)
        incident.facilitators.set(refs)


def _validate_incident(incident):
    dates = uploads.model_date_errors(incident)
    if dates:
        raise ValidationError(dates)
    incident.full_clean(exclude=["organisation", "created_by"])
    if incident.vessel is not None and incident.vessel.organisation_id != incident.organisation_id:
        raise ValidationError({"vessel": [_("The vessel belongs to another organisation.")]})
    if (
        incident.sharing_group is not None
        and not incident.sharing_group.organisations.filter(pk=incident.organisation_id).exists()
    ):
        raise ValidationError(
            {"sharing_group": [_("Your organisation is not a member of this sharing group.")]}
        )


# incidents -----------------------------------------------------------------------------------


def incident_refused(*, acting_user, organisation_id=None, fields=(), incident=None) -> None:
    """Record that input for an incident was refused (field names only, never the values)."""
    audit_record(
        action=AuditAction.INCIDENT_REFUSED,
        actor=acting_user,
        obj=incident,
        organisation_id=organisation_id,
        object_type="maritime.incident",
        detail={"fields": sorted(set(fields))},
    )


def _refused_fields(exc: ValidationError) -> list[str]:
    return list(exc.message_dict) if hasattr(exc, "error_dict") else ["__all__"]


def incident_create(
    *, acting_user, organisation, persons=(), facilitators=(), new_vessel=None, **fields
) -> Incident:
    """Record an incident owned by ``organisation``; ``new_vessel`` (vessel fields) records its
    vessel in the same transaction."""
    _require_manage(acting_user, organisation.pk)
    try:
        return _incident_create(acting_user, organisation, persons, facilitators, new_vessel, fields)
    except ValidationError as exc:
        incident_refused(
            acting_user=acting_user, organisation_id=organisation.pk, fields=_refused_fields(exc)
        )
        raise


def _incident_create(acting_user, organisation, persons, facilitators, new_vessel, fields) -> Incident:
    _unknown_fields(fields, INCIDENT_FIELDS)
    persons = _clean_persons(persons)
    facilitators = _clean_facilitators(facilitators)
    with transaction.atomic():
        if new_vessel:
            fields["vessel"] = vessel_create(acting_user=acting_user, organisation=organisation, **new_vessel)
        incident = Incident(organisation=organisation, created_by=user_of(acting_user), **fields)
        _validate_incident(incident)
        _check_persons_total(incident, persons)
        incident.save()
        _set_children(incident, persons, facilitators)
        audit_record(
            action=AuditAction.INCIDENT_CREATED,
            actor=acting_user,
            obj=incident,
            detail={"tlp": incident.tlp, "distribution": incident.distribution, "persons_rows": len(persons)},
        )
        send_on_commit(events.incidents_arrived, Incident, incident_ids=[incident.pk], how="recorded")
    return incident


def incident_update(
    *, acting_user, incident, persons=None, facilitators=None, new_vessel=None, **fields
) -> Incident:
    """Change a local incident; its version goes up by one. Received incidents change at their origin."""
    policy.require(acting_user, policy.CHANGE, incident)
    try:
        return _incident_update(acting_user, incident, persons, facilitators, new_vessel, fields)
    except ValidationError as exc:
        incident_refused(
            acting_user=acting_user, organisation_id=incident.organisation_id, fields=_refused_fields(exc),
            incident=incident,
        )  # fmt: skip
        raise


def _incident_update(acting_user, incident, persons, facilitators, new_vessel, fields) -> Incident:
    if not incident.is_local:
        raise ValidationError(_("This incident was received from another node; it can only change there."))
    _unknown_fields(fields, INCIDENT_FIELDS)
    persons = _clean_persons(persons) if persons is not None else None
    facilitators = _clean_facilitators(facilitators) if facilitators is not None else None
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if new_vessel:
            fields["vessel"] = vessel_create(
                acting_user=acting_user, organisation=incident.organisation, **new_vessel
            )
        changed = sorted(name for name, value in fields.items() if getattr(incident, name) != value)
        for name, value in fields.items():
            setattr(incident, name, value)
        _validate_incident(incident)
        _check_persons_total(
            incident, persons if persons is not None else list(incident.persons.values("count"))
        )
        if changed or persons is not None or facilitators is not None:
            incident.version += 1
            incident.modified_at = timezone.now()
        incident.save()
        _set_children(incident, persons, facilitators)
        audit_record(
            action=AuditAction.INCIDENT_UPDATED,
            actor=acting_user,
            obj=incident,
            detail={"fields": changed, "version": incident.version},
        )
    return incident


# vessels -------------------------------------------------------------------------------------


def vessel_create(*, acting_user, organisation, **fields) -> Vessel:
    _require_manage(acting_user, organisation.pk)
    _unknown_fields(fields, VESSEL_FIELDS)
    with transaction.atomic():
        vessel = Vessel(organisation=organisation, **fields)
        vessel.full_clean(exclude=["organisation"])
        vessel.save()
        audit_record(action=AuditAction.VESSEL_CREATED, actor=acting_user, obj=vessel)
    return vessel


# attachments ---------------------------------------------------------------------------------


def attachment_add(*, acting_user, incident, uploaded_file, title, tlp=TLP.AMBER) -> Attachment:
    policy.require(acting_user, policy.CHANGE, incident)
    errors = {}
    if uploaded_file.size > ATTACHMENT_MAX_BYTES:
        errors["file"] = _("The file is larger than %(mb)s MB.") % {
            "mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)
        }
    content = b"" if errors else b"".join(uploaded_file.chunks())
    try:
        # The type the content shows, never the one the client declares.
        content_type = uploads.sniff(uploaded_file.name, content, ATTACHMENT_TYPES)
    except ValidationError as exc:
        errors.setdefault("file", exc)
    if tlp not in TLP.values:
        errors["tlp"] = _("Unknown TLP marking.")
    if not title.strip():
        errors["title"] = _("Give the attachment a title.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        attachment = Attachment(
            incident=incident,
            organisation_id=incident.organisation_id,
            title=title.strip(),
            content=content,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            tlp=tlp,
            uploaded_by=acting_user,
        )
        attachment.save()
        audit_record(
            action=AuditAction.INCIDENT_ATTACHMENT_ADDED,
            actor=acting_user,
            obj=incident,
            detail={"attachment": attachment.pk, "tlp": tlp, "size": attachment.size},
        )
    return attachment


# public data imports -------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What an import did with every row: ``rows == imported + skipped`` always holds, where
    skipped counts the rows already present and unchanged and the rows refused."""

    format: str
    partial: bool = False
    readable: bool = True  # False: the file itself was refused (encoding, columns), whatever partial says
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    errors: list = field(default_factory=list)  # {"row", "column", "code", "message"}
    fixes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    unmatched: dict = field(default_factory=dict)  # {"route": {label: rows}, "cause": {...}}

    @property
    def imported(self) -> int:
        return self.created + self.updated

    @property
    def skipped(self) -> int:
        return self.unchanged + self.refused

    @property
    def refused_whole(self) -> bool:
        """Nothing was stored because of errors (the file is all or nothing without ``partial``)."""
        return bool(self.errors) and not (self.partial and self.readable)

    def as_dict(self) -> dict:
        """The ``--json`` summary (the API and the import page show the same)."""
        return {
            "format": self.format,
            "partial": self.partial,
            "rows": self.rows,
            "imported": self.imported,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "unchanged": self.unchanged,
            "refused": self.refused,
            "errors": len(self.errors),
            "error_list": self.errors,
            "fixes": self.fixes,
            "warnings": self.warnings,
            "unmatched": {
                kind: dict(sorted(labels.items(), key=lambda item: (-item[1], item[0])))
                for kind, labels in self.unmatched.items()
            },
            "ok": not self.errors,
            "refused_whole": self.refused_whole,
        }


IMPORT_FORMATS = {"mmp": importers.parse_mmp}
# Uploads through the page and the API (the command reads any size): the largest MMP export, all
# years, is about 10 MB.
IMPORT_MAX_BYTES = 50 * 1024 * 1024


def incidents_import_file(
    *, acting_user, organisation, data: bytes, fmt: str, partial=False, progress=None
) -> ImportSummary:
    """Read a public data file (``fmt``: a key of IMPORT_FORMATS) and store its incidents; the
    summary says what happened to every row. ``partial`` stores the valid rows of a file with errors.
    ``progress(phase, done, total)`` hears how far the storing has gone (a background import's bar)."""
    _require_manage(acting_user, organisation.pk)
    summary = ImportSummary(format=fmt, partial=partial)
    try:
        parsed = IMPORT_FORMATS[fmt](data)
    except importers.FileRefused as exc:
        summary.readable = False
        summary.errors = [{"row": 1, "column": "", "code": exc.code, "message": str(exc)}]
        return _refuse(acting_user, organisation, summary)
    summary.rows, summary.errors = parsed.rows, parsed.errors
    summary.fixes, summary.warnings, summary.unmatched = parsed.fixes, parsed.warnings, parsed.unmatched
    return incidents_import_public(
        acting_user=acting_user,
        organisation=organisation,
        records=parsed.records,
        summary=summary,
        progress=progress,
    )


def incidents_import_public(
    *, acting_user, organisation, records, summary: ImportSummary, progress=None
) -> ImportSummary:
    """Store parsed public incidents (TLP:CLEAR, widest distribution).

    ``records`` are dicts of incident fields with ``source_id`` set, the rows ``summary.errors``
    names already left out; an incident already imported with the same source id is updated when
    its data changed and left alone otherwise. Without ``summary.partial`` any error (from the file
    or from a record the model refuses) stores nothing; with it, the valid rows are stored and
    the others reported.
    """
    _require_manage(acting_user, organisation.pk)
    if summary.refused_whole:
        return _refuse(acting_user, organisation, summary)
    with transaction.atomic():
        existing = {
            i.source_id: i
            for i in Incident.objects.filter(
                organisation=organisation, source_id__in=[r["source_id"] for r in records]
            )
        }
        created_ids = []
        report = progress or (lambda phase, done, total: None)
        report("import", 0, len(records))
        for number, record in enumerate(records, start=1):
            row = record.get("_row", number)
            fields = {k: v for k, v in record.items() if k != "_row"}
            fields.update(tlp=TLP.CLEAR, distribution=Distribution.CONNECTED)
            _unknown_fields(fields, (*INCIDENT_FIELDS, *IMPORT_FIELDS))
            try:
                with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
                    created = _import_one(acting_user, organisation, existing, fields, summary)
                if created is not None:
                    created_ids.append(created)
            except ValidationError as exc:
                summary.errors += [
                    {"row": row, "column": name, "code": "incident_invalid", "message": message}
                    for name, message in _messages(exc)
                ]
            report("import", number, len(records))
        summary.refused = len({error["row"] for error in summary.errors})
        if summary.refused_whole:
            transaction.set_rollback(True)
        else:
            audit_record(
                action=AuditAction.INCIDENTS_IMPORTED,
                actor=acting_user,
                organisation_id=organisation.pk,
                object_type="maritime.incident",
                detail={
                    "format": summary.format,
                    "partial": summary.partial,
                    "rows": summary.rows,
                    "created": summary.created,
                    "updated": summary.updated,
                    "unchanged": summary.unchanged,
                    "refused": summary.refused,
                    "fixes": len(summary.fixes),
                    "warnings": len(summary.warnings),
                },
            )
            send_on_commit(events.incidents_arrived, Incident, incident_ids=created_ids, how="imported")
            _imported(acting_user, organisation, summary)
    if summary.refused_whole:
        return _refuse(acting_user, organisation, summary)
    return summary


def _import_one(acting_user, organisation, existing, fields, summary):
    incident = existing.get(fields["source_id"])
    if incident is None:
        incident = Incident(organisation=organisation, created_by=user_of(acting_user), **fields)
        _validate_incident(incident)
        incident.save()
        existing[incident.source_id] = incident
        summary.created += 1
        return incident.pk
    changed = [name for name, value in fields.items() if getattr(incident, name) != value]
    if not changed:
        summary.unchanged += 1
        return None
    for name in changed:
        setattr(incident, name, fields[name])
    incident.version += 1
    incident.modified_at = timezone.now()
    _validate_incident(incident)
    incident.save()
    summary.updated += 1
    return None


def _refuse(acting_user, organisation, summary):
    """Nothing was stored: every row counts as skipped, and the refusal is audited."""
    summary.created = summary.updated = summary.unchanged = 0
    summary.refused = summary.rows
    audit_record(
        action=AuditAction.INCIDENTS_IMPORT_REFUSED,
        actor=acting_user,
        organisation_id=organisation.pk,
        object_type="maritime.incident",
        detail={"format": summary.format, "errors": len(summary.errors), "rows": summary.rows},
    )
    _imported(acting_user, organisation, summary)
    return summary


def _imported(acting_user, organisation, summary):
    """Tell whoever follows imports (notifications listen) that this one finished or failed."""
    send_on_commit(
        events.incidents_imported,
        Incident,
        organisation=organisation,
        actor=acting_user,
        summary=summary.as_dict(),
    )


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs of a model's refusal."""
    if hasattr(exc, "error_dict"):
        return [(name, " ".join(str(m) for m in msgs)) for name, msgs in exc.message_dict.items()]
    return [("", str(m)) for m in exc.messages]


def incidents_exported(*, acting_user, fmt: str, count: int) -> None:
    """Record that ``acting_user`` exported ``count`` incidents (what they may see) as ``fmt``."""
    audit_record(
        action=AuditAction.INCIDENTS_EXPORTED,
        actor=acting_user,
        object_type="maritime.incident",
        detail={"format": fmt, "count": count},
    )
