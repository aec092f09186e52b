"""Sharing's background work: pulls from peers (every ten minutes, see schedule.py) and STIX
exports written to a file."""

from pathlib import Path

from django.conf import settings

from lindung.core.jobs import JobFailed, job_task

from . import exchange, services, stix, sync
from .models import SharingAgreement


@job_task
def sync_peers(job):
    """Pull every agreement in force. Each pull commits on its own, so a retry after a lost worker
    pulls again only what the peer still has newer than what was stored."""
    reports = sync.sync(peer_name=job.params.get("peer"))
    return {
        "agreements": len(reports),
        "refused": sum(1 for r in reports if not r.ok),
        "created": sum(r.created for r in reports),
        "updated": sum(r.updated for r in reports),
    }


def export_stix_file(agreement: SharingAgreement, path: Path) -> dict:
    """Write the bundle an agreement allows to ``path`` and log the export."""
    if not agreement.in_force():
        raise JobFailed("agreement_not_in_force")
    bundle = exchange.export_bundle(agreement)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside, then renamed: a lost worker never leaves half a file under the real name.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(stix.dumps(bundle), encoding="utf-8")
    partial.replace(path)
    incidents = sum(1 for o in bundle["objects"] if o["type"] == "report")
    services.exchange_record(
        direction="served",
        operation="export_stix",
        outcome="ok",
        peer=agreement.peer,
        agreement=agreement,
        object_count=len(bundle["objects"]),
        detail={"incidents": incidents, "file": True},
    )
    return {"objects": len(bundle["objects"]), "incidents": incidents}


@job_task(atomic=True)
def export_stix(job):
    """A STIX export into MEDIA_ROOT/exports/, named after the job. Its log entry commits with the
    job's end: a retry after a lost worker rewrites the same file and logs the export once."""
    agreement = SharingAgreement.objects.select_related("peer").get(pk=job.params["agreement"])
    path = Path(settings.MEDIA_ROOT) / "exports" / f"stix-{agreement.pk}-{job.pk}.json"
    return {**export_stix_file(agreement, path), "file": path.name}
