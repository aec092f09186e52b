"""The directory of services and the referrals sent to them.

A service belongs to the organisation that provides it (``core.Organisation``); its contact details
are the service's, not a person's. A referral belongs to the referring organisation and is read by
the receiving one; what the receiver sees is the minimal ``payload`` written at sending time
(encrypted), never the referrer's case or screening.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core.fields import EncryptedJSONField, EncryptedTextField
from lindung.core.models import Organisation

from . import codes

_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _referral_reference():
    code = "".join(secrets.choice(_REF_ALPHABET) for _ in range(10))
    return f"R-{code[:5]}-{code[5:]}"


class Service(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(_("name"), max_length=200)
    service_type = models.CharField(_("type of service"), max_length=40, choices=codes.service_type_choices)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("who is eligible"), blank=True)
    languages = models.JSONField(_("languages (ISO 639-3)"), default=list, blank=True)
    country = models.CharField(_("country"), max_length=3, choices=codes.country_choices)
    place = models.CharField(_("place (province, city or district)"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    coverage_area = models.CharField(_("area covered"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (persons at a time)"), null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    answer_days = models.PositiveSmallIntegerField(
        _("answers referrals within (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    active = models.BooleanField(_("accepting referrals"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "place", "name"]
        indexes = [models.Index(fields=["service_type", "country"])]

    def __str__(self):
        return f"{self.name} ({self.organisation.short_name or self.organisation.name})"

    def get_absolute_url(self):
        return reverse("referrals:service_detail", args=[self.pk])


class Referral(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Service given")
        WITHDRAWN = "withdrawn", _("Withdrawn by the referrer")

    OPEN = (Status.SENT,)

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_sent")
    receiving_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received"
    )
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=_referral_reference, editable=False
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(
        "cases.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    profile = models.ForeignKey(
        "screening.Profile", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    needs = models.JSONField(_("needs"), default=list)
    urgency = models.CharField(_("urgency"), max_length=12, choices=codes.urgency_choices)
    identity_shared = models.BooleanField(_("identity shared"), default=False)
    # What the receiving organisation sees about the person, fixed when the referral is sent.
    payload = EncryptedJSONField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SENT)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(
        _("reason"), max_length=24, choices=codes.decline_reason_choices, blank=True
    )
    answer_note = EncryptedTextField(_("note from the receiver"), null=True, blank=True)
    service_given = models.CharField(
        _("service given"), max_length=40, choices=codes.service_type_choices, blank=True
    )
    service_date = models.DateField(_("date of service"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("referrals:referral_detail", args=[self.pk])

    @staticmethod
    def due_for(service: Service, sent_at):
        return sent_at + timedelta(days=service.answer_days)

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.SENT and self.due_at < timezone.now()
