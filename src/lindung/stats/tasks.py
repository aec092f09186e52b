"""Statistics' background work: a release's files in one ZIP, built by a worker.

A release is frozen at once (its tables are stored as published); writing every table in every
export format (CSV, XLSX, HXL, SDMX-CSV) with a README that says how to cite it is the slow part,
so it runs as a job. The bundle is built from the tables its requester may see and only they
download it (``core:job_download``).
"""

import io
import zipfile

from lindung.core.jobs import JobFailed, job_task, reporter, store_output

from . import exports, selectors
from .tables import ProtectedTable


@job_task(retryable=True)
def release_bundle(job):
    user = job.created_by
    release = selectors.releases_visible(user).filter(pk=job.params["release"]).first()
    if release is None:
        raise JobFailed("release_not_visible")
    stored = list(selectors.release_tables(user, release))
    progress = reporter(job)
    progress("write", 0, len(stored))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("README.txt", readme(release, len(stored)))
        for done, table in enumerate(stored, start=1):
            protected = ProtectedTable.from_release(table)
            for fmt in exports.FORMATS:
                content, _type, name = exports.render(protected, fmt)
                bundle.writestr(f"{table.position + 1:02d}-{name}", content)
            progress("write", done, len(stored))
    store_output(job, buffer.getvalue(), name=f"{release.identifier}.zip", content_type="application/zip")
    return {"release": release.pk, "tables": len(stored), "files": len(stored) * len(exports.FORMATS) + 1}


def readme(release, tables: int) -> str:
    return (
        f"{release.identifier}: {release.title}\n"
        f"Released {release.released_on.isoformat()}; {tables} table(s), each as "
        f"{', '.join(exports.FORMATS)}.\n"
        f"Source data fingerprint: sha256:{release.fingerprint}\n\n"
        f"How to cite: {release.citation()}\n"
    )
