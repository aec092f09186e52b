"""Sign-in events into the audit log."""

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from . import services
from .audit import audit_record, on_connection_created
from .audit_actions import AuditAction


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, actor=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is kept in the detail to spot guessing; never the password.
    audit_record(
        action=AuditAction.LOGIN_FAILED, detail={"username": str(credentials.get("username", ""))[:150]}
    )
    if request is not None:
        # The address as axes reads it, so both limits agree on who is asking.
        services.sign_in_failure_record(address=get_client_ip_address(request) or "")


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(action=AuditAction.LOCKED_OUT, detail={"username": str(username or "")[:150]})


connection_created.connect(on_connection_created, dispatch_uid="lindung_audit_connection")
