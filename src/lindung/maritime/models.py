"""Incidents at sea, the vessels involved, the persons on board (counts only), suspected
facilitators (opaque references only) and attachments.

Every incident and attachment carries a TLP 2.0 marking; an incident also carries a distribution
level and, for ``sharing_group`` distribution, the group. The policy enforces them through the
scope hooks of the Incident rule (see policy_rules.py and lindung.core.marked_access).

Objects received from another node keep where they came from: ``origin_node`` names the node,
``origin_id`` the STIX id there, ``version``/``modified_at`` the version received, so that a
newer version supersedes an older one instead of duplicating it. Locally created objects have an
empty ``origin_node`` and their STIX id is derived from ``uuid``.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core.fields import EncryptedBinaryField, EncryptedTextField
from lindung.core.markings import TLP, Distribution

from . import codes

MMSI_VALIDATOR = RegexValidator(r"^\d{9}$", _("An MMSI has exactly nine digits."))
# A facilitator reference is an opaque code, never a description: no spaces, so no names or prose.
FACILITATOR_REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{1,63}$")
FACILITATOR_REFERENCE_VALIDATOR = RegexValidator(
    FACILITATOR_REFERENCE_RE,
    _(
        "A reference is an opaque code (letters, digits, . _ : / -, no spaces), "
        "never a description of a person."
    ),
)


class OriginMixin(models.Model):
    """Where an object comes from and which version of it this is (for exchange between nodes)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    origin_node = models.CharField(
        _("origin node"), max_length=200, blank=True, help_text=_("Empty when recorded on this node.")
    )
    origin_id = models.CharField(_("identifier at origin"), max_length=120, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified"), default=timezone.now)

    stix_type = ""  # STIX object type used to build the local STIX id

    class Meta:
        abstract = True

    @property
    def is_local(self) -> bool:
        return not self.origin_node

    @property
    def stix_id(self) -> str:
        """The STIX id: the origin's for imported objects, derived from ``uuid`` for local ones."""
        return self.origin_id or f"{self.stix_type}--{self.uuid}"


class Vessel(OriginMixin):
    stix_type = "x-lindung-vessel"

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="vessels", verbose_name=_("organisation")
    )
    vessel_type = models.CharField(_("type of vessel"), max_length=32, choices=codes.vessel_type_choices)
    name = models.CharField(_("name or description"), max_length=200, blank=True)
    flag = models.CharField(_("flag"), max_length=3, blank=True, choices=codes.country_choices)
    length_m = models.DecimalField(
        _("length (metres)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
    )
    engine = models.CharField(_("propulsion"), max_length=16, blank=True, choices=codes.vessel_engine_choices)
    engine_power_hp = models.PositiveIntegerField(_("engine power (hp)"), null=True, blank=True)
    registration = models.CharField(_("registration"), max_length=60, blank=True)
    mmsi = models.CharField(_("AIS MMSI"), max_length=9, blank=True, validators=[MMSI_VALIDATOR])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("vessel")
        verbose_name_plural = _("vessels")
        constraints = [
            models.UniqueConstraint(
                fields=["origin_node", "origin_id"],
                condition=~Q(origin_id=""),
                name="maritime_vessel_origin_unique",
            )
        ]

    def __str__(self):
        return self.name or self.get_vessel_type_display()


class FacilitatorReference(OriginMixin):
    """A suspected facilitator or smuggling network, referred to by an opaque reference only.

    ``reference`` is a pseudonym or case reference kept by the recording organisation; who it
    stands for is held elsewhere (or nowhere). ``network_name`` is the name of a network as used in
    reporting (a STIX threat-actor), never an individual's name.
    """

    stix_type = "threat-actor"

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="facilitator_references",
        verbose_name=_("organisation"),
    )
    reference = models.CharField(_("reference"), max_length=64, validators=[FACILITATOR_REFERENCE_VALIDATOR])
    network_name = models.CharField(_("network"), max_length=120, blank=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("facilitator reference")
        verbose_name_plural = _("facilitator references")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="maritime_facilitator_ref_unique"
            ),
            models.UniqueConstraint(
                fields=["origin_node", "origin_id"],
                condition=~Q(origin_id=""),
                name="maritime_facilitator_origin_unique",
            ),
        ]

    def __str__(self):
        return self.reference


class Incident(OriginMixin):
    stix_type = "report"

    class Setting(models.TextChoices):
        """Where the incident happened: the maritime module records incidents at sea, but public
        data sets (MMP) also count deaths on land, which must not be counted as deaths at sea."""

        SEA = "sea", _("At sea")
        LAND = "land", _("On land")
        UNKNOWN = "unknown", _("In transit or not known")

    class SourceNote(models.TextChoices):
        """What an import changed or could not take from the source row (shown on the incident)."""

        COORDINATES_SWAPPED = (
            "coordinates_swapped",
            _("The coordinates were swapped in the source (longitude first); they were put back in order."),
        )
        COORDINATES_OUT_OF_RANGE = (
            "coordinates_out_of_range",
            _("The coordinates in the source are out of range; the incident has no position."),
        )

    # No index of its own: the two indexes below that start with the organisation serve lookups
    # by organisation, and every index costs a write for each incident (a pull stores thousands).
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("organisation"),
        db_index=False,
    )
    incident_type = models.CharField(
        _("type of incident"), max_length=32, choices=codes.incident_type_choices
    )
    occurred_at = models.DateTimeField(_("date and time"))
    # Position: a point with its precision, or an area, or both.
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    position_precision_m = models.PositiveIntegerField(
        _("position precision (metres)"), null=True, blank=True
    )
    area = models.CharField(
        _("area"),
        max_length=200,
        blank=True,
        help_text=_("Sea area or region when no exact position is known."),
    )
    location_description = models.CharField(_("location description"), max_length=300, blank=True)
    setting = models.CharField(
        _("where it happened"), max_length=8, choices=Setting.choices, default=Setting.SEA
    )
    vessel = models.ForeignKey(
        Vessel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
        verbose_name=_("vessel"),
    )
    # Counts: None means not known, 0 means none.
    persons_on_board = models.PositiveIntegerField(_("persons on board"), null=True, blank=True)
    dead = models.PositiveIntegerField(_("dead"), null=True, blank=True)
    missing = models.PositiveIntegerField(_("missing"), null=True, blank=True)
    survivors = models.PositiveIntegerField(_("survivors"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=32, blank=True, choices=codes.incident_outcome_choices
    )
    cause_of_death = models.CharField(
        _("cause of death"), max_length=32, blank=True, choices=codes.cause_of_death_choices
    )
    # Route.
    route = models.CharField(
        _("migration route"), max_length=32, blank=True, choices=codes.migration_route_choices
    )
    departure_point = models.CharField(_("departure point"), max_length=200, blank=True)
    departure_country = models.CharField(
        _("departure country"), max_length=3, blank=True, choices=codes.country_choices
    )
    departure_latitude = models.DecimalField(
        _("departure latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    departure_longitude = models.DecimalField(
        _("departure longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    intended_destination = models.CharField(_("intended destination"), max_length=200, blank=True)
    destination_country = models.CharField(
        _("intended destination country"), max_length=3, blank=True, choices=codes.country_choices
    )
    disembarkation_port = models.CharField(_("disembarkation port"), max_length=200, blank=True)
    disembarkation_country = models.CharField(
        _("disembarkation country"), max_length=3, blank=True, choices=codes.country_choices
    )
    disembarkation_latitude = models.DecimalField(
        _("disembarkation latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    disembarkation_longitude = models.DecimalField(
        _("disembarkation longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    facilitators = models.ManyToManyField(
        FacilitatorReference, blank=True, related_name="incidents", verbose_name=_("suspected facilitators")
    )
    # Source and its grading (Admiralty code: reliability A-F, credibility 1-6).
    source = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    source_reliability = models.CharField(
        _("source reliability"), max_length=1, blank=True, choices=codes.source_reliability_choices
    )
    information_credibility = models.CharField(
        _("information credibility"), max_length=1, blank=True, choices=codes.information_credibility_choices
    )
    # Identifier in a public data set (e.g. "mmp:12345"), so that importing twice updates, not duplicates.
    source_id = models.CharField(_("source identifier"), max_length=120, blank=True)
    # Several incidents of one event share it (MMP "Main ID"); the incident's own id is source_id.
    source_event_id = models.CharField(_("event in the source"), max_length=120, blank=True)
    # Codes of SourceNote: what the import fixed in, or could not take from, the source row.
    source_notes = models.JSONField(_("notes on the source"), default=list, blank=True)
    # Free text may name people: encrypted at rest.
    narrative = EncryptedTextField(_("narrative"), blank=True, null=True)
    # Markings.
    tlp = models.CharField(_("TLP marking"), max_length=16, choices=TLP.choices, default=TLP.AMBER)
    distribution = models.CharField(
        _("distribution"), max_length=16, choices=Distribution.choices, default=Distribution.ORGANISATION
    )
    sharing_group = models.ForeignKey(
        "core.SharingGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("sharing group"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Set when an analyst decided that this report is another report of the event ``duplicate_of``
    # holds the figures of (see same_event.py): statistics count the event once, through it.
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("another report of"),
        editable=False,
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["organisation", "occurred_at"]),
            models.Index(fields=["route", "occurred_at"]),
            models.Index(fields=["tlp", "distribution"]),
            # An exchange collection is an organisation's incidents in order of modification.
            models.Index(fields=["organisation", "modified_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_id"],
                condition=~Q(source_id=""),
                name="maritime_incident_source_unique",
            ),
            models.UniqueConstraint(
                fields=["origin_node", "origin_id"],
                condition=~Q(origin_id=""),
                name="maritime_incident_origin_unique",
            ),
            models.CheckConstraint(
                condition=~Q(distribution=Distribution.SHARING_GROUP) | Q(sharing_group__isnull=False),
                name="maritime_incident_group_distribution",
            ),
        ]

    def __str__(self):
        return f"{self.get_incident_type_display()} — {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("maritime:incident_detail", args=[self.pk])

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def has_route_line(self) -> bool:
        return None not in (
            self.departure_latitude,
            self.departure_longitude,
            self.disembarkation_latitude,
            self.disembarkation_longitude,
        )

    @property
    def source_note_texts(self) -> list[str]:
        labels = dict(self.SourceNote.choices)
        return [str(labels.get(code, code)) for code in self.source_notes]

    @property
    def dead_and_missing(self) -> int:
        return (self.dead or 0) + (self.missing or 0)

    def clean(self):
        errors = self.rule_errors(lambda name: getattr(self, name))
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def rule_errors(value) -> dict:
        """The rules between an incident's fields, each field's own value already valid, given
        ``value(attname)``: ``clean`` applies them to an instance, and a node receiving incidents
        applies them to the received values without building one (lindung.sharing.exchange)."""
        errors = {}
        occurred_at, latitude, longitude = value("occurred_at"), value("latitude"), value("longitude")
        if occurred_at and occurred_at > timezone.now():
            errors["occurred_at"] = _("The incident cannot be in the future.")
        if (latitude is None) != (longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        if (value("departure_latitude") is None) != (value("departure_longitude") is None):
            errors["departure_longitude"] = _(
                "Give both latitude and longitude of the departure point, or neither."
            )
        if (value("disembarkation_latitude") is None) != (value("disembarkation_longitude") is None):
            errors["disembarkation_longitude"] = _(
                "Give both latitude and longitude of the disembarkation port, or neither."
            )
        has_position = latitude is not None and longitude is not None
        if not has_position and not value("area") and not value("location_description"):
            errors["area"] = _("Give a position, an area or a location description.")
        dead, missing = value("dead"), value("missing")
        if value("persons_on_board") is not None:
            accounted = sum(v or 0 for v in (dead, missing, value("survivors")))
            if accounted > value("persons_on_board"):
                errors["persons_on_board"] = _(
                    "Dead, missing and survivors together (%(n)s) exceed the persons on board."
                ) % {"n": accounted}
        distribution, sharing_group_id = value("distribution"), value("sharing_group_id")
        if distribution == Distribution.SHARING_GROUP and sharing_group_id is None:
            errors["sharing_group"] = _("Choose the sharing group this incident is distributed to.")
        if distribution != Distribution.SHARING_GROUP and sharing_group_id is not None:
            errors["sharing_group"] = _(
                "A sharing group is only used with the distribution 'A sharing group'."
            )
        if value("cause_of_death") and not (dead or missing):
            errors["cause_of_death"] = _("A cause of death needs at least one person dead or missing.")
        return errors


class PersonsOnBoard(models.Model):
    """How many persons of one sex, age group and nationality were on board (counts, no one named)."""

    # No index of its own: the unique (incident, sex, age group, nationality) below starts with it.
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="persons", verbose_name=_("incident"), db_index=False
    )
    sex = models.CharField(_("sex"), max_length=2, choices=codes.sex_choices, default="U")
    age_group = models.CharField(
        _("age group"), max_length=16, choices=codes.age_group_choices, default="unknown"
    )
    nationality = models.CharField(
        _("nationality"),
        max_length=3,
        blank=True,
        choices=codes.country_choices,
        help_text=_("Empty when not known."),
    )
    count = models.PositiveIntegerField(_("number of persons"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["nationality", "sex", "age_group"]
        verbose_name = _("persons on board")
        verbose_name_plural = _("persons on board")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "sex", "age_group", "nationality"], name="maritime_persons_unique_group"
            )
        ]

    def __str__(self):
        return f"{self.count} × {self.sex}/{self.age_group}/{self.nationality or '?'}"


class Attachment(models.Model):
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("incident")
    )
    # The incident's organisation, whose key seals the content (and re-seals it on rotation).
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    # A photograph or a report can show or name the people on board: the file is sealed like any
    # personal data, with the key of the incident's organisation, and never written to disk.
    content = EncryptedBinaryField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    tlp = models.CharField(_("TLP marking"), max_length=16, choices=TLP.choices, default=TLP.AMBER)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title


class ScreeningBatch(models.Model):
    """Screenings opened for the persons on board of a disembarkation: ``size`` draft interviews of
    ``organisation`` (the screening organisation, which owns them), linked back to the incident by
    IncidentScreening rows, so that an incident's protection outcomes can be counted without naming
    anyone."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="screening_batches", verbose_name=_("incident")
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    instrument_version = models.ForeignKey(
        "screening.InstrumentVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("instrument"),
    )
    size = models.PositiveIntegerField(_("number of screenings"), validators=[MinValueValidator(1)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("screening batch")
        verbose_name_plural = _("screening batches")

    def __str__(self):
        return f"{self.size} × {self.incident}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("maritime:screening_batch_detail", args=[self.pk])


class IncidentScreening(models.Model):
    """One interview of a batch, with the group of the persons-on-board breakdown it was opened for
    (sex and age group only: a count's category, not a person's data)."""

    batch = models.ForeignKey(ScreeningBatch, on_delete=models.CASCADE, related_name="screenings")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="screenings")
    interview = models.OneToOneField(
        "screening.Interview", on_delete=models.CASCADE, related_name="incident_screening"
    )
    sex = models.CharField(_("sex"), max_length=2, blank=True)
    age_group = models.CharField(_("age group"), max_length=16, blank=True)

    class Meta:
        ordering = ["batch", "id"]

    def __str__(self):
        return f"{self.batch_id}/{self.interview_id}"


class EventDecision(models.Model):
    """An analyst's answer to "are these two reports one event?", so that a pair is never proposed
    again. The pair is stored lowest id first; for "same", ``primary`` is the report that keeps the
    figures (the other one gets ``duplicate_of``)."""

    class Decision(models.TextChoices):
        SAME = "same", _("Same event")
        APART = "apart", _("Different events")

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    first = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    primary = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "first", "second"], name="maritime_event_pair_once"
            ),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="maritime_event_pair_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.first_id}/{self.second_id}: {self.decision}"
