from lindung.core.scheduler import Periodic

SCHEDULE = [Periodic(name="sharing.sync", cron="*/10 * * * *", task="lindung.sharing.tasks.sync_peers")]
