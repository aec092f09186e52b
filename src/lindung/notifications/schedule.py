from lindung.core.scheduler import Periodic

SCHEDULE = [
    Periodic(name="notifications.scan", cron="0 * * * *", task="lindung.notifications.tasks.scheduled_scan"),
    Periodic(
        name="notifications.digest", cron="0 6 * * *", task="lindung.notifications.tasks.scheduled_digest"
    ),
]
