"""Running an import in the background, inside the web process, with progress the page can poll.

Small files are imported inline, in the request. Larger ones run in a daemon thread with its own
database connection, so the upload returns at once and the page polls ``progress``. Progress is
kept in memory (a transaction in progress cannot be read by other connections, and SQLite would
block a second writer): a page served by another process sees the batch's status, not the count.
A server restart while an import runs leaves its batch ``running``; nothing of it is committed.
"""

import logging
import threading

from django.conf import settings
from django.db import connection

from . import services
from .models import ImportBatch

logger = logging.getLogger(__name__)
_progress: dict[int, dict] = {}
_lock = threading.Lock()


def inline_limit() -> int:
    return int(getattr(settings, "LINDUNG_STANDARD_INLINE_IMPORT_BYTES", 2_000_000))


def _reporter(batch_id: int):
    def report(phase: str, done: int, total: int) -> None:
        with _lock:
            _progress[batch_id] = {"phase": phase, "done": done, "total": total}

    return report


def progress(batch: ImportBatch) -> dict:
    with _lock:
        current = dict(_progress.get(batch.pk, {}))
    total = current.get("total") or batch.rows
    done = batch.imported + batch.skipped if batch.finished else current.get("done", 0)
    percent = 100 if batch.finished else (int(done * 100 / total) if total else 0)
    return {
        "status": batch.status,
        "status_label": str(batch.get_status_display()),
        "phase": current.get("phase", batch.status),
        "done": done,
        "total": total,
        "percent": percent,
        "finished": batch.finished,
        "imported": batch.imported,
        "skipped": batch.skipped,
        "errors": batch.error_count,
    }


def start(batch: ImportBatch, data: bytes) -> ImportBatch:
    """Run inline when small; otherwise in a background thread."""
    if len(data) <= inline_limit():
        try:
            return services.batch_run(batch, data, progress=_reporter(batch.pk))
        except Exception:
            # batch_run marked the batch failed and audited it; the page shows that status.
            logger.exception("import batch %s failed", batch.pk)
            batch.refresh_from_db()
            return batch
    thread = threading.Thread(
        target=_run_in_thread, args=(batch.pk, data), name=f"import-{batch.pk}", daemon=True
    )
    thread.start()
    return batch


def _run_in_thread(batch_id: int, data: bytes) -> None:
    try:
        batch = ImportBatch.objects.select_related("organisation", "created_by").get(pk=batch_id)
        services.batch_run(batch, data, progress=_reporter(batch_id))
    except Exception:
        logger.exception("import batch %s failed", batch_id)
    finally:
        connection.close()
