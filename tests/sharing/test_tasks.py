"""Sharing's jobs: a STIX export written to a file by a job, a pull of every peer as a job."""

import json

import pytest
from django.utils import timezone

from lindung.core import jobs
from lindung.core.models import Job
from lindung.sharing import tasks
from lindung.sharing.models import ExchangeLog

from .factories import make_agreement, make_incident, make_peer

pytestmark = pytest.mark.django_db


def test_a_stix_export_job_writes_the_bundle_and_logs_it_once(org_a, org_b, settings):
    agreement = make_agreement(org_a, make_peer(org_a, partners=[org_b]), [org_b])
    make_incident(org_a)
    job = jobs.submit(tasks.export_stix, kind="sharing.export_stix", params={"agreement": agreement.pk})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["incidents"] == 1
    bundle = json.loads((settings.MEDIA_ROOT / "exports" / job.result["file"]).read_text())
    assert [o["type"] for o in bundle["objects"]].count("report") == 1
    assert ExchangeLog.objects.filter(operation="export_stix").count() == 1
    assert not list((settings.MEDIA_ROOT / "exports").glob("*.partial"))


def test_a_stix_export_under_an_agreement_not_in_force_fails_with_a_code(org_a, org_b):
    agreement = make_agreement(org_a, make_peer(org_a, partners=[org_b]), [org_b])
    agreement.revoked_at = timezone.now()
    agreement.save()
    job = jobs.submit(tasks.export_stix, kind="sharing.export_stix", params={"agreement": agreement.pk})
    job.refresh_from_db()
    assert (job.status, job.error_code) == (Job.Status.FAILED, "agreement_not_in_force")
    assert not ExchangeLog.objects.filter(operation="export_stix").exists()


def test_the_peer_sync_job_with_no_agreement_in_force_pulls_nothing():
    job = jobs.submit(tasks.sync_peers, kind="sharing.sync")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result == {"agreements": 0, "refused": 0, "created": 0, "updated": 0}
