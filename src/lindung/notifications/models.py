"""The inbox, each user's choices of how to be told, and analysts' watch rules on incidents.

A notification names its object by a pseudonymous reference (a referral's or a case's reference,
an incident's number) and a link; it never copies personal data. Whether the recipient may see
the object is decided by ``core.policy`` when the notification is made (see services.notify).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.cases.choices import ConsentPurpose
from lindung.core.markings import TLP
from lindung.standard import registry


class Event(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", _("Referral received")
    REFERRAL_ANSWERED = "referral_answered", _("Referral answered")
    REFERRAL_OVERDUE = "referral_overdue", _("Referral overdue")
    TASK_DUE = "task_due", _("Task due today")
    TASK_OVERDUE = "task_overdue", _("Task overdue")
    CLOSURE_REQUESTED = "closure_requested", _("Case closure waiting for approval")
    TRANSFER_RECEIVED = "transfer_received", _("Case transfer received")
    READMISSION_DEADLINE = "readmission_deadline", _("Readmission answer deadline near")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    IMPORT_FINISHED = "import_finished", _("Import finished")
    IMPORT_FAILED = "import_failed", _("Import failed or rejected")
    WATCH_MATCH = "watch_match", _("Incident matching a watch rule")


# One sentence per event; ``reference`` is the pseudonymous reference of the object.
MESSAGES = {
    Event.REFERRAL_RECEIVED: _("Referral %(reference)s was sent to your organisation."),
    Event.REFERRAL_ANSWERED: _("Referral %(reference)s was answered: %(answer)s."),
    Event.REFERRAL_OVERDUE: _("Referral %(reference)s is waiting for an answer past its due date."),
    Event.TASK_DUE: _("A task of case %(reference)s is due today."),
    Event.TASK_OVERDUE: _("A task of case %(reference)s is overdue."),
    Event.CLOSURE_REQUESTED: _("Closure of case %(reference)s is waiting for approval."),
    Event.TRANSFER_RECEIVED: _("Case %(reference)s was transferred to your organisation."),
    Event.READMISSION_DEADLINE: _("The readmission answer for case %(reference)s is due by %(due)s."),
    Event.CONSENT_WITHDRAWN: _("Consent (%(purpose)s) was withdrawn for %(reference)s."),
    Event.IMPORT_FINISHED: _("Import %(reference)s finished: %(imported)s rows imported."),
    Event.IMPORT_FAILED: _("Import %(reference)s did not go through (%(status)s)."),
    Event.WATCH_MATCH: _("Incident %(reference)s matches your watch rule."),
}


# Codes kept in ``Notification.detail``, said in words when the sentence is shown.
DETAIL_LABELS = {
    "answer": {"accepted": _("accepted"), "declined": _("declined"), "completed": _("service given")},
    "purpose": dict(ConsentPurpose.choices),
    "status": {
        "rejected": _("the file has errors"),
        "failed": _("it failed"),
        "refused": _("the file was refused"),
    },
}


class Channel(models.TextChoices):
    INBOX = "inbox", _("Inbox only")
    EMAIL = "email", _("Inbox and an e-mail at once")
    DIGEST = "digest", _("Inbox and the daily digest e-mail")
    OFF = "off", _("Off")


# What a user gets for an event they have not chosen for: the inbox, except watch alerts, which an
# analyst set up to hear about at once.
DEFAULT_CHANNELS = {Event.WATCH_MATCH: Channel.EMAIL}


def default_channel(event: str) -> str:
    return DEFAULT_CHANNELS.get(event, Channel.INBOX)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    reference = models.CharField(_("reference"), max_length=64)
    link = models.CharField(max_length=300, blank=True)
    # Codes and counts for the sentence (an answer, a number of rows); never personal data.
    detail = models.JSONField(default=dict, blank=True)
    watch_rule = models.ForeignKey(
        "WatchRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.INBOX)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unread count shown on every page.
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            # What the digest and the e-mail sender still have to send.
            models.Index(fields=["channel", "emailed_at"], name="notif_to_email"),
            # "Was this user already told about this object?" (scans and watch rules run again).
            models.Index(fields=["content_type", "object_id", "event"], name="notif_object_event"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} {self.reference}"

    @property
    def message(self) -> str:
        values = {
            "reference": self.reference,
            "answer": "",
            "due": "",
            "purpose": "",
            "imported": 0,
            "status": "",
        }
        for name, value in (self.detail or {}).items():
            values[name] = DETAIL_LABELS.get(name, {}).get(value, value)
        return str(MESSAGES[self.event]) % values

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(max_length=32, choices=Event.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notif_preference_unique")]

    def __str__(self):
        return f"{self.event}: {self.channel}"


class WatchRule(models.Model):
    """An analyst's standing question about incidents at sea. Every condition set must hold; a rule
    with none set matches every incident its owner may see."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_rules")
    # The organisation in which the owner reads incidents; the rule goes when that role goes.
    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    min_latitude = models.DecimalField(
        _("southern edge (latitude)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    max_latitude = models.DecimalField(
        _("northern edge (latitude)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    min_longitude = models.DecimalField(
        _("western edge (longitude)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    max_longitude = models.DecimalField(
        _("eastern edge (longitude)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    area_name = models.CharField(
        _("named sea area"),
        max_length=200,
        blank=True,
        help_text=_("Matches incidents whose area has this name (capitals do not matter)."),
    )
    route = models.CharField(_("migration route"), max_length=32, blank=True)
    incident_type = models.CharField(_("type of incident"), max_length=32, blank=True)
    min_dead_and_missing = models.PositiveIntegerField(
        _("at least this many dead and missing"), null=True, blank=True
    )
    tlp = models.JSONField(_("TLP markings"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("watch rule")
        verbose_name_plural = _("watch rules")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("notifications:watch_rule_edit", args=[self.pk])

    @property
    def has_box(self) -> bool:
        return None not in (self.min_latitude, self.max_latitude, self.min_longitude, self.max_longitude)

    def matches(self, incident) -> bool:
        """Does ``incident`` meet every condition set? (Whether the owner may see it is the
        policy's question, asked separately.)"""
        if self.has_box:
            if incident.latitude is None or incident.longitude is None:
                return False
            if not self.min_latitude <= incident.latitude <= self.max_latitude:
                return False
            if self.min_longitude <= self.max_longitude:
                inside = self.min_longitude <= incident.longitude <= self.max_longitude
            else:  # a box across the antimeridian (e.g. 170 to -170)
                inside = incident.longitude >= self.min_longitude or incident.longitude <= self.max_longitude
            if not inside:
                return False
        if self.area_name and (incident.area or "").casefold() != self.area_name.casefold():
            return False
        if self.route and incident.route != self.route:
            return False
        if self.incident_type and incident.incident_type != self.incident_type:
            return False
        if self.min_dead_and_missing is not None and incident.dead_and_missing < self.min_dead_and_missing:
            return False
        return not self.tlp or incident.tlp in self.tlp

    def route_label(self) -> str:
        return registry.label("migration_route", self.route) if self.route else ""

    def incident_type_label(self) -> str:
        return registry.label("incident_type", self.incident_type) if self.incident_type else ""

    def tlp_labels(self) -> list[str]:
        return [TLP(code).label for code in self.tlp if code in TLP.values]
