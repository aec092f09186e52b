"""E-mail through a real SMTP server (aiosmtpd, started here on a free local port), read back
from what the server received: the link and the reference are there, no personal data is."""

import email
import json
import os
import socket
import subprocess
import sys
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from lindung.notifications import services, tasks
from lindung.notifications.models import Channel, Event, Notification

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src"


class Inbox:
    """The aiosmtpd handler: keeps every message the server accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=default_policy))
        )
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "lindung@lindung.test"
    yield inbox
    controller.stop()


def _body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_alerts_and_digest_reach_a_real_smtp_server_without_personal_data(
    smtp_server, send_referral, people, person_with_consent, django_capture_on_commit_callbacks
):
    provider = people["provider"]
    provider.email = "provider@example.org"
    provider.save()
    services.preferences_save(acting_user=provider, channels={Event.REFERRAL_RECEIVED: Channel.EMAIL})
    with django_capture_on_commit_callbacks(execute=True):
        referral = send_referral(note="Synthetic note about the person, never in an e-mail.")
    [(to, message)] = smtp_server.messages
    assert to == ["provider@example.org"] and message["From"] == "lindung@lindung.test"
    assert referral.reference in message["Subject"]
    body = _body(message)
    assert referral.reference in body and f"https://lindung.test/referrals/{referral.pk}/" in body
    personal = [
        person_with_consent.given_name, person_with_consent.family_name, "Synthetic note", provider.username,
    ]  # fmt: skip
    assert not [value for value in personal if value in body or value in message["Subject"]]
    assert Notification.objects.get().emailed_at is not None

    services.preferences_save(acting_user=provider, channels={Event.REFERRAL_RECEIVED: Channel.DIGEST})
    with django_capture_on_commit_callbacks(execute=True):
        second = send_referral()
    assert len(smtp_server.messages) == 1
    assert tasks.send_daily_digest.enqueue().return_value == 1
    _to, digest = smtp_server.messages[1]
    assert second.reference in _body(digest) and "digest" in digest["Subject"]
    assert person_with_consent.family_name not in _body(digest)


def test_a_down_server_leaves_the_email_owed_and_the_scan_sends_it(
    settings, smtp_server, people, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    user = people["cw_a"]
    user.email = "cw@example.org"
    user.save()
    services.preferences_save(acting_user=user, channels={Event.TASK_DUE: Channel.EMAIL})
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        made = services.notify(
            event=Event.TASK_DUE, recipients=[user], reference="C-TEST-00001", link="/cases/"
        )
        tasks.email_soon(made)
    notification = Notification.objects.get()
    assert notification.emailed_at is None and smtp_server.messages == []
    # The server is back; the hourly scan retries what is owed for more than a few minutes.
    settings.EMAIL_PORT = smtp_server.port
    tasks.scan_due_and_overdue.enqueue()
    assert smtp_server.messages == []  # too recent: its own task may still be trying
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(hours=1))
    tasks.scan_due_and_overdue.enqueue()
    assert [m["Subject"] for _to, m in smtp_server.messages] == ["Lindung: Task due today C-TEST-00001"]
    tasks.scan_due_and_overdue.enqueue()
    assert len(smtp_server.messages) == 1


def test_smtp_settings_come_from_the_environment():
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "LINDUNG_SMTP_HOST": "mail.lindung.test",
        "LINDUNG_SMTP_PORT": "2525",
        "LINDUNG_SMTP_USER": "sender",
        "LINDUNG_SMTP_PASSWORD": "secret-for-test",
        "LINDUNG_SMTP_TLS": "1",
        "LINDUNG_SMTP_FROM": "alerts@lindung.test",
        "LINDUNG_SECRET_KEY": "test-only",
    }
    code = (
        "import json, lindung.settings as s; print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, "
        "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL]))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [
        "django.core.mail.backends.smtp.EmailBackend", "mail.lindung.test", 2525, "sender", "secret-for-test",
        True, "alerts@lindung.test",
    ]  # fmt: skip
