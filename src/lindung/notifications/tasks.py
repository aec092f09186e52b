"""Background work of the notifications app, on Django's Tasks API (the django-tasks backport).

Periodic ones, ``scan_due_and_overdue`` hourly and ``send_daily_digest`` daily, are run by the
scheduler as jobs (``scheduled_scan``, ``scheduled_digest``, declared in ``schedule.py``), so the
operations page shows their runs. The others are enqueued when
something happens: ``match_watch_rules`` when incidents arrive, ``send_notification_emails``
when notifications are made for someone who wants an e-mail at once.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from lindung.core.jobs import job_task

from . import delivery, services
from .models import Channel

# An "at once" e-mail not sent after this long (the mail server was down) is retried by the scan.
EMAIL_RETRY_AFTER = timedelta(minutes=10)


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    return delivery.send_immediate(notification_ids)


@task()
def match_watch_rules(incident_ids: list[int]) -> int:
    made = services.incidents_match(incident_ids)
    email_soon(made)
    return len(made)


@task()
def scan_due_and_overdue() -> int:
    made = services.scan_due()
    email_soon(made)
    delivery.send_immediate(older_than=timezone.now() - EMAIL_RETRY_AFTER)
    return len(made)


@task()
def send_daily_digest() -> int:
    return delivery.send_digests()


def email_soon(notifications) -> None:
    """Queue the e-mail of the notifications whose recipient wants one at once, after commit."""
    ids = [n.pk for n in notifications if n.channel == Channel.EMAIL]
    if ids:
        transaction.on_commit(lambda: send_notification_emails.enqueue(ids))


@job_task
def scheduled_scan(job):
    return {"notifications": scan_due_and_overdue.call()}


@job_task
def scheduled_digest(job):
    return {"digests": send_daily_digest.call()}
