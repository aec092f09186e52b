from lindung.core.scheduler import Periodic

SCHEDULE = [
    Periodic(name="core.prune_jobs", cron="15 3 * * *", task="lindung.core.tasks.prune_jobs"),
    Periodic(name="core.audit_anchor", cron="5 * * * *", task="lindung.core.tasks.anchor_audit_chain"),
]
