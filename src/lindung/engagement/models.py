"""Lived experience engagement: consultations, participants, consent, safeguards, contributions,
"you said, we did", and the engagement model's guidance documents.

Every model carries ``organisation`` (policy owner and encryption key owner). Participants are
known by a random code; their name, contact details and access needs are encrypted and shown only
to holders of VIEW_PARTICIPANT_CONTACT. Contributions' text is encrypted and erased when the
person withdraws the consent it depended on, so nothing withdrawn can resurface in any output.
"""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core.fields import EncryptedCharField, EncryptedTextField
from lindung.core.models import Organisation
from lindung.standard import registry

LANGUAGE_CHOICES = settings.LANGUAGES


# Module-level functions (not registry.choices_callable closures) so migrations can name them.
def format_choices():
    return registry.choices("engagement_format")


def theme_choices():
    return registry.choices("engagement_theme")


def pathway_kind_choices():
    return registry.choices("support_pathway_kind")


class Owned(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


# guidelines fed by engagement ("we did": a change in a versioned guideline) ----------------------


class GuidelineDocument(Owned):
    """A policy or guideline that engagement feeds; its versions say what changed."""

    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("engagement:guideline_detail", args=[self.pk])


class GuidelineVersion(Owned):
    document = models.ForeignKey(GuidelineDocument, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=20)
    published_on = models.DateField(_("published on"))
    changes = models.TextField(_("what changed, in plain language"))

    class Meta:
        ordering = ["document", "-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="guideline_version_unique")
        ]

    def __str__(self):
        return f"{self.document.title} — {self.version}"


# the engagement model: versioned, translatable guidance documents ------------------------------


class GuidanceDocument(Owned):
    class Kind(models.TextChoices):
        PRINCIPLES = "principles", _("Principles")
        CHECKLIST = "checklist", _("Checklist")
        INFORMATION_SHEET = "information_sheet", _("Information sheet template")
        CONSENT_FORM = "consent_form", _("Consent form template")
        OTHER = "other", _("Other tool")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    model_key = models.CharField(_("adapted from the engagement model"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("engagement:guidance_detail", args=[self.pk])


class GuidanceVersion(Owned):
    """One version of a document in one language; a translation is a version in another language."""

    document = models.ForeignKey(GuidanceDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"), validators=[MinValueValidator(1)])
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["document", "-number", "language"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number", "language"], name="guidance_version_unique")
        ]

    def __str__(self):
        return f"{self.title} v{self.number} ({self.language})"


# support pathways ------------------------------------------------------------------------------


class SupportPathway(Owned):
    """Where a participant can be referred during or after a session. When the service is in the
    referral directory, the pathway points at it, so that its hours and languages are the
    directory's, kept by the service itself."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=pathway_kind_choices)
    how_to_reach = models.CharField(_("how to reach the service"), max_length=300)
    languages = models.CharField(_("languages (ISO 639-3 codes)"), max_length=200, blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    directory_service = models.ForeignKey(
        "referrals.Service",
        verbose_name=_("service in the referral directory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# engagements and sessions ----------------------------------------------------------------------


class Engagement(Owned):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    feeds = models.CharField(_("policy or guidance it feeds"), max_length=300)
    guideline = models.ForeignKey(
        GuidelineDocument,
        verbose_name=_("guideline document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engagements",
    )
    safeguarding_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("safeguarding lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("engagement:engagement_detail", args=[self.pk])


class Session(Owned):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Setting(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        REMOTE = "remote", _("Remote")
        HYBRID = "hybrid", _("Hybrid")

    # (field, label) of the pre-session checklist, in the order the page shows them.
    CHECKLIST = [
        ("check_risk_assessment", _("Risk assessment done")),
        ("check_referral_pathways", _("Referral pathways to psychosocial support confirmed")),
        ("check_safe_location", _("Location (or remote setting) checked as safe and private")),
        (
            "check_interpreter_briefed",
            _("Interpreter briefed on confidentiality and trauma-informed practice"),
        ),
        ("check_no_harm_questions", _("Questions reviewed for do-no-harm")),
    ]

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    format = models.CharField(_("format"), max_length=32, choices=format_choices)
    languages = models.CharField(_("languages (ISO 639-3 codes)"), max_length=200)
    interpreters = models.CharField(_("interpretation arrangements"), max_length=300, blank=True)
    accessibility_needs = models.TextField(_("accessibility arrangements"), blank=True)
    setting = models.CharField(_("setting"), max_length=16, choices=Setting.choices)
    location = models.CharField(_("venue or platform"), max_length=300, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), blank=True, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    recorded = models.BooleanField(_("audio or video recording planned"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    check_risk_assessment = models.BooleanField(default=False)
    check_referral_pathways = models.BooleanField(default=False)
    check_safe_location = models.BooleanField(default=False)
    check_interpreter_briefed = models.BooleanField(default=False)
    check_no_harm_questions = models.BooleanField(default=False)
    support_pathways = models.ManyToManyField(SupportPathway, blank=True, related_name="sessions")
    checklist_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checklist_updated_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    debrief = EncryptedTextField(_("debrief"), null=True, blank=True)
    debriefed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("engagement:session_detail", args=[self.pk])

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    def checklist_missing(self) -> list[str]:
        """Labels of checklist items not done yet; empty when the session may start."""
        missing = []
        for field, label in self.CHECKLIST:
            if field == "check_interpreter_briefed" and not self.interpreters.strip():
                continue  # nothing to brief when nobody interprets
            if not getattr(self, field):
                missing.append(str(label))
        if self.check_referral_pathways and self.pk and not self.support_pathways.exists():
            missing.append(str(_("At least one support pathway chosen")))
        return missing


# participants and consent ----------------------------------------------------------------------


def new_participant_code() -> str:
    # Random, not derived from anything about the person: the code reveals nothing.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "LE-" + "".join(secrets.choice(alphabet) for _ in range(6))


class Participant(Owned):
    class ContactMethod(models.TextChoices):
        PHONE = "phone", _("Phone call")
        SMS = "sms", _("Text message")
        MESSAGING = "messaging", _("Messaging app")
        EMAIL = "email", _("Email")
        VIA_ORGANISATION = "via_organisation", _("Through a support organisation")
        NONE = "none", _("Do not contact")

    class OutputPreference(models.TextChoices):
        ANONYMOUS = "anonymous", _("Anonymous in all outputs")
        NAMED = "named", _("Named in outputs (needs name attribution consent)")

    code = models.CharField(_("participant code"), max_length=16, unique=True, default=new_participant_code)
    name = EncryptedCharField(
        _("name (only if they want to be named)"), max_length=200, null=True, blank=True
    )
    contact = EncryptedTextField(_("contact details"), null=True, blank=True)
    contact_method = models.CharField(
        _("how to be contacted"), max_length=20, choices=ContactMethod.choices, default=ContactMethod.NONE
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, choices=LANGUAGE_CHOICES)
    output_preference = models.CharField(
        _("name or anonymous in outputs"),
        max_length=16,
        choices=OutputPreference.choices,
        default=OutputPreference.ANONYMOUS,
    )
    access_needs = EncryptedTextField(_("access needs"), null=True, blank=True)
    # Opaque reference to a case of lindung.cases, set only with link_to_case consent.
    case_reference = models.CharField(_("case reference"), max_length=64, blank=True)
    case_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation holding the case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    CONTACT_FIELDS = ("name", "contact", "access_needs")

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("engagement:participant_detail", args=[self.pk])

    def has_consent(self, scope) -> bool:
        return self.consents.active().filter(scope=scope).exists()


class ConsentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_on__isnull=True)


class Consent(Owned):
    class Scope(models.TextChoices):
        PARTICIPATION = "participation", _("Taking part")
        RECORDING = "recording", _("Audio or video recording")
        QUOTES = "quotes", _("Use of their words as quotes")
        NAME_ATTRIBUTION = "name_attribution", _("Their name next to their words")
        FUTURE_CONTACT = "future_contact", _("Being contacted in future")
        LINK_TO_CASE = "link_to_case", _("Linking this participation to their case")

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written (signed form)")
        VERBAL = "verbal", _("Verbal, witnessed")
        DIGITAL = "digital", _("Digital (tick box)")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("use"), max_length=20, choices=Scope.choices)
    information_sheet = models.ForeignKey(
        GuidanceVersion,
        verbose_name=_("information sheet (version and language)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    method = models.CharField(_("how consent was given"), max_length=16, choices=Method.choices)
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "scope", "-given_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "scope"],
                condition=Q(withdrawn_on__isnull=True),
                name="consent_one_active",
            )
        ]

    def __str__(self):
        return f"{self.participant.code}: {self.get_scope_display()}"

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


class SessionParticipant(Owned):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attendance")
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["participant__code"]
        constraints = [models.UniqueConstraint(fields=["session", "participant"], name="attendance_unique")]

    # contributions and "you said, we did" ----------------------------------------------------------

    def __str__(self):
        return f"{self.participant_id} @ {self.session_id}"

    @property
    def has_recording_consent(self) -> bool:
        consents = getattr(self.participant, "active_consents", None)
        if consents is None:
            return self.participant.has_consent(Consent.Scope.RECORDING)
        return any(c.scope == Consent.Scope.RECORDING for c in consents)


class Contribution(Owned):
    class Kind(models.TextChoices):
        NOTE = "note", _("Note (internal, never published)")
        FEEDBACK = "feedback", _("Feedback item")
        QUOTE = "quote", _("Quote (their own words)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Awaiting review")
        CLEARED = "cleared", _("Cleared for use")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="contributions")
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    theme = models.CharField(_("theme"), max_length=40, choices=theme_choices, blank=True)
    text = EncryptedTextField(_("what was said"), null=True, blank=True)
    public_text = EncryptedTextField(_("wording cleared for use"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    attribute_name = models.BooleanField(_("attribute to the participant by name"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_because = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["session", "recorded_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self):
        return f"{self.session.get_absolute_url()}#contribution-{self.pk}"


class Outcome(Owned):
    """What was done with a feedback item: a decision, or a change in a guideline version."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        GUIDELINE_CHANGE = "guideline_change", _("Change in a guideline")

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("what we did, in plain language"))
    guideline_version = models.ForeignKey(
        GuidelineVersion,
        verbose_name=_("guideline version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    decided_on = models.DateField(_("decided on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["decided_on", "pk"]

    # safeguards ------------------------------------------------------------------------------------

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    IMMEDIATE = "immediate", _("Immediate danger")


class SafeguardingConcern(Owned):
    """Recorded under the distress protocol during a session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="concerns")
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    description = EncryptedTextField(_("what happened"))
    action_taken = EncryptedTextField(_("immediate action taken"))
    session_paused = models.BooleanField(_("session paused or stopped"), default=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self):
        return f"{self.get_severity_display()} #{self.pk}"


class SupportReferral(Owned):
    class Status(models.TextChoices):
        MADE = "made", _("Referral made")
        ACCEPTED = "accepted", _("Accepted by the service")
        COMPLETED = "completed", _("Support given")
        DECLINED = "declined", _("Declined by the participant")

    concern = models.ForeignKey(SafeguardingConcern, on_delete=models.CASCADE, related_name="referrals")
    pathway = models.ForeignKey(SupportPathway, verbose_name=_("support pathway"), on_delete=models.PROTECT)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.MADE)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.pathway_id}: {self.get_status_display()}"


class Incident(Owned):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="incidents")
    session = models.ForeignKey(
        Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    occurred_on = models.DateField(_("occurred on"))
    description = EncryptedTextField(_("what happened"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_severity_display()} #{self.pk}"


class Compensation(Owned):
    class Kind(models.TextChoices):
        TIME = "time", _("Compensation for time")
        TRANSPORT = "transport", _("Transport reimbursement")
        CHILDCARE = "childcare", _("Childcare reimbursement")
        COMMUNICATION = "communication", _("Phone or data credit")
        MEALS = "meals", _("Meals")
        OTHER = "other", _("Other")

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        TRANSFER = "transfer", _("Bank transfer")
        MOBILE = "mobile", _("Mobile money")
        VOUCHER = "voucher", _("Voucher")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="compensations")
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="compensations"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-paid_on", "-pk"]

    def __str__(self):
        return f"{self.amount} {self.currency}"


class Notification(Owned):
    """Tells the coordinator (or the safeguarding lead) what changed. Participant codes only."""

    class Kind(models.TextChoices):
        WITHDRAWAL = "withdrawal", _("Consent withdrawn")
        CONCERN = "concern", _("Safeguarding concern")
        INCIDENT = "incident", _("Incident")

    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"
