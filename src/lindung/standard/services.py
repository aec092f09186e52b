"""Every write of the standard app: validation reports and imports, each audited in its transaction.

An import is all-or-nothing by default: a file with any error writes no record (its batch is kept,
as ``rejected``, for provenance). A *partial* import writes the valid rows and reports the others;
a file-level error (unreadable file, broken header) still refuses the whole file.

A record's identity comes from its source: the source's record id (``record_id``) when the file
has one, otherwise the file (its content fingerprint, the same whatever its encoding, delimiter
or column order) and the row. Importing the same file again adds nothing; rows equal to records
of other files are imported and counted in the summary (``identical_to_existing``), never dropped.
"""

import gzip
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from lindung.core import policy
from lindung.core.actors import user_of
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.events import send_on_commit
from lindung.core.roles import Capability

from . import events, profiles, registry
from .models import ImportBatch, StandardRecord, ValidationReport
from .validation import FIRST_ERRORS, HEADER_ROW, ValidationResult, validate_bytes

# Errors kept for download per report; the summary still counts every error.
MAX_STORED_ERRORS = 100_000
INSERT_CHUNK = 5_000
# Variables with a column of their own in StandardRecord; the rest go to ``values``.
RECORD_COLUMNS = (
    "year_of_registration",
    "sex",
    "age_group",
    "majority_status",
    "citizenship",
    "country_of_exploitation",
    "data_source",
    "forms_of_exploitation",
)

Progress = Callable[[str, int, int], None]


def _require_manager(user, organisation) -> None:
    # The demo loader acts as ``SYSTEM``, which the policy lets through.
    policy.require_capability(user, Capability.MANAGE_STANDARD, organisation.pk, purpose="standard import")


def errors_csv(result: ValidationResult, limit: int | None = None) -> bytes:
    frame = result.errors if limit is None else result.errors.head(limit)
    buffer = io.BytesIO()
    frame.select("row", "column", "value", "rule", "message").write_csv(buffer)
    return buffer.getvalue()


def report_create(
    *, acting_user, organisation, file_name: str, data: bytes, profile: str, version: str | None = None
) -> ValidationReport:
    _require_manager(acting_user, organisation)
    result = validate_bytes(data, profile=profile, version=version)
    with transaction.atomic():
        report = ValidationReport.objects.create(
            organisation=organisation,
            created_by=user_of(acting_user),
            file_name=file_name[:255],
            file_sha256=hashlib.sha256(data).hexdigest(),
            profile=result.profile,
            standard_version=result.version,
            readable=result.readable,
            rows=result.rows,
            valid_rows=result.valid_rows,
            error_count=result.error_count,
            summary=result.summary(),
            errors_csv=gzip.compress(errors_csv(result, MAX_STORED_ERRORS)),
        )
        audit_record(
            action=AuditAction.STANDARD_VALIDATED,
            actor=acting_user,
            obj=report,
            detail={
                "rows": result.rows,
                "errors": result.error_count,
                "profile": result.profile,
                "version": result.version,
                "sha256": report.file_sha256,
            },
        )
    return report


def report_errors_csv(report: ValidationReport) -> bytes:
    return gzip.decompress(report.errors_csv) if report.errors_csv else b""


def batch_create(
    *,
    acting_user,
    organisation,
    file_name: str,
    data: bytes,
    profile: str,
    version: str | None = None,
    partial: bool = False,
) -> ImportBatch:
    """A queued batch; ``batch_run`` does the work (inline or in a background thread)."""
    _require_manager(acting_user, organisation)
    profiles.get(profile, version)  # refuse an unknown profile or version before queueing
    return ImportBatch.objects.create(
        organisation=organisation,
        created_by=user_of(acting_user),
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        profile=profile,
        standard_version=version or registry.current_version(),
        partial=partial,
    )


def batch_import(
    *,
    acting_user,
    organisation,
    file_name: str,
    data: bytes,
    profile: str,
    version: str | None = None,
    partial: bool = False,
    progress: Progress | None = None,
) -> ImportBatch:
    batch = batch_create(
        acting_user=acting_user,
        organisation=organisation,
        file_name=file_name,
        data=data,
        profile=profile,
        version=version,
        partial=partial,
    )
    return batch_run(batch, data, progress=progress)


def batch_run(batch: ImportBatch, data: bytes, *, progress: Progress | None = None) -> ImportBatch:
    """Validate, then import everything or nothing. An unexpected failure marks the batch
    ``failed`` (audited) and is raised again; nothing of the file is committed."""
    progress = progress or (lambda phase, done, total: None)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    try:
        return _batch_work(batch, data, progress)
    except Exception:
        with transaction.atomic():
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportBatch.Status.FAILED, finished_at=timezone.now()
            )
            batch.status = ImportBatch.Status.FAILED
            audit_record(
                action=AuditAction.STANDARD_IMPORT_FAILED,
                actor=batch.created_by,
                obj=batch,
                detail={"rows": batch.rows},
            )
            send_on_commit(events.import_finished, ImportBatch, batch=batch)
        raise


def _first_errors(result: ValidationResult) -> list[dict]:
    """Where and why, without the value: the batch's summary is not encrypted and a value may
    quote personal data (the validation report keeps the values, sealed)."""
    return [
        {"row": e["row"], "column": e["column"], "rule": e["rule"], "message": e["message"]}
        for e in result.error_rows(FIRST_ERRORS)
    ]


def _batch_work(batch: ImportBatch, data: bytes, progress: Progress) -> ImportBatch:
    actor = batch.created_by
    progress("validating", 0, 0)
    result = validate_bytes(data, profile=batch.profile, version=batch.standard_version)
    batch.rows, batch.error_count = result.rows, result.error_count
    batch.summary = {**result.summary(), "partial": batch.partial, "first_errors": _first_errors(result)}
    # In memory only, for whoever started the import (the command's --json): values included.
    batch.error_details = result.error_rows(FIRST_ERRORS)
    batch.dropped_columns = result.dropped_columns
    importable = result.is_valid or (
        batch.partial and result.readable and not result.header_broken and result.valid_rows > 0
    )
    if not importable:
        with transaction.atomic():
            batch.status, batch.finished_at = ImportBatch.Status.REJECTED, timezone.now()
            batch.save()
            audit_record(
                action=AuditAction.STANDARD_IMPORT_REJECTED,
                actor=actor,
                obj=batch,
                detail={"rows": result.rows, "errors": result.error_count, "sha256": batch.file_sha256},
            )
            send_on_commit(events.import_finished, ImportBatch, batch=batch)
        progress("rejected", 0, result.rows)
        return batch
    frame, source = result.frame, result.source
    if result.error_count:
        # Partial: the rows with an error stay out (spreadsheet row 2 is the frame's row 0).
        bad = (result.error_row_numbers() - (HEADER_ROW + 1)).to_list()
        keep = ~pl.int_range(frame.height, eager=True).is_in(bad)
        frame, source = frame.filter(keep), source.filter(keep)
    frame = profiles.standardise(frame, profiles.get(batch.profile, batch.standard_version), source)
    keys = row_keys(frame)
    batch.content_fingerprint = keys.fingerprint
    with transaction.atomic():
        records = StandardRecord.objects.filter(organisation_id=batch.organisation_id)
        existing = dict(records.values_list("row_key", "content_key"))
        same_file = (
            ImportBatch.objects.filter(
                organisation_id=batch.organisation_id,
                file_sha256=batch.file_sha256,
                profile=batch.profile,
                status=ImportBatch.Status.DONE,
            )
            .exclude(pk=batch.pk)
            .exists()
        )
        fresh = [] if same_file else [i for i, key in enumerate(keys.identity) if key not in existing]
        contents = set(existing.values())
        _insert(batch, frame, keys, fresh, progress)
        batch.imported, batch.skipped = len(fresh), result.rows - len(fresh)
        batch.summary.update(
            imported=batch.imported,
            skipped=batch.skipped,
            already_present=frame.height - len(fresh),
            invalid_rows=result.rows - frame.height,
            identical_in_file=keys.identical_in_file,
            identical_to_existing=sum(1 for i in fresh if keys.content[i] in contents),
        )
        batch.status, batch.finished_at = ImportBatch.Status.DONE, timezone.now()
        batch.save()
        audit_record(
            action=AuditAction.STANDARD_IMPORTED,
            actor=actor,
            obj=batch,
            detail={
                "rows": batch.rows,
                "imported": batch.imported,
                "skipped": batch.skipped,
                "errors": batch.error_count,
                "partial": batch.partial,
                "profile": batch.profile,
                "version": batch.standard_version,
                "sha256": batch.file_sha256,
            },
        )
        send_on_commit(events.import_finished, ImportBatch, batch=batch)
    progress("done", batch.imported, batch.rows)
    return batch


@dataclass
class RowKeys:
    identity: list  # StandardRecord.row_key
    content: list  # StandardRecord.content_key
    fingerprint: str
    identical_in_file: int = 0


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def row_keys(frame: pl.DataFrame) -> RowKeys:
    """Keys per row and a fingerprint of the whole content, independent of column order,
    encoding, delimiter and layout (CTDC or standard) of the file it came from.

    The content key is the canonical row and its occurrence number in the file; the identity is
    the source's record id (and its occurrence), or else the file's fingerprint and the content
    key: the same file gives the same identities, another file with equal rows does not."""
    if frame.height == 0:
        return RowKeys([], [], _sha(""))
    parts = [pl.lit(f"{name}=") + pl.col(name).cast(pl.String) for name in sorted(frame.columns)]
    canon = frame.select(pl.concat_str(parts, separator="\x1f", ignore_nulls=True).fill_null("").alias("c"))
    canon = canon.with_columns(pl.int_range(pl.len()).over("c").alias("n"))
    content = [
        _sha(f"{c}\x1e{n}")
        for c, n in zip(canon.get_column("c").to_list(), canon.get_column("n").to_list(), strict=True)
    ]
    fingerprint = _sha("\n".join(sorted(content)))
    if "record_id" in frame.columns:
        ids = frame.select(
            pl.col("record_id").cast(pl.String).alias("id"),
            pl.int_range(pl.len()).over("record_id").alias("n"),
        ).rows()
    else:
        ids = [(None, 0)] * frame.height
    identity = [
        _sha(f"file\x1f{fingerprint}\x1f{key}") if source_id is None else _sha(f"id\x1f{source_id}\x1e{n}")
        for key, (source_id, n) in zip(content, ids, strict=True)
    ]
    identical = frame.height - canon.get_column("c").n_unique()
    return RowKeys(identity, content, fingerprint, identical)


def _insert(
    batch: ImportBatch, frame: pl.DataFrame, keys: RowKeys, fresh: list[int], progress: Progress
) -> None:
    if not fresh:
        return
    table = StandardRecord._meta.db_table
    columns = ["organisation_id", "batch_id", "row_key", "content_key", *RECORD_COLUMNS, "values"]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    # Table and column names come from the model, never from the file; values go as parameters.
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608
    wanted = frame.select(pl.all().gather(fresh)) if len(fresh) != frame.height else frame
    others = sorted(c for c in wanted.columns if c not in RECORD_COLUMNS)
    # Rows are assembled column-wise by polars; Python only hands the tuples to the driver.
    exprs = [
        pl.lit(batch.organisation_id).alias("organisation_id"),
        pl.lit(batch.pk).alias("batch_id"),
        pl.Series("row_key", [keys.identity[i] for i in fresh]),
        pl.Series("content_key", [keys.content[i] for i in fresh]),
    ]
    for name in RECORD_COLUMNS:
        if name not in wanted.columns:
            exprs.append(pl.lit(None if name == "year_of_registration" else "").alias(name))
        elif name == "year_of_registration":
            exprs.append(pl.col(name).cast(pl.Int64).alias(name))
        elif name == "forms_of_exploitation":
            exprs.append((pl.lit(" ") + pl.col(name) + pl.lit(" ")).fill_null("").alias(name))
        else:
            exprs.append(pl.col(name).cast(pl.String).fill_null("").alias(name))
    if others:
        exprs.append(
            pl.struct([pl.col(c).cast(pl.String) for c in others]).struct.json_encode().alias("values")
        )
    else:
        exprs.append(pl.lit("{}").alias("values"))
    rows = wanted.select(exprs)
    total, done = rows.height, 0
    with connection.cursor() as cursor:
        for chunk in rows.iter_slices(INSERT_CHUNK):
            cursor.executemany(sql, chunk.rows())
            done += chunk.height
            progress("importing", done, total)


def records_exported(*, acting_user, count: int, profile: str) -> None:
    """Audit an export of de-identified records (the selector already limited what was written)."""
    with transaction.atomic():
        audit_record(
            action=AuditAction.STANDARD_RECORDS_EXPORTED,
            actor=acting_user,
            detail={"records": count, "profile": profile},
        )
