"""Writes of the knowledge base. Each runs in one transaction with its audit entry.

System jobs (the reference loader, the demo) act as ``lindung.core.actors.SYSTEM``: the policy lets
it through and no person is recorded as the author.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.actors import is_system, require_actor, user_of
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.parsing import MAX_JSON_DEPTH, JSONTooDeep, id_or_none, load_json
from lindung.core.roles import Capability
from lindung.standard import registry

from . import search
from .models import Instrument, PartyStatus, Provision, Recommendation

INSTRUMENT_FIELDS = (
    "title_original",
    "original_language",
    "title_en",
    "short_title",
    "instrument_type",
    "country",
    "region",
    "parties",
    "open_to_all_states",
    "adopted_on",
    "in_force_on",
    "amended_on",
    "repealed_on",
    "expires_on",
    "status",
    "summary",
    "citation",
    "source_url",
    "verification",
    "verification_note",
    "is_example",
    "shared",
)
DATE_FIELDS = ("adopted_on", "in_force_on", "amended_on", "repealed_on", "expires_on")

# Attached documents: the extension names the type and the first bytes must agree with it.
DOCUMENT_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".txt": ("text/plain", ()),
}


def max_document_bytes() -> int:
    return getattr(settings, "LINDUNG_FRAMEWORKS_MAX_DOCUMENT_BYTES", 10 * 1024 * 1024)


def _organisation_of(user):
    """The organisation an entry is attributed to: the user's first one holding the edit capability
    (none for the system)."""
    if is_system(require_actor(user)):
        return None
    orgs = sorted(policy.organisations_with(user, Capability.MANAGE_FRAMEWORKS))
    return orgs[0] if orgs else None


def _require_manage(acting_user, obj=None):
    if obj is None:
        policy.require_capability(acting_user, Capability.MANAGE_FRAMEWORKS, purpose="frameworks")
    else:
        policy.require(acting_user, policy.CHANGE, obj, purpose="frameworks")


def _normal_title(title: str) -> str:
    return " ".join((title or "").casefold().split())


def find_duplicate(*, title_en, title_original, country, region, adopted_on, exclude_pk=None):
    """An instrument with the same title (English or original), jurisdiction and adoption date."""
    candidates = Instrument.objects.filter(country=country or "", region=region or "", adopted_on=adopted_on)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    wanted = {_normal_title(title_en), _normal_title(title_original)} - {""}
    for other in candidates.only("id", "title_en", "title_original"):
        if wanted & {_normal_title(other.title_en), _normal_title(other.title_original)}:
            return other
    return None


def check_document(upload) -> str:
    """The content type of an acceptable upload; a ValidationError naming the problem otherwise."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(
            {
                "document": _("%(name)s is not an accepted type: use %(types)s.")
                % {"name": PurePath(upload.name or "").name, "types": ", ".join(sorted(DOCUMENT_TYPES))}
            }
        )
    limit = max_document_bytes()
    if upload.size > limit:
        raise ValidationError(
            {
                "document": _("The document is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"size": upload.size, "limit": limit}
            }
        )
    if upload.size == 0:
        raise ValidationError({"document": _("The document is empty.")})
    content_type, signatures = DOCUMENT_TYPES[suffix]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if signatures and not any(head.startswith(s) for s in signatures):
        raise ValidationError(
            {"document": _("The file's content is not a %(suffix)s document.") % {"suffix": suffix}}
        )
    if not signatures and b"\x00" in upload.read(4096):
        raise ValidationError({"document": _("A .txt document must be plain text.")})
    upload.seek(0)
    return content_type


def _clean_instrument(instrument: Instrument, implements) -> None:
    errors = {}
    try:
        instrument.full_clean(exclude=["document"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    duplicate = find_duplicate(
        title_en=instrument.title_en,
        title_original=instrument.title_original,
        country=instrument.country,
        region=instrument.region,
        adopted_on=instrument.adopted_on,
        exclude_pk=instrument.pk,
    )
    if duplicate is not None:
        errors.setdefault("title_en", []).append(
            _("This instrument is already recorded (#%(id)s %(title)s): same title, jurisdiction and date.")
            % {"id": duplicate.pk, "title": duplicate.title_en}
        )
    if instrument.pk and any(other.pk == instrument.pk for other in implements):
        errors.setdefault("implements", []).append(_("An instrument cannot implement itself."))
    if errors:
        raise ValidationError(errors)


def _apply(instrument: Instrument, data: dict) -> None:
    for name in INSTRUMENT_FIELDS:
        if name in data:
            value = data[name]
            setattr(instrument, name, value.strip() if isinstance(value, str) else value)


def _unverified_without_source(instrument) -> None:
    # No invented facts: an instrument nobody can trace to a source is never shown as cited.
    if not (instrument.citation or instrument.source_url or instrument.document):
        instrument.verification = "unverified"


def _attach(instrument, document):
    content_type = check_document(document)
    instrument.document = document
    instrument.document_content_type = content_type
    instrument.document_size = document.size


def instrument_create(*, acting_user, data: dict, implements=(), document=None) -> Instrument:
    _require_manage(acting_user)
    with transaction.atomic():
        instrument = Instrument(entered_by=user_of(acting_user), entered_in_id=_organisation_of(acting_user))
        _apply(instrument, data)
        _clean_instrument(instrument, implements)
        if document is not None:
            _attach(instrument, document)
        _unverified_without_source(instrument)
        instrument.save()
        instrument.implements.set(implements)
        search.index_instrument(instrument)
        audit_record(
            action=AuditAction.FRAMEWORK_INSTRUMENT_CREATED,
            actor=acting_user,
            obj=instrument,
            organisation_id=instrument.entered_in_id,
            detail={
                "type": instrument.instrument_type,
                "jurisdiction": instrument.jurisdiction,
                "document": bool(document),
            },
        )
        return instrument


def instrument_update(
    *, acting_user, instrument: Instrument, data: dict, implements=None, document=None
) -> Instrument:
    _require_manage(acting_user, instrument)
    with transaction.atomic():
        instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
        before = {name: getattr(instrument, name) for name in INSTRUMENT_FIELDS}
        _apply(instrument, data)
        _clean_instrument(instrument, implements or ())
        if document is not None:
            _attach(instrument, document)
        _unverified_without_source(instrument)
        changed = sorted(name for name in INSTRUMENT_FIELDS if getattr(instrument, name) != before[name])
        instrument.updated_at = timezone.now()
        instrument.save()
        if implements is not None:
            instrument.implements.set(implements)
        search.index_instrument(instrument)
        audit_record(
            action=AuditAction.FRAMEWORK_INSTRUMENT_UPDATED,
            actor=acting_user,
            obj=instrument,
            organisation_id=instrument.entered_in_id,
            detail={"fields": changed, "document": bool(document)},
        )
        return instrument


def instrument_verify(*, acting_user, instrument: Instrument, note: str = "") -> Instrument:
    """Record that ``acting_user`` checked the instrument's facts against its source today."""
    _require_manage(acting_user, instrument)
    with transaction.atomic():
        if not (instrument.citation or instrument.source_url or instrument.document):
            raise ValidationError(
                {"verification": _("Give a citation, a link or a document before verifying.")}
            )
        instrument.verification = "verified"
        instrument.last_verified = timezone.localdate()
        instrument.verified_by = user_of(acting_user)
        instrument.verification_note = note.strip()[:500]
        instrument.save(update_fields=["verification", "last_verified", "verified_by", "verification_note"])
        audit_record(
            action=AuditAction.FRAMEWORK_INSTRUMENT_VERIFIED,
            actor=acting_user,
            obj=instrument,
            organisation_id=instrument.entered_in_id,
        )
        return instrument


def party_status_record(
    *,
    acting_user,
    instrument: Instrument,
    country: str,
    signed_on=None,
    consent="",
    consent_on=None,
    reservations="",
    citation="",
    verification="unverified",
) -> PartyStatus:
    """Create or replace one country's status in a treaty or agreement."""
    _require_manage(acting_user, instrument)
    with transaction.atomic():
        status = PartyStatus.objects.filter(instrument=instrument, country=country).first() or PartyStatus(
            instrument=instrument, country=country
        )
        status.signed_on, status.consent, status.consent_on = signed_on, consent or "", consent_on
        status.reservations, status.citation = reservations or "", citation or ""
        status.verification = verification or "unverified"
        status.entered_by = user_of(acting_user)
        status.updated_at = timezone.now()
        status.full_clean()
        status.save()
        audit_record(
            action=AuditAction.FRAMEWORK_PARTY_STATUS_RECORDED,
            actor=acting_user,
            obj=instrument,
            organisation_id=instrument.entered_in_id,
            detail={"country": country, "signed": bool(signed_on), "consent": consent or ""},
        )
        return status


PROVISION_FIELDS = (
    "reference",
    "heading",
    "text",
    "text_kind",
    "themes",
    "gcm_objectives",
    "groups",
    "position",
)


def provision_save(
    *, acting_user, instrument: Instrument, provision: Provision | None = None, **data
) -> Provision:
    _require_manage(acting_user, instrument)
    with transaction.atomic():
        if provision is not None and provision.instrument_id != instrument.pk:
            raise ValidationError({"instrument": _("This provision belongs to another instrument.")})
        created = provision is None
        provision = provision or Provision(instrument=instrument)
        for name in PROVISION_FIELDS:
            if name in data:
                setattr(provision, name, data[name])
        provision.entered_by = user_of(acting_user) if created else provision.entered_by
        provision.updated_at = timezone.now()
        provision.full_clean()
        provision.save()
        search.index_provision(provision)
        audit_record(
            action=AuditAction.FRAMEWORK_PROVISION_SAVED,
            actor=acting_user,
            obj=provision,
            organisation_id=instrument.entered_in_id,
            detail={"instrument": instrument.pk, "created": created, "themes": provision.themes},
        )
        return provision


RECOMMENDATION_FIELDS = (
    "kind",
    "title",
    "text",
    "source",
    "source_date",
    "countries",
    "themes",
    "priority",
    "followup_status",
    "followup_note",
    "shared",
)


def recommendation_save(
    *, acting_user, recommendation: Recommendation | None = None, instruments=None, **data
) -> Recommendation:
    _require_manage(acting_user, recommendation)
    with transaction.atomic():
        created = recommendation is None
        recommendation = recommendation or Recommendation(
            entered_by=user_of(acting_user), entered_in_id=_organisation_of(acting_user)
        )
        previous_status = None if created else recommendation.followup_status
        for name in RECOMMENDATION_FIELDS:
            if name in data:
                setattr(recommendation, name, data[name])
        if created or previous_status != recommendation.followup_status or "followup_note" in data:
            recommendation.followup_updated_on = timezone.localdate()
        recommendation.full_clean()
        recommendation.save()
        if instruments is not None:
            recommendation.instruments.set(instruments)
        audit_record(
            action=AuditAction.FRAMEWORK_RECOMMENDATION_SAVED,
            actor=acting_user,
            obj=recommendation,
            organisation_id=recommendation.entered_in_id,
            detail={"created": created, "followup_status": recommendation.followup_status},
        )
        return recommendation


def export_recorded(*, acting_user, kind: str, countries, theme: str = "") -> None:
    """Audit an export (who took which matrix or report out of the system)."""
    audit_record(
        action=AuditAction.FRAMEWORK_EXPORTED,
        actor=acting_user,
        detail={"kind": kind, "countries": list(countries), "theme": theme},
    )


# import ----------------------------------------------------------------------------------------

IMPORT_COLUMNS = INSTRUMENT_FIELDS + ("implements",)
REQUIRED_COLUMNS = ("title_en", "instrument_type", "status")
TRUE_WORDS = {"1", "true", "yes", "y"}


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def __str__(self):
        return _("Row %(row)s, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field or "—",
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_rows(name: str, content: bytes) -> list[dict]:
    suffix = PurePath(name or "").suffix.lower()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text.")) from exc
    if suffix == ".json":
        try:
            rows = load_json(text)
        except JSONTooDeep as exc:
            raise ValidationError(
                _("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_JSON_DEPTH},
                code=JSONTooDeep.code,
            ) from exc
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("The JSON is malformed (line %(line)s): %(msg)s") % {"line": exc.lineno, "msg": exc.msg}
            ) from exc
        if isinstance(rows, dict):
            rows = rows.get("instruments")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValidationError(_('The JSON must be a list of objects, or {"instruments": [...]}.'))
        return rows
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        unknown = sorted(set(reader.fieldnames or ()) - set(IMPORT_COLUMNS))
        if unknown:
            raise ValidationError(
                _("Unknown columns: %(cols)s. Known columns: %(known)s.")
                % {"cols": ", ".join(unknown), "known": ", ".join(IMPORT_COLUMNS)}
            )
        return list(reader)
    raise ValidationError(_("Import a .csv or a .json file."))


def _row_data(raw: dict, row: int, errors: list) -> dict:
    data = {}
    for name in REQUIRED_COLUMNS:
        if not str(raw.get(name) or "").strip():
            errors.append(RowError(row, name, _("This column is required.")))
    for name in INSTRUMENT_FIELDS:
        if name not in raw or raw[name] is None:
            continue
        value = raw[name]
        if name in DATE_FIELDS:
            text = str(value).strip()
            parsed = None
            if text:
                try:
                    parsed = parse_date(text)
                except ValueError:
                    parsed = None
                if parsed is None:
                    errors.append(
                        RowError(row, name, _("'%(value)s' is not a date (YYYY-MM-DD).") % {"value": text})
                    )
                    continue
            data[name] = parsed
        elif name in ("open_to_all_states", "is_example"):
            data[name] = value if isinstance(value, bool) else str(value).strip().lower() in TRUE_WORDS
        elif name == "parties":
            items = value if isinstance(value, list) else str(value).replace(";", " ").split()
            data[name] = [str(p).strip().upper() for p in items]
        else:
            data[name] = str(value).strip()
    for name, list_id in (
        ("instrument_type", "framework_instrument_type"),
        ("status", "framework_instrument_status"),
        ("region", "framework_region"),
        ("country", "country"),
        ("verification", "framework_verification"),
        ("original_language", "language"),
    ):
        if data.get(name) and not registry.is_valid(list_id, data[name]):
            errors.append(
                RowError(
                    row,
                    name,
                    _("'%(value)s' is not in the code list %(list)s.")
                    % {"value": data[name], "list": list_id},
                )
            )
    data.setdefault("title_original", data.get("title_en", ""))
    return data


def instruments_import(*, acting_user, name: str, content: bytes) -> ImportResult:
    """Import instruments from CSV or JSON: all rows or none, with an error per bad row and field.

    Rows are numbered as a person counts them: the first data row of a CSV is row 2 (after the
    header), the first object of a JSON list is row 1.
    """
    _require_manage(acting_user)
    result = ImportResult()
    try:
        rows = _read_rows(name, content)
    except ValidationError as exc:
        result.errors.append(RowError(0, "", " ".join(exc.messages)))
        return result
    first_row = 2 if PurePath(name).suffix.lower() == ".csv" else 1
    seen = {}
    try:
        with transaction.atomic():
            for offset, raw in enumerate(rows):
                row = first_row + offset
                row_errors: list[RowError] = []
                data = _row_data(raw, row, row_errors)
                key = (
                    _normal_title(data.get("title_en", "")),
                    data.get("country", ""),
                    data.get("region", ""),
                    data.get("adopted_on"),
                )
                if key in seen:
                    row_errors.append(
                        RowError(
                            row,
                            "title_en",
                            _("Same title, jurisdiction and date as row %(other)s.") % {"other": seen[key]},
                        )
                    )
                seen.setdefault(key, row)
                implements = _implemented(raw.get("implements"), row, row_errors)
                if not row_errors:
                    try:
                        with transaction.atomic():
                            instrument = instrument_create(
                                acting_user=acting_user, data=data, implements=implements
                            )
                            result.created.append(instrument)
                    except ValidationError as exc:
                        for fname, messages in exc.message_dict.items():
                            row_errors.extend(RowError(row, fname, m) for m in messages)
                    else:
                        _import_provisions(acting_user, instrument, raw.get("provisions"), row, row_errors)
                result.errors.extend(row_errors)
            if result.errors:
                raise _Rollback
            audit_record(
                action=AuditAction.FRAMEWORK_INSTRUMENTS_IMPORTED,
                actor=acting_user,
                organisation_id=_organisation_of(acting_user),
                detail={"created": len(result.created), "format": PurePath(name).suffix.lower()},
            )
    except _Rollback:
        result.created = []
    return result


def _import_provisions(acting_user, instrument, provisions, row, errors) -> None:
    """A JSON row may carry its provisions: [{"reference", "text", "heading", "text_kind", "themes",
    "gcm_objectives", "groups"}]; errors name them as provisions[i].field."""
    if not provisions:
        return
    if not isinstance(provisions, list) or not all(isinstance(p, dict) for p in provisions):
        errors.append(RowError(row, "provisions", _("Give a list of objects.")))
        return
    for index, raw in enumerate(provisions):
        values = {k: raw[k] for k in PROVISION_FIELDS if k in raw and k != "position"}
        for name in ("reference", "heading", "text", "text_kind"):
            if name in values and not isinstance(values[name], str):
                values[name] = str(values[name])
        for name in ("themes", "gcm_objectives", "groups"):
            if name in values and not isinstance(values[name], list | str):
                values[name] = [str(values[name])]
        try:
            with transaction.atomic():
                provision_save(acting_user=acting_user, instrument=instrument, position=index + 1, **values)
        except ValidationError as exc:
            for fname, messages in exc.message_dict.items():
                errors.extend(RowError(row, f"provisions[{index}].{fname}", m) for m in messages)


class _Rollback(Exception):
    """Raised inside the import transaction to undo every row when any row failed."""


def _implemented(value, row, errors) -> list:
    """Instruments named in an ``implements`` cell by id or exact English title, separated by '|'."""
    if not value:
        return []
    names = value if isinstance(value, list) else str(value).split("|")
    found = []
    for item in (str(n).strip() for n in names):
        if not item:
            continue
        pk = id_or_none(item)
        match = (
            Instrument.objects.filter(pk=pk).first()
            if pk is not None
            else Instrument.objects.filter(title_en__iexact=item).first()
        )
        if match is None:
            errors.append(RowError(row, "implements", _("No instrument '%(name)s'.") % {"name": item}))
        else:
            found.append(match)
    return found
