"""Revoke the API tokens of users who must use a second factor (issue 13, finding 1).

Tokens made before 0006 recorded no assurance: any of them may have been made with the password
only, so for a user who must pass a second factor none of them can stand in for it. They are
revoked here (the release notes tell administrators); their owners make new ones after the
second factor. Where the site does not require it (LINDUNG_REQUIRE_2FA=0), nothing is revoked:
the tokens stay marked "password only" and are refused if the site requires it later.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

# The roles that held an identity capability when this migration was written
# (core.roles.IDENTITY_CAPABILITIES), frozen here as a migration must not follow later code.
IDENTITY_ROLES = ["supervisor", "caseworker", "engagement_coordinator"]


def revoke_password_tokens(apps, schema_editor):
    if not settings.LINDUNG_REQUIRE_2FA:
        return
    ApiToken = apps.get_model("core", "ApiToken")
    ApiToken.objects.filter(
        revoked_at__isnull=True,
        assurance="password",
        user__memberships__role__in=IDENTITY_ROLES,
    ).update(revoked_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("core", "0006_account_assurance")]

    operations = [migrations.RunPython(revoke_password_tokens, migrations.RunPython.noop)]
