"""Blocking keys (keyed digests that find candidate duplicates without decrypting anyone) and the
decisions caseworkers take on candidate pairs. Models hold data and invariants only: every write
goes through ``services``; keys are kept by ``receivers``."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.cases.models import Person
from lindung.core.fields import EncryptedCharField
from lindung.core.models import Organisation


class BlockingKey(models.Model):
    """A keyed HMAC (the organisation's index key) of one comparison key of a person: a name token,
    its phonetic code, the date of birth, a document number or one of its one-deletion variants.
    Never the clear value."""

    class Kind(models.TextChoices):
        TOKEN = "token", _("name token")
        PHONETIC = "phonetic", _("phonetic code")
        DOB = "dob", _("date of birth")
        DOCUMENT = "document", _("document number")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organisation", "digest"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "digest"], name="linkage_blocking_key_once")
        ]

    def __str__(self):
        return f"{self.kind} key of {self.person_id}"


class PersonLink(models.Model):
    """One decision on a pair of persons. Decisions are never changed: undoing a link is a new
    decision, and the latest one for a pair is its state. ``person`` has the smaller id."""

    class State(models.TextChoices):
        LINKED = "linked", _("same person")
        UNLINKED = "unlinked", _("link undone")
        NOT_SAME = "not_same", _("not the same person")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("decision"), max_length=16, choices=State.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    # The comparison at the time of the decision: levels and weights, never the values.
    reasons = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["person", "other", "-id"]),
            models.Index(fields=["other", "-id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__lt=models.F("other")), name="linkage_pair_ordered"
            )
        ]

    def __str__(self):
        return f"{self.person_id}–{self.other_id}: {self.state}"

    def other_of(self, person):
        """The pair's other person, seen from ``person``."""
        return self.other if self.person_id == person.pk else self.person


class LinkageAgreement(models.Model):
    """An agreement between organisations to link their persons without showing each other a
    name: privacy-preserving linkage (``pprl``). The agreements of the ``sharing`` app sit above
    linkage, which may not import them, so linkage keeps the little it needs here: the parties,
    whether linkage is allowed, the validity, and the shared secret that keys the encodings.

    Every party enters the same secret (agreed out of band); it is kept encrypted with the data
    key of the organisation holding this record (``organisation``, one of the parties)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    parties = models.ManyToManyField(Organisation, related_name="+", verbose_name=_("parties"))
    secret = EncryptedCharField(_("secret"), max_length=128)
    allows_linkage = models.BooleanField(_("allows linkage"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["reference"]

    def __str__(self):
        return self.reference

    def refusal(self, today=None) -> str | None:
        """Why linkage under this agreement is refused today (a code), or None."""
        today = today or timezone.localdate()
        if not self.allows_linkage:
            return "linkage_not_allowed"
        if self.revoked_at is not None:
            return "agreement_revoked"
        if (self.valid_from and today < self.valid_from) or (self.valid_until and today > self.valid_until):
            return "agreement_not_valid"
        return None


class PprlRun(models.Model):
    """One encoding exported or one matching of two parties' encodings: counts only, never a
    reference or an encoding."""

    class Kind(models.TextChoices):
        ENCODE = "encode", _("encodings exported")
        MATCH = "match", _("encodings matched")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(LinkageAgreement, on_delete=models.PROTECT, related_name="runs")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # The parties' organisations, in the order of the files (one for an export).
    party_ids = models.JSONField(default=list)
    # Records in each file (one number for an export).
    records = models.JSONField(default=list)
    matched = models.PositiveIntegerField(_("matched pairs"), default=0)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    run_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-run_at", "-id"]

    def __str__(self):
        return f"{self.kind} under {self.agreement_id}"

    @property
    def unique_persons(self) -> int | None:
        """Persons of both parties counted once: a matched pair is one person. A match only."""
        if self.kind != self.Kind.MATCH:
            return None
        return sum(self.records) - self.matched


class DedupeRun(models.Model):
    """One batch deduplication (Splink, trained without labels) over the persons of one
    organisation that the user may see. Counts and the trained parameters only: no value."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    persons = models.PositiveIntegerField(_("persons compared"), default=0)
    pairs = models.PositiveIntegerField(_("pairs found"), default=0)
    proposed = models.PositiveIntegerField(_("pairs proposed"), default=0)
    threshold = models.FloatField(default=0.5)
    # Splink's trained model: the prior and m/u of each level of each field.
    parameters = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"dedupe run {self.pk}"


class DedupeCandidate(models.Model):
    """A pair a dedupe run proposes, waiting for a reviewer. Accepting links the two records
    (``person_link``), rejecting remembers they are different (``person_mark_not_same``).
    ``person`` has the smaller id; the explanation holds field names, levels and weights only."""

    class State(models.TextChoices):
        OPEN = "open", _("to review")
        ACCEPTED = "accepted", _("same person")
        REJECTED = "rejected", _("not the same person")

    run = models.ForeignKey(DedupeRun, on_delete=models.CASCADE, related_name="candidates")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    match_weight = models.FloatField()
    explanation = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-match_weight", "id"]
        indexes = [models.Index(fields=["state", "organisation"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__lt=models.F("other")), name="linkage_dedupe_pair_ordered"
            ),
            models.UniqueConstraint(
                fields=["person", "other"],
                condition=models.Q(state="open"),
                name="linkage_dedupe_open_once",
            ),
        ]

    def __str__(self):
        return f"{self.person_id}–{self.other_id}: {self.state}"

    @property
    def score(self):
        """The explanation as the candidate panel's ``Score`` (its reasons table)."""
        from .splink_model import score_of

        return score_of(self.explanation)
