"""``lindung check --deploy``: Lindung's own settings that a production site must have right,
beside Django's. Each check says what to set (see docs/operations.md). The key checks that
run with every command are in ``checks.py``."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def lindung_deploy_checks(app_configs=None, **kwargs):
    found = []
    if not settings.LINDUNG_MASTER_KEY:
        found.append(
            Error(
                "LINDUNG_MASTER_KEY is not set: personal data would be sealed with a key file on the "
                "server's disk.",
                hint="Set LINDUNG_MASTER_KEY in the environment of every process (web, worker, scheduler).",
                id="lindung.E101",
            )
        )
    if settings.SECRET_KEY and getattr(settings, "LINDUNG_SECRET_KEY_GENERATED", False):
        found.append(
            Error(
                "The secret key was generated into var/ by the demo.",
                hint="Set LINDUNG_SECRET_KEY to the same long random value on every web process.",
                id="lindung.E102",
            )
        )
    if not settings.HTTPS:
        found.append(
            Warning(
                "LINDUNG_HTTPS is off: cookies are not marked secure and no HSTS header is sent.",
                hint="Serve through a reverse proxy with TLS and set LINDUNG_HTTPS=1.",
                id="lindung.W101",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        found.append(
            Warning(
                "The database is SQLite: one machine, one writer at a time.",
                hint="Set DATABASE_URL to PostgreSQL for a production site.",
                id="lindung.W102",
            )
        )
    if settings.LINDUNG_TASK_BACKEND not in ("database", "rq"):
        found.append(
            Error(
                f"LINDUNG_TASK_BACKEND is {settings.LINDUNG_TASK_BACKEND!r}: long jobs would run inside "
                "web requests.",
                hint="Use 'database' (default) or 'rq', and run lindung worker.",
                id="lindung.E103",
            )
        )
    if not settings.LINDUNG_REQUIRE_2FA:
        found.append(
            Warning(
                "Two-factor authentication is not required (LINDUNG_REQUIRE_2FA=0).",
                hint="Leave LINDUNG_REQUIRE_2FA unset or set it to 1 in production.",
                id="lindung.W103",
            )
        )
    if set(settings.ALLOWED_HOSTS) <= {"127.0.0.1", "localhost"}:
        found.append(
            Warning(
                "LINDUNG_ALLOWED_HOSTS names only this machine.",
                hint="Set LINDUNG_ALLOWED_HOSTS to the site's public host name(s).",
                id="lindung.W104",
            )
        )
    return found
