"""Every write of the standard app: validation reports and imports, each audited in its transaction.

An import is all-or-nothing: a file with any error writes no record (its batch is kept, as
``rejected``, for provenance). It is idempotent: every row gets a key (sha256 of the canonical row
and its occurrence number in the file), so importing the same content again — or a file that
repeats rows already imported — adds only rows not yet present.
"""

import gzip
import hashlib
import io
from collections.abc import Callable

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from lindung.core import policy
from lindung.core.actors import user_of
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability

from . import profiles, registry
from .models import ImportBatch, StandardRecord, ValidationReport
from .validation import ValidationResult, validate_bytes

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
    *, acting_user, organisation, file_name: str, data: bytes, profile: str, version: str | None = None
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
    )


def batch_import(
    *,
    acting_user,
    organisation,
    file_name: str,
    data: bytes,
    profile: str,
    version: str | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    batch = batch_create(
        acting_user=acting_user,
        organisation=organisation,
        file_name=file_name,
        data=data,
        profile=profile,
        version=version,
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
        raise


def _batch_work(batch: ImportBatch, data: bytes, progress: Progress) -> ImportBatch:
    actor = batch.created_by
    progress("validating", 0, 0)
    result = validate_bytes(data, profile=batch.profile, version=batch.standard_version)
    batch.rows, batch.error_count, batch.summary = result.rows, result.error_count, result.summary()
    batch.dropped_columns = result.dropped_columns
    if not result.is_valid:
        with transaction.atomic():
            batch.status, batch.finished_at = ImportBatch.Status.REJECTED, timezone.now()
            batch.save()
            audit_record(
                action=AuditAction.STANDARD_IMPORT_REJECTED,
                actor=actor,
                obj=batch,
                detail={"rows": result.rows, "errors": result.error_count, "sha256": batch.file_sha256},
            )
        progress("rejected", 0, result.rows)
        return batch
    frame = profiles.standardise(result.frame, profiles.get(batch.profile, batch.standard_version))
    keys, fingerprint = row_keys(frame)
    batch.content_fingerprint = fingerprint
    with transaction.atomic():
        existing = set(
            StandardRecord.objects.filter(organisation_id=batch.organisation_id).values_list(
                "row_key", flat=True
            )
        )
        fresh = [i for i, key in enumerate(keys) if key not in existing]
        _insert(batch, frame, keys, fresh, progress)
        batch.imported, batch.skipped = len(fresh), len(keys) - len(fresh)
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
                "profile": batch.profile,
                "version": batch.standard_version,
                "sha256": batch.file_sha256,
            },
        )
    progress("done", batch.imported, batch.rows)
    return batch


def row_keys(frame: pl.DataFrame) -> tuple[list[str], str]:
    """A key per row and a fingerprint of the whole content, independent of column order,
    encoding, delimiter and layout (CTDC or standard) of the file it came from."""
    if frame.height == 0:
        return [], hashlib.sha256(b"").hexdigest()
    parts = [pl.lit(f"{name}=") + pl.col(name).cast(pl.String) for name in sorted(frame.columns)]
    canon = frame.select(pl.concat_str(parts, separator="\x1f", ignore_nulls=True).fill_null("").alias("c"))
    canon = canon.with_columns(pl.int_range(pl.len()).over("c").alias("n"))
    keys = [
        hashlib.sha256(f"{c}\x1e{n}".encode()).hexdigest()
        for c, n in zip(canon.get_column("c").to_list(), canon.get_column("n").to_list(), strict=True)
    ]
    fingerprint = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()
    return keys, fingerprint


def _insert(
    batch: ImportBatch, frame: pl.DataFrame, keys: list[str], fresh: list[int], progress: Progress
) -> None:
    if not fresh:
        return
    table = StandardRecord._meta.db_table
    columns = ["organisation_id", "batch_id", "row_key", *RECORD_COLUMNS, "values"]
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
        pl.Series("row_key", [keys[i] for i in fresh]),
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
