"""``lindung scheduler``: enqueue the periodic jobs of every app's schedule.py at their times."""

import signal
import threading

from django.core.management.base import BaseCommand

from lindung.core import scheduler


class Command(BaseCommand):
    help = "Enqueue periodic jobs at their cron times (run one; a second one enqueues nothing twice)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="print the periodic jobs and their next run")

    def handle(self, *args, **options):
        if options["list"]:
            for row in scheduler.overview():
                periodic = row["periodic"]
                self.stdout.write(
                    f"{periodic.name}\t{periodic.cron}\t{periodic.task}\tnext {row['next']:%Y-%m-%d %H:%M}"
                )
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"Scheduler started with {len(scheduler.periodic_jobs())} periodic job(s).")
        scheduler.run(stop)
