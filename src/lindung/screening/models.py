"""Screening instruments (versioned data), interviews and their explainable profiles.

An instrument's content lives in ``InstrumentVersion.definition`` (see ``instrument.py``): editing
works on a draft version, publishing freezes it, and interviews keep the version they used.
Answers, explanations and the interview's place are personal data and are encrypted; the profile's
codes (categories, factors, urgency, suggested services) and the interview's country are kept in
clear for aggregation, and identify nobody on their own.
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core.fields import EncryptedCharField, EncryptedJSONField
from lindung.core.models import Organisation

from . import codes
from . import instrument as instrument_data

_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _interview_reference():
    code = "".join(secrets.choice(_REF_ALPHABET) for _ in range(10))
    return f"S-{code[:5]}-{code[5:]}"


class Instrument(models.Model):
    """A questionnaire identified by its XLSForm ``form_id``. ``organisation`` empty: shipped with
    Lindung, readable by everyone and changed by nobody (copy it to adapt it)."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="screening_instruments"
    )
    form_id = models.CharField(_("form id"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("screening:instrument_detail", args=[self.pk])

    def published_version(self):
        return (
            self.versions.filter(status=InstrumentVersion.Status.PUBLISHED).order_by("-published_at").first()
        )


class InstrumentVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=32)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    definition = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["instrument", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "version"], name="screening_version_unique"),
        ]

    def __str__(self):
        return f"{self.instrument.form_id} {self.version}"

    @property
    def title(self) -> str:
        return instrument_data.text(self.definition.get("title"))

    @property
    def organisation_id(self):
        return self.instrument.organisation_id


class Interview(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress (paused)")
        COMPLETED = "completed", _("Completed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="screening_interviews"
    )
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=_interview_reference, editable=False
    )
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="interviews")
    person = models.ForeignKey(
        "cases.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="screening_interviews"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    channel = models.CharField(
        _("collected"), max_length=12, choices=codes.interview_channel_choices, default="web"
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    answers = EncryptedJSONField(_("answers"), null=True, blank=True)
    current_section = models.CharField(max_length=64, blank=True)
    # Where the interview took place, for needs mapping: the country code in clear; the place is the
    # interviewer's free text (a village, a shelter's street), which can point at a person, so it is
    # sealed like the answers it is copied from.
    country = models.CharField(_("country"), max_length=3, blank=True)
    place = EncryptedCharField(_("place"), max_length=100, null=True, blank=True)
    instance_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("screening:interview_detail", args=[self.pk])


class Profile(models.Model):
    """What the rules conclude from a completed interview, with the reasons for each conclusion."""

    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="profile")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    categories = models.JSONField(default=list)
    risk_factors = models.JSONField(default=list)
    protective_factors = models.JSONField(default=list)
    urgency = models.CharField(_("urgency"), max_length=12, choices=codes.urgency_choices)
    suggested_services = models.JSONField(default=list)
    explanation = EncryptedJSONField(null=True, blank=True)
    rules_version = models.CharField(max_length=64)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self):
        return f"profile of {self.interview}"

    def get_absolute_url(self):
        return reverse("screening:interview_detail", args=[self.interview_id])


class OpenRosaCredential(models.Model):
    """A user's secret for phones (ODK Collect, KoboCollect), separate from the sign-in password.

    HTTP Digest needs MD5(username:realm:secret) on the server, which Django's password hashes
    cannot give, so only that HA1 digest is kept (never the secret)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="openrosa_credential"
    )
    ha1 = models.CharField(max_length=32)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"OpenRosa secret of user {self.user_id}"


class DigestNonce(models.Model):
    """The highest nonce count accepted so far for one OpenRosa Digest nonce, kept while the nonce
    is valid: an answer captured and played again (same or lower count) is refused."""

    nonce = models.CharField(max_length=64, unique=True)
    issued = models.BigIntegerField(db_index=True)  # the nonce's own time stamp, in seconds
    count = models.BigIntegerField()

    def __str__(self):
        return f"Digest nonce issued at {self.issued}, count {self.count}"
