"""Organisations, users and their roles; key material; sharing; the audit log; API tokens."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit_actions import AuditAction
from .countries import country_choices
from .fields import EncryptedBinaryField
from .roles import Role


class Organisation(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        INTERNATIONAL = "international", _("International organisation")
        NGO = "ngo", _("Non-governmental organisation")
        REGIONAL_CENTRE = "regional_centre", _("Regional centre")
        SERVICE_PROVIDER = "service_provider", _("Service provider")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=3, choices=country_choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("core:organisation_detail", args=[self.pk])


class User(AbstractUser):
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)
    # Set when an administrator resets the password: the user must choose their own before
    # anything else (core.middleware.AccountGateMiddleware, core.api_auth).
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Membership(models.Model):
    """A user's role in an organisation. Several rows give several roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")
        ]
        ordering = ["organisation__name", "role"]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"


class DataKey(models.Model):
    """An organisation's key for one purpose, stored only wrapped by the master key."""

    class Purpose(models.TextChoices):
        DATA = "data", _("encryption of personal data")
        INDEX = "index", _("blind index")
        PSEUDONYM = "pseudonym", _("pseudonyms")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="data_keys")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    wrapped = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "purpose", "retired_at"])]

    def __str__(self):
        return f"{self.get_purpose_display()} key {self.pk} of organisation {self.organisation_id}"


class SharingGroup(models.Model):
    """A named set of organisations that agree to see what is shared with the group."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    organisations = models.ManyToManyField(Organisation, related_name="sharing_groups", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ObjectShareQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ObjectShare(models.Model):
    """One record explicitly shared with another organisation or with a sharing group."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="shares_received"
    )
    sharing_group = models.ForeignKey(
        SharingGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    granted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ObjectShareQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(sharing_group__isnull=False),
                name="share_has_recipient",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id} shared for {self.purpose}"


class AuditEntry(models.Model):
    """Append-only, hash-chained record of a write or of a read of personal data.

    No foreign keys: deleting a user or an organisation must never touch the log. ``hash`` covers
    the previous entry's hash and this entry's canonical JSON (see lindung.core.audit).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    organisation_id = models.BigIntegerField(null=True, db_index=True)
    # Checked against AuditAction by audit_record, not by field choices: a new action is then a
    # one-line change in audit_actions.py with no migration.
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = _("audit entries")
        # Recent entries of one action: the auditors' filters, and the phone sign-in lockout that
        # counts recent refusals on every OpenRosa request.
        indexes = [models.Index(fields=["action", "at"], name="core_audit_action_at")]

    def __str__(self):
        return f"#{self.pk} {self.action}"

    def get_action_display(self):
        try:
            return AuditAction(self.action).label
        except ValueError:
            return self.action


class ApiToken(models.Model):
    """An API token; only its SHA-256 is stored. The secret is shown once, at creation.

    ``assurance`` is how the user had proved who they were when they made it: a token made with the
    password only is refused to users who must use a second factor (core.assurance)."""

    class Assurance(models.TextChoices):
        PASSWORD = "password", _("password only")
        SECOND_FACTOR = "second_factor", _("password and second factor")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    assurance = models.CharField(
        _("sign-in assurance"), max_length=16, choices=Assurance.choices, default=Assurance.PASSWORD
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class SignInFailure(models.Model):
    """A failed sign-in from one address, kept for the address limit's window only (see
    core.services.sign_in_failure_record): spraying many usernames from one address is slowed
    even though each username fails only once."""

    address = models.CharField(max_length=45)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["address", "at"], name="core_signin_failure_addr_at")]

    def __str__(self):
        return f"Failed sign-in at {self.at:%Y-%m-%d %H:%M:%S}"


class Job(models.Model):
    """One piece of background work as people see it: what, for whom, how far, how it ended.

    The task backend (database or Redis) only runs the work; this row is what every web process
    reads, on any backend, and it outlives a restart. ``subject`` names the object the job works
    on by label and id only; ``params`` and ``result`` hold ids, options, counts and codes, never
    personal data. ``payload`` keeps an uploaded file, encrypted, until the job has finished with it
    (a retryable job keeps it after a failure, for its retry). ``output`` is a file the job made (a
    report, a bundle), encrypted, downloadable by the job's creator only; ``task_path`` names the
    task, so that a failed job can be queued again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    subject = models.CharField(max_length=100, blank=True, db_index=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    phase = models.CharField(max_length=32, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    payload = EncryptedBinaryField(null=True, blank=True, editable=False)
    task_path = models.CharField(max_length=200, blank=True)
    output = EncryptedBinaryField(null=True, blank=True, editable=False)
    output_name = models.CharField(max_length=200, blank=True)
    output_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.kind} {self.subject} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("core:job_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class PeriodicRun(models.Model):
    """One tick of a periodic job. The unique (name, due_at) pair is the lock between schedulers:
    whichever inserts it first enqueues the task, a second scheduler's insert fails and it moves on."""

    name = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)
    scheduler = models.CharField(max_length=100, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-due_at"]
        constraints = [models.UniqueConstraint(fields=["name", "due_at"], name="periodic_run_once_per_tick")]

    def __str__(self):
        return f"{self.name} @ {self.due_at:%Y-%m-%d %H:%M}"
