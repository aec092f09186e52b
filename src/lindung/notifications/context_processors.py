"""The unread count in the header of every page (one indexed COUNT per page)."""

from django.urls import reverse

from .models import Notification


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notifications_url": reverse("notifications:inbox"),
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    }
