"""Persons, cases and what happens in them.

Identity (names, aliases, date of birth, documents, contacts, photo) and free text (notes,
conditions, reasons) are encrypted at rest with the owning organisation's key; exact search goes
through ``PersonIdentifier`` blind indexes. Codes come from the data standard. Models hold data
and invariants only: every write goes through ``services``.
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core.fields import (
    EncryptedBinaryField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from lindung.core.models import Organisation

from . import codes, workflows
from .choices import (
    CaseType,
    ConsentPurpose,
    NeedStatus,
    NoteType,
    PlacementKind,
    RiskDecision,
    RiskFinding,
    RiskResult,
    ServiceOutcome,
)

CHILD_AGE_GROUPS = frozenset({"0-8", "9-17"})
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: references are read aloud


def new_reference(prefix: str) -> str:
    """A random, non-sequential reference (nothing to guess, nothing identifying)."""
    code = "".join(secrets.choice(_REF_ALPHABET) for _ in range(10))
    return f"{prefix}-{code[:5]}-{code[5:]}"


def _person_reference():
    return new_reference("P")


def _case_reference():
    return new_reference("C")


class Person(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="persons")
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=_person_reference, editable=False
    )
    # identity, encrypted
    given_name = EncryptedCharField(_("given name"), max_length=200, null=True, blank=True)
    family_name = EncryptedCharField(_("family name"), max_length=200, null=True, blank=True)
    aliases = EncryptedJSONField(_("other names used"), null=True, blank=True)
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    documents = EncryptedJSONField(_("identity documents"), null=True, blank=True)
    contacts = EncryptedJSONField(_("contact details"), null=True, blank=True)
    photo = EncryptedBinaryField(_("photograph"), null=True, blank=True)
    photo_content_type = models.CharField(max_length=40, blank=True)
    # standard person variables (non-identifying on their own)
    sex = models.CharField(_("sex"), max_length=8, choices=codes.sex_choices, blank=True)
    gender = models.CharField(_("gender"), max_length=24, choices=codes.gender_choices, blank=True)
    age_group = models.CharField(_("age group"), max_length=16, choices=codes.age_group_choices, blank=True)
    citizenship = models.CharField(_("citizenship"), max_length=3, choices=codes.country_choices, blank=True)
    is_stateless = models.BooleanField(_("stateless"), default=False)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    disability_status = models.CharField(
        _("disability"), max_length=8, choices=codes.yes_no_unknown_choices, blank=True
    )
    majority_status = models.CharField(
        _("adult or child"), max_length=8, choices=codes.majority_status_choices, blank=True
    )
    legal_status = models.CharField(
        _("legal status"), max_length=32, choices=codes.legal_status_choices, blank=True
    )
    registered_at = models.DateTimeField(default=timezone.now, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    IDENTITY_FIELDS = (
        "given_name",
        "family_name",
        "aliases",
        "date_of_birth",
        "documents",
        "contacts",
        "photo",
    )

    class Meta:
        ordering = ["-registered_at"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["organisation", "-registered_at"])]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cases:person_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    def age_on(self, day: datetime.date) -> int | None:
        dob = self.date_of_birth
        if dob is None:
            return None
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def is_child(self) -> bool:
        """Under 18 by date of birth, else as recorded (adult or child, age group)."""
        age = self.age_on(timezone.localdate())
        if age is not None:
            return age < 18
        return self.majority_status == "child" or self.age_group in CHILD_AGE_GROUPS

    def is_adult(self) -> bool:
        """Known to be 18 or over. Rules that protect children treat unknown age as a child."""
        age = self.age_on(timezone.localdate())
        if age is not None:
            return age >= 18
        if self.majority_status == "child" or self.age_group in CHILD_AGE_GROUPS:
            return False
        return self.majority_status == "adult" or self.age_group not in ("", "unknown")


class PersonIdentifier(models.Model):
    """Blind index entries: keyed HMACs of normalised names and document numbers."""

    class Kind(models.TextChoices):
        NAME = "name", _("name")
        DOCUMENT = "document", _("document number")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organisation", "kind", "digest"])]

    def __str__(self):
        return f"{self.kind} index of {self.person_id}"


class PersonVulnerability(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vulnerabilities")
    category = models.CharField(
        _("vulnerability"), max_length=64, choices=codes.vulnerability_category_choices
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "category"], name="person_vulnerability_once")
        ]
        indexes = [models.Index(fields=["category", "person"])]

    def __str__(self):
        return self.category


# Columns of the case row that copy what the case list filters on (cases.list_columns keeps them).
LIST_COLUMNS = ("open_task_due_on", "vulnerability_codes")


class Case(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cases")
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=_case_reference, editable=False
    )
    case_type = models.CharField(_("case type"), max_length=16, choices=CaseType.choices)
    state = models.CharField(_("step"), max_length=40)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_cases",
        verbose_name=_("case owner"),
    )
    team = models.CharField(_("team"), max_length=100, blank=True)
    step_data = models.JSONField(default=dict, blank=True)
    step_personal = EncryptedJSONField(null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retain_until = models.DateField(_("keep until"), null=True, blank=True)
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # transfer between organisations (the two ends are two cases)
    transferred_to = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_from = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_reference = models.CharField(max_length=16, blank=True)
    transfer_agreement = models.ForeignKey(
        "TransferAgreement", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # Copies kept by cases.list_columns for the case list's filters (see that module).
    open_task_due_on = models.DateField(null=True, blank=True, editable=False)
    vulnerability_codes = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The case list, newest first, one page at a time, by organisation or also by type and
            # step; the filter columns ride along so that the page and its count read the index only
            # (PostgreSQL; other databases ignore INCLUDE).
            models.Index(
                fields=["organisation", "-opened_on", "-id"],
                include=LIST_COLUMNS,
                name="cases_case_list_org",
            ),
            models.Index(
                fields=["organisation", "case_type", "state", "-opened_on", "-id"],
                include=LIST_COLUMNS,
                name="cases_case_list_type_step",
            ),
            models.Index(fields=["retain_until"]),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        # The list columns are written by their own UPDATE (cases.list_columns); saving a case that
        # was loaded earlier must not write back a stale copy of them.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in LIST_COLUMNS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cases:case_detail", args=[self.pk])

    @property
    def workflow(self):
        return workflows.get(self.case_type)

    @property
    def state_label(self) -> str:
        return self.workflow.state_label(self.state)

    @property
    def is_open(self) -> bool:
        return self.state in self.workflow.open_states

    @property
    def has_overdue_task(self) -> bool:
        return self.open_task_due_on is not None and self.open_task_due_on < timezone.localdate()


class CaseTransition(models.Model):
    """One move of a case, for the timeline (the audit log has the same fact, hash-chained)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=64)
    from_state = models.CharField(max_length=40)
    to_state = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    fields = models.JSONField(default=list)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_state} → {self.to_state}"


class Consent(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    obtained_on = models.DateField(_("obtained on"), default=timezone.localdate)
    language = models.CharField(
        _("language of the conversation"), max_length=3, choices=codes.language_choices
    )
    information_given = EncryptedTextField(_("information given to the person"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-obtained_on", "-id"]
        indexes = [models.Index(fields=["person", "purpose", "withdrawn_at"])]

    def __str__(self):
        return f"{self.purpose} ({self.obtained_on})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None and (
            self.valid_until is None or self.valid_until >= timezone.localdate()
        )


class Need(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs")
    need_type = models.CharField(_("need"), max_length=64, choices=codes.service_type_choices)
    status = models.CharField(_("status"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    identified_on = models.DateField(_("identified on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["identified_on", "id"]

    def __str__(self):
        return self.need_type


class ServiceGiven(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(_("service"), max_length=64, choices=codes.service_type_choices)
    provided_on = models.DateField(_("provided on"))
    provider = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("provided by"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=ServiceOutcome.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["provided_on", "id"]

    def __str__(self):
        return self.service_type


class CaseNote(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    note_type = models.CharField(
        _("kind of note"), max_length=16, choices=NoteType.choices, default=NoteType.GENERAL
    )
    text = EncryptedTextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_note_type_display()} note {self.pk}"


class Attachment(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    filename = EncryptedCharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = EncryptedBinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"attachment {self.pk}"


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    # Titles name what to do, never who: "Book the flight", not a person's name.
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_tasks",
        verbose_name=_("assigned to"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Closed because its case was closed, not because the work was done: an open task never
    # outlives its case, and the record says which tasks were left undone.
    closed_with_case = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_on", "id"]
        # Open tasks by case and due date: the overdue filter of the case list probes it per case.
        indexes = [
            models.Index(
                fields=["case", "due_on"],
                condition=models.Q(done_at__isnull=True),
                name="cases_task_open_due",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class Placement(models.Model):
    """Where a person is held or placed. A child is never placed in detention (services enforce it)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    kind = models.CharField(_("kind"), max_length=16, choices=PlacementKind.choices)
    placement_type = models.CharField(_("placement"), max_length=64)
    start_on = models.DateField(_("starts on"))
    end_on = models.DateField(_("ends on"), null=True, blank=True)
    conditions = EncryptedTextField(_("conditions"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__isnull=True) | models.Q(end_on__gte=models.F("start_on")),
                name="placement_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.kind}: {self.placement_type}"


class MonitoringVisit(models.Model):
    """A reintegration monitoring visit scored 0–1 on each dimension of sustainability."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="monitoring_visits")
    visit_on = models.DateField(_("visit date"))
    economic = models.DecimalField(_("economic"), max_digits=3, decimal_places=2)
    social = models.DecimalField(_("social"), max_digits=3, decimal_places=2)
    psychosocial = models.DecimalField(_("psychosocial"), max_digits=3, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    DIMENSIONS = ("economic", "social", "psychosocial")

    class Meta:
        ordering = ["visit_on", "id"]

    def __str__(self):
        return f"visit {self.visit_on}"

    @property
    def overall(self):
        return round(sum(getattr(self, d) for d in self.DIMENSIONS) / len(self.DIMENSIONS), 2)


class ComplianceCheckIn(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checkins")
    check_on = models.DateField(_("check-in date"))
    complied = models.BooleanField(_("reported as required"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["check_on", "id"]

    def __str__(self):
        return f"check-in {self.check_on}"


class ReturnRiskAssessment(models.Model):
    """A risk-on-return assessment (non-refoulement) of a return case: four factors, each with its
    finding and encrypted notes, signed off by a supervisor other than the assessor. When a risk is
    found, a supervisor documents a decision with reasons. The latest assessment of a case counts;
    older ones stay as the record of what was known then."""

    FACTORS = (
        ("persecution", _("Persecution")),
        ("torture", _("Torture or ill-treatment")),
        ("trafficking", _("Trafficking re-victimisation")),
        ("child_best_interests", _("Child's best interests")),
    )

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_on = models.DateField(_("assessed on"))
    persecution = models.CharField(_("persecution"), max_length=16, choices=RiskFinding.choices)
    persecution_notes = EncryptedTextField(_("notes on persecution"), null=True, blank=True)
    torture = models.CharField(_("torture or ill-treatment"), max_length=16, choices=RiskFinding.choices)
    torture_notes = EncryptedTextField(_("notes on torture or ill-treatment"), null=True, blank=True)
    trafficking = models.CharField(
        _("trafficking re-victimisation"), max_length=16, choices=RiskFinding.choices
    )
    trafficking_notes = EncryptedTextField(_("notes on trafficking re-victimisation"), null=True, blank=True)
    child_best_interests = models.CharField(
        _("child's best interests"), max_length=16, choices=RiskFinding.choices
    )
    child_best_interests_notes = EncryptedTextField(
        _("notes on the child's best interests"), null=True, blank=True
    )
    result = models.CharField(_("overall result"), max_length=16, choices=RiskResult.choices)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=RiskDecision.choices, blank=True)
    decision_reasons = EncryptedTextField(_("reasons for the decision"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessed_at", "id"]
        constraints = [
            # A decision is only taken on a signed-off assessment that found a risk.
            models.CheckConstraint(
                condition=models.Q(decision="")
                | (models.Q(result=RiskResult.RISK_FOUND) & models.Q(signed_off_at__isnull=False)),
                name="risk_decision_needs_signed_off_risk",
            )
        ]

    def __str__(self):
        return f"risk assessment {self.pk}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def needs_decision(self) -> bool:
        return self.is_signed_off and self.result == RiskResult.RISK_FOUND and not self.decision

    @property
    def clears_departure(self) -> bool:
        return self.is_signed_off and (
            self.result == RiskResult.NO_RISK or self.decision == RiskDecision.PROCEED
        )

    @property
    def factor_rows(self) -> list[tuple]:
        """(label, finding label, notes) per factor, for the pages (which show the notes only to
        those who may read them)."""
        findings = dict(RiskFinding.choices)
        return [
            (label, findings.get(getattr(self, name), ""), getattr(self, f"{name}_notes"))
            for name, label in self.FACTORS
        ]


class TransferAgreement(models.Model):
    """What one organisation agrees to hand to another when a case is transferred."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="transfer_agreements"
    )
    partner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving organisation")
    )
    title = models.CharField(_("title"), max_length=200)
    allowed_fields = models.JSONField(_("fields that may be transferred"), default=list)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
