from lindung.core.scheduler import Periodic

SCHEDULE = [Periodic(name="cases.retention", cron="30 2 * * *", task="lindung.cases.tasks.retention")]
