"""Periodic jobs: declared in code, enqueued by one scheduler process (``lindung scheduler``).

Each app may have a ``schedule.py`` with ``SCHEDULE = [Periodic(...)]``. The scheduler only
enqueues: the work runs on the workers like any other job. Fire times come from APScheduler's cron
trigger (crontab fields, UTC; day of week counts from 0 = Monday as in APScheduler). Before it
enqueues a tick, a scheduler inserts a ``PeriodicRun`` row for (job, due time), unique in the
database: a second scheduler started by mistake fails that insert and enqueues nothing.
"""

import datetime
import logging
import socket
import threading
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from . import jobs, live
from .models import Job, PeriodicRun

logger = logging.getLogger(__name__)
# The scheduler wakes at least this often (seconds), to notice a stop request.
MAX_SLEEP = 30.0


@dataclass(frozen=True)
class Periodic:
    name: str
    cron: str  # minute hour day month day-of-week, UTC
    task: str  # dotted path of a job task (see core.jobs.job_task)
    second: str = "0"  # tests tick every second with second="*"

    def trigger(self) -> CronTrigger:
        minute, hour, day, month, day_of_week = self.cron.split()
        return CronTrigger(
            second=self.second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            timezone=datetime.UTC,
        )

    def next_after(self, moment: datetime.datetime) -> datetime.datetime:
        """The first fire time strictly after ``moment``."""
        later = moment + datetime.timedelta(seconds=1)
        return self.trigger().get_next_fire_time(None, later.replace(microsecond=0))


def periodic_jobs() -> list[Periodic]:
    """Every app's SCHEDULE, in the order of LINDUNG_APPS."""
    found = []
    for app in settings.LINDUNG_APPS:
        if find_spec(f"{app}.schedule"):
            found.extend(import_module(f"{app}.schedule").SCHEDULE)
    return found


def enqueue_tick(periodic: Periodic, due_at: datetime.datetime, scheduler: str) -> Job | None:
    """Enqueue one tick unless another scheduler already has; the job, or None if it had."""
    try:
        with transaction.atomic():
            run = PeriodicRun.objects.create(name=periodic.name, due_at=due_at, scheduler=scheduler[:100])
            task = import_string(periodic.task)
            run.job = jobs.submit(task, kind=periodic.name, subject=f"periodic:{run.pk}")
            run.save(update_fields=["job"])
    except IntegrityError:
        return None
    logger.info("enqueued %s due %s", periodic.name, due_at.isoformat())
    return run.job


def run(stop: threading.Event, *, name: str = "", schedule: list[Periodic] | None = None) -> None:
    """Enqueue each periodic job at its fire times until ``stop`` is set. Ticks missed while no
    scheduler ran are not caught up: the next one comes at its time."""
    name = name or f"{socket.gethostname()}:{threading.get_native_id()}"
    schedule = periodic_jobs() if schedule is None else schedule
    upcoming = {p.name: p.next_after(timezone.now()) for p in schedule}
    while not stop.is_set():
        now = timezone.now()
        for periodic in schedule:
            due = upcoming[periodic.name]
            if due <= now:
                enqueue_tick(periodic, due, name)
                upcoming[periodic.name] = periodic.next_after(max(due, now))
        live.put(f"scheduler:{name}", {"next": min(upcoming.values()).isoformat() if upcoming else ""})
        wait = (min(upcoming.values()) - timezone.now()).total_seconds() if upcoming else MAX_SLEEP
        stop.wait(min(max(wait, 0.05), MAX_SLEEP))
    live.delete(f"scheduler:{name}")
    live.close()


def overview() -> list[dict]:
    """Each periodic job with its last run, its outcome and its next fire time."""
    now = timezone.now()
    rows = []
    for periodic in periodic_jobs():
        last = PeriodicRun.objects.filter(name=periodic.name).select_related("job").first()
        rows.append(
            {
                "periodic": periodic,
                "last": last,
                "job": last.job if last else None,
                "next": periodic.next_after(now),
            }
        )
    return rows


def schedulers() -> list[dict]:
    return [{"name": key, **value} for key, value in live.with_prefix("scheduler:").items()]
