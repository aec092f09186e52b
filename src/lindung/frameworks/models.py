"""The knowledge base of policies and legal frameworks.

Frameworks are reference data, not personal data: nothing here is encrypted. Code lists (types,
statuses, themes, groups, regions, GCM objectives) come from the data standard
(``standard/definitions/<version>/frameworks.yaml``); the models store codes only.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.standard import registry

from . import choices
from .codes import CodesField

TREATY_FAMILIES = frozenset({"treaty", "agreement"})  # take signatures and ratifications
BINDING_FAMILIES = frozenset({"treaty", "agreement", "national", "operational"})
NATIONAL_FAMILIES = frozenset({"national", "operational"})  # belong to one country


def instrument_family(instrument_type: str) -> str:
    code = registry.code_list("framework_instrument_type").get(instrument_type or "")
    return code.parent if code else ""


def region_members(region: str) -> list[str]:
    code = registry.code_list("framework_region").get(region or "")
    return code.crosswalk.get("iso3166_members", "").split() if code else []


class Instrument(models.Model):
    """A convention, protocol, commitment, law, policy, SOP, referral mechanism or agreement."""

    title_original = models.CharField(_("title in the original language"), max_length=500)
    # ISO 639-3, checked in clean(): as model choices its ~8,000 codes would be normalised on every save.
    original_language = models.CharField(_("original language"), max_length=3, blank=True)
    title_en = models.CharField(_("title in English"), max_length=500)
    short_title = models.CharField(_("short title"), max_length=120, blank=True)
    instrument_type = models.CharField(_("type"), max_length=32, choices=choices.instrument_type)
    country = models.CharField(
        _("country"),
        max_length=3,
        blank=True,
        choices=choices.country,
        help_text=_("For a national instrument: the country whose instrument it is."),
    )
    region = models.CharField(
        _("region"),
        max_length=32,
        blank=True,
        choices=choices.region,
        help_text=_("For an international or regional instrument: where it applies."),
    )
    parties = CodesField(
        _("parties"),
        blank=True,
        help_text=_("ISO 3166-1 alpha-3 codes of the states party or concerned, separated by spaces."),
    )
    open_to_all_states = models.BooleanField(
        _("open to all states"),
        default=False,
        help_text=_("A multilateral treaty any state may join: statuses may be recorded for any country."),
    )
    adopted_on = models.DateField(_("adopted or signed on"), null=True, blank=True)
    in_force_on = models.DateField(_("in force from"), null=True, blank=True)
    amended_on = models.DateField(_("last amended on"), null=True, blank=True)
    repealed_on = models.DateField(_("repealed or terminated on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=choices.instrument_status)
    summary = models.TextField(_("summary"), blank=True)
    citation = models.CharField(_("citation"), max_length=500, blank=True)
    source_url = models.URLField(_("link to the source"), max_length=500, blank=True)
    document = models.FileField(_("document"), upload_to="frameworks/documents/%Y/", blank=True)
    document_content_type = models.CharField(max_length=100, blank=True, editable=False)
    document_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    implements = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="implemented_by",
        verbose_name=_("implements"),
        help_text=_("International or regional instruments this instrument puts into effect."),
    )
    verification = models.CharField(
        _("verification"),
        max_length=16,
        default="unverified",
        choices=choices.verification,
    )
    verification_note = models.CharField(_("verification note"), max_length=500, blank=True)
    last_verified = models.DateField(_("last verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared = models.BooleanField(
        _("shared with every organisation"),
        default=True,
        help_text=_("Untick to keep an entry under preparation within your organisation."),
    )
    is_example = models.BooleanField(
        _("example"),
        default=False,
        help_text=_("Shipped as an illustrative example: check it before relying on it."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_in = models.ForeignKey(
        "core.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Organisation of the person who entered it (none for shipped reference data)."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["title_en"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        indexes = [models.Index(fields=["country", "instrument_type"]), models.Index(fields=["region"])]

    def __str__(self):
        return self.short_title or self.title_en

    def get_absolute_url(self):
        return reverse("frameworks:instrument_detail", args=[self.pk])

    @property
    def family(self) -> str:
        return instrument_family(self.instrument_type)

    @property
    def jurisdiction(self) -> str:
        return self.country or self.region

    @property
    def jurisdiction_label(self) -> str:
        if self.country:
            return registry.label("country", self.country)
        return registry.label("framework_region", self.region)

    def effective_status(self, today: datetime.date | None = None) -> str:
        """The recorded status, overridden by a repeal or expiry date that has passed."""
        today = today or timezone.localdate()
        if self.repealed_on and self.repealed_on <= today:
            return "repealed"
        if self.expires_on and self.expires_on < today:
            return "expired"
        return self.status

    def is_effective(self, today=None) -> bool:
        return self.effective_status(today) in ("in_force", "active")

    def countries_concerned(self) -> set[str]:
        """Countries the instrument binds or concerns, before any per-country status."""
        if self.country:
            return {self.country}
        # Named parties are the precise list; region membership stands in when none are named.
        return set(self.parties) or set(region_members(self.region))

    def clean(self):
        errors = {}
        family = self.family
        if bool(self.country) == bool(self.region):
            errors["country"] = _(
                "Give either a country or a region as the jurisdiction, not both and not neither."
            )
        elif family in NATIONAL_FAMILIES and not self.country:
            errors["country"] = _("A national or operational instrument belongs to one country.")
        bad_parties = [p for p in self.parties if not registry.is_valid("country", p)]
        if bad_parties:
            errors["parties"] = _("Unknown country codes: %(codes)s. Use ISO 3166-1 alpha-3 codes.") % {
                "codes": ", ".join(bad_parties)
            }
        if self.original_language and not registry.is_valid("language", self.original_language):
            errors["original_language"] = _("Use an ISO 639-3 language code, for example ind, msa or tha.")
        errors.update(_date_order_errors(self))
        errors.update(_status_errors(self))
        if errors:
            raise ValidationError(errors)


# (earlier field, later field): each pair, when both are given, must be in this order.
DATE_ORDER = [
    ("adopted_on", "in_force_on"),
    ("adopted_on", "amended_on"),
    ("adopted_on", "repealed_on"),
    ("adopted_on", "expires_on"),
    ("in_force_on", "repealed_on"),
    ("in_force_on", "expires_on"),
    ("amended_on", "repealed_on"),
]


def _date_order_errors(instrument) -> dict:
    errors = {}
    for earlier, later in DATE_ORDER:
        first, second = getattr(instrument, earlier), getattr(instrument, later)
        if first and second and second < first and later not in errors:
            errors[later] = _("%(later)s (%(second)s) cannot be before %(earlier)s (%(first)s).") % {
                "later": Instrument._meta.get_field(later).verbose_name,
                "second": second.isoformat(),
                "earlier": Instrument._meta.get_field(earlier).verbose_name,
                "first": first.isoformat(),
            }
    return errors


def _status_errors(instrument) -> dict:
    today = timezone.localdate()
    status = instrument.status
    if status == "repealed" and not instrument.repealed_on:
        return {"repealed_on": _("A repealed instrument needs the date it was repealed.")}
    if status == "expired" and not (instrument.expires_on and instrument.expires_on < today):
        return {"expires_on": _("An expired instrument needs an expiry date in the past.")}
    if status == "in_force" and instrument.in_force_on and instrument.in_force_on > today:
        return {"status": _("The entry into force date is in the future: use the status 'adopted'.")}
    if status == "active" and instrument.family in BINDING_FAMILIES:
        return {"status": _("'Active (non-binding)' is for commitments; a binding instrument is 'in force'.")}
    if status == "in_force" and instrument.family == "commitment":
        return {"status": _("A non-binding commitment is 'active', not 'in force'.")}
    return {}


class PartyStatus(models.Model):
    """Where one country stands in a treaty or agreement: signature, consent, reservations."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="party_statuses")
    country = models.CharField(_("country"), max_length=3, choices=choices.country)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    consent = models.CharField(_("consent to be bound"), max_length=16, blank=True, choices=choices.consent)
    consent_on = models.DateField(_("consent date"), null=True, blank=True)
    reservations = models.TextField(_("reservations and declarations"), blank=True)
    citation = models.CharField(_("source"), max_length=500, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=16,
        default="unverified",
        choices=choices.verification,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "country"], name="frameworks_one_status_per_country"
            )
        ]
        verbose_name = _("country status")
        verbose_name_plural = _("country statuses")

    def __str__(self):
        return f"{self.instrument} — {self.country}"

    @property
    def is_bound(self) -> bool:
        return bool(self.consent)

    def clean(self):
        errors = {}
        instrument = self.instrument
        if instrument.family not in TREATY_FAMILIES:
            errors["country"] = _("Only treaties and agreements take signatures and ratifications.")
        elif not instrument.open_to_all_states and self.country not in instrument.countries_concerned():
            errors["country"] = _("%(country)s is not a party to this instrument (parties: %(parties)s).") % {
                "country": self.country,
                "parties": ", ".join(sorted(instrument.countries_concerned())) or "—",
            }
        if self.consent_on and not self.consent:
            errors["consent"] = _("Say which kind of consent was given on that date.")
        if not (self.signed_on or self.consent):
            errors["signed_on"] = _("Record a signature, a consent to be bound, or both.")
        if self.signed_on and self.consent_on and self.consent_on < self.signed_on:
            errors["consent_on"] = _("The consent date cannot be before the signature.")
        for name in ("signed_on", "consent_on"):
            value = getattr(self, name)
            if value and instrument.adopted_on and value < instrument.adopted_on and name not in errors:
                errors[name] = _("This date cannot be before the instrument was adopted (%(date)s).") % {
                    "date": instrument.adopted_on.isoformat()
                }
        if errors:
            raise ValidationError(errors)


class Provision(models.Model):
    """A part of an instrument that matters, tagged with themes, GCM objectives and groups."""

    class TextKind(models.TextChoices):
        QUOTATION = "quotation", _("Quotation of the text")
        SUMMARY = "summary", _("Summary")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="provisions")
    reference = models.CharField(_("reference"), max_length=80, help_text=_("For example 'Article 8(2)'."))
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    text_kind = models.CharField(
        _("the text is"), max_length=16, choices=TextKind.choices, default=TextKind.SUMMARY
    )
    themes = CodesField(_("themes"), blank=True)
    gcm_objectives = CodesField(_("GCM objectives"), blank=True)
    groups = CodesField(_("groups covered"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["instrument_id", "position", "id"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")

    def __str__(self):
        return f"{self.instrument} — {self.reference}"

    def get_absolute_url(self):
        return f"{self.instrument.get_absolute_url()}#provision-{self.pk}"

    def theme_labels(self) -> list[str]:
        return [registry.label("framework_theme", c) for c in self.themes]

    def group_labels(self) -> list[str]:
        return [registry.label("framework_group", c) for c in self.groups]

    def clean(self):
        errors = {}
        for name, list_id in (
            ("themes", "framework_theme"),
            ("gcm_objectives", "gcm_objective"),
            ("groups", "framework_group"),
        ):
            unknown = [c for c in getattr(self, name) if not registry.is_valid(list_id, c)]
            if unknown:
                errors[name] = _("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)


class Recommendation(models.Model):
    """A recommendation or good practice from a review or consultation, and what became of it."""

    kind = models.CharField(_("kind"), max_length=16, choices=choices.recommendation_kind)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    source = models.CharField(_("source (review or consultation)"), max_length=300)
    source_date = models.DateField(_("date of the source"), null=True, blank=True)
    countries = CodesField(_("countries"), blank=True)
    themes = CodesField(_("themes"), blank=True)
    instruments = models.ManyToManyField(
        Instrument, blank=True, related_name="recommendations", verbose_name=_("instruments")
    )
    priority = models.CharField(_("priority"), max_length=8, default="medium", choices=choices.priority)
    followup_status = models.CharField(
        _("follow-up status"), max_length=16, default="proposed", choices=choices.followup
    )
    followup_note = models.TextField(_("what happened"), blank=True)
    followup_updated_on = models.DateField(_("follow-up updated on"), null=True, blank=True)
    shared = models.BooleanField(
        _("shared with every organisation"),
        default=True,
        help_text=_("Untick for a recommendation that stays within your organisation."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_in = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recommendation or practice")
        verbose_name_plural = _("recommendations and practices")

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        unknown = [c for c in self.themes if not registry.is_valid("framework_theme", c)]
        if unknown:
            errors["themes"] = _("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        unknown = [c for c in self.countries if not registry.is_valid("country", c)]
        if unknown:
            errors["countries"] = _("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)


class SearchEntry(models.Model):
    """One searchable text (an instrument's titles or a provision), kept in step by the services.

    The full-text index over ``body`` and ``word_forms`` is database-specific and lives in the
    migrations: an FTS5 table fed by triggers on SQLite, GIN indexes on ``to_tsvector('simple', ...)``
    on PostgreSQL.
    """

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    provision = models.OneToOneField(
        Provision, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    body = models.TextField()
    # The stems of every word of ``body`` in each language (see lindung.frameworks.wordforms),
    # which single-word searches match; quoted phrases match ``body`` as written.
    word_forms = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instrument"],
                condition=models.Q(provision__isnull=True),
                name="frameworks_one_title_entry",
            )
        ]

    def __str__(self):
        return f"{self.instrument_id}/{self.provision_id or '-'}"
