"""Peers (other Lindung nodes), sharing agreements, the exchange log and imported-object tracking.

Sharing groups and explicit shares are core models (``core.SharingGroup``, ``core.ObjectShare``);
this app adds which nodes belong to a group (``Peer.sharing_groups``).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core.fields import EncryptedCharField
from lindung.core.markings import TLP
from lindung.core.models import Organisation, SharingGroup, User

# Fixed namespace: ids derived from it are the same on every node (organisation identities,
# collections of an agreement), so two nodes agree on them without talking.
LINDUNG_NAMESPACE = uuid.UUID("6f0c1d0e-5a0b-4d7e-9a43-6c1e2b7f4a11")


class Peer(models.Model):
    """Another Lindung node this node exchanges with, and the credentials both ways.

    Incoming: the peer signs in to our TAXII server as ``name`` with a secret we only keep hashed.
    Outgoing: we sign in to the peer's TAXII server with ``outgoing_username`` and a secret kept
    encrypted with the administering organisation's key.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="peers", verbose_name=_("administered by")
    )
    name = models.SlugField(
        _("name"),
        max_length=60,
        unique=True,
        help_text=_("The user name this node signs in with on our TAXII server."),
    )
    api_root_url = models.URLField(_("TAXII API root of the peer"), max_length=300)
    description = models.CharField(_("description"), max_length=300, blank=True)
    incoming_secret_hash = models.CharField(max_length=64, blank=True)
    outgoing_username = models.CharField(_("our user name at the peer"), max_length=60, blank=True)
    outgoing_secret = EncryptedCharField(_("our secret at the peer"), max_length=200, null=True, blank=True)
    organisations = models.ManyToManyField(
        Organisation, related_name="hosted_by_peers", blank=True, verbose_name=_("organisations at that node")
    )
    sharing_groups = models.ManyToManyField(
        SharingGroup, related_name="peers", blank=True, verbose_name=_("sharing groups the node belongs to")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_pull_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("peer node")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sharing:peer_detail", args=[self.pk])


class AgreementQuerySet(models.QuerySet):
    def in_force(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, valid_from__lte=at).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=at)
        )


class SharingAgreement(models.Model):
    """What ``organisation`` (here) and ``partner_organisations`` (at ``peer``) exchange.

    Both nodes record the same agreement (same ``reference``). It governs both directions: what
    this node serves to the peer and what it accepts from it. Outside its validity, or once
    revoked, nothing is exchanged under it.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sharing_agreements", verbose_name=_("our party")
    )
    peer = models.ForeignKey(
        Peer, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("peer node")
    )
    partner_organisations = models.ManyToManyField(
        Organisation, related_name="partner_agreements", verbose_name=_("partner organisations")
    )
    reference = models.SlugField(
        _("reference"), max_length=80, help_text=_("The same reference on both nodes, e.g. wio-2026-01.")
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    categories = models.JSONField(_("categories of data"), default=list)
    fields = models.JSONField(_("fields allowed"), default=list)
    tlp_ceiling = models.CharField(
        _("highest TLP marking exchanged"), max_length=16, choices=TLP.choices, default=TLP.AMBER
    )
    retention_days = models.PositiveIntegerField(_("retention at the receiver (days)"), default=365)
    sharing_group = models.ForeignKey(
        SharingGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("sharing group"),
    )
    peer_may_write = models.BooleanField(_("the peer may send objects to our collection"), default=False)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Date-added of the last object pulled from the peer under this agreement (TAXII added_after).
    pull_cursor = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sharing agreement")
        # Both sides of an agreement may live on one node (the demo does): unique per peer.
        constraints = [
            models.UniqueConstraint(fields=["peer", "reference"], name="agreement_reference_per_peer")
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("sharing:agreement_detail", args=[self.pk])

    @property
    def collection_id(self) -> uuid.UUID:
        return uuid.uuid5(LINDUNG_NAMESPACE, f"collection:{self.reference}")

    def in_force(self, at=None) -> bool:
        at = at or timezone.now()
        return (
            self.revoked_at is None
            and self.valid_from <= at
            and (self.valid_until is None or self.valid_until > at)
        )

    def pseudonym_purpose(self) -> str:
        return f"agreement:{self.pk}"


class ExchangeLog(models.Model):
    """One exchange with another node, on either side (served, pulled, received, refused)."""

    class Direction(models.TextChoices):
        SERVED = "served", _("Served to a peer")
        RECEIVED = "received", _("Received from a peer")
        PULLED = "pulled", _("Pulled from a peer")

    class Outcome(models.TextChoices):
        OK = "ok", _("Completed")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.SET_NULL, related_name="exchanges")
    agreement = models.ForeignKey(
        SharingAgreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="exchanges"
    )
    direction = models.CharField(max_length=16, choices=Direction.choices)
    operation = models.CharField(max_length=40)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    object_count = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    # TAXII status resource of a POST (its id is public; details list object ids only).
    status_id = models.UUIDField(null=True, blank=True, unique=True)
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("exchange")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.direction} {self.operation} {self.outcome}"


class ImportedObject(models.Model):
    """Where a local record came from: the STIX id, version and agreement it arrived under."""

    stix_id = models.CharField(max_length=100, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("the organisation that reported it"),
    )
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="imported")
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.PROTECT, related_name="imported")
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    modified = models.DateTimeField()
    versions_received = models.PositiveIntegerField(default=1)
    first_received_at = models.DateTimeField(default=timezone.now)
    last_received_at = models.DateTimeField(default=timezone.now)
    retain_until = models.DateTimeField()

    class Meta:
        ordering = ["-last_received_at"]

    def __str__(self):
        return self.stix_id
