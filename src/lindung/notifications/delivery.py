"""E-mail: one message per notification for those who chose "at once", one digest a day for those
who chose the digest. A message says what happened in a sentence with the object's pseudonymous
reference, and links to the page where the policy decides what the reader may see: it never
carries personal data. Sent in the recipient's language."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Channel, Notification


def site_url() -> str:
    return getattr(settings, "LINDUNG_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def _pending(channel):
    return (
        Notification.objects.filter(channel=channel, emailed_at__isnull=True, recipient__is_active=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")
    )


def _message(user, subject, template, context) -> EmailMessage:
    body = render_to_string(template, {**context, "site": site_url()})
    return EmailMessage(subject=subject, body=body, to=[user.email])


def _language(user) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def send_immediate(notification_ids=None, *, older_than=None) -> int:
    """Send the e-mails still owed for "at once" notifications (these ids, or all created before
    ``older_than``); each is marked sent as soon as the server took it, so a failure part-way
    sends the rest next time and nothing twice."""
    pending = _pending(Channel.EMAIL)
    if notification_ids is not None:
        pending = pending.filter(pk__in=list(notification_ids))
    if older_than is not None:
        pending = pending.filter(created_at__lt=older_than)
    sent = 0
    with get_connection() as connection:
        for notification in pending:
            user = notification.recipient
            with translation.override(_language(user)):
                message = _message(
                    user,
                    _("Lindung: %(event)s %(reference)s")
                    % {"event": notification.get_event_display(), "reference": notification.reference},
                    "notifications/email/notification.txt",
                    {"notification": notification, "user": user},
                )
            connection.send_messages([message])
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def send_digests() -> int:
    """One e-mail per user listing what their digest events brought since the last digest."""
    by_user = defaultdict(list)
    for notification in _pending(Channel.DIGEST):
        by_user[notification.recipient].append(notification)
    sent = 0
    with get_connection() as connection:
        for user, notifications in by_user.items():
            with translation.override(_language(user)):
                message = _message(
                    user,
                    _("Lindung: your daily digest (%(count)s)") % {"count": len(notifications)},
                    "notifications/email/digest.txt",
                    {"notifications": notifications, "user": user},
                )
            connection.send_messages([message])
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
                emailed_at=timezone.now()
            )
            sent += 1
    return sent
