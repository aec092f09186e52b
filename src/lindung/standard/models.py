"""Provenance of validations and imports, and the de-identified records imports land in.

Imported records keep no direct identifier: names, dates of birth, document numbers and record
identifiers of the source file are dropped before anything is written (the standard marks them
``direct_identifier``). What remains is what statistics need.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lindung.core.fields import EncryptedBinaryField


class Profile(models.TextChoices):
    LINDUNG = "lindung", _("Lindung standard columns")
    CTDC = "ctdc", _("CTDC global dataset layout")


class ValidationReport(models.Model):
    """One validation of one uploaded file; the errors are kept (encrypted) for download."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    profile = models.CharField(max_length=16, choices=Profile.choices)
    standard_version = models.CharField(max_length=16)
    readable = models.BooleanField(default=True)
    rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)
    # Error values may quote personal data from the file: gzip CSV sealed with the org's key.
    errors_csv = EncryptedBinaryField(blank=True, default=b"")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("standard:report_detail", args=[self.pk])

    @property
    def is_valid(self) -> bool:
        return self.readable and self.error_count == 0 and self.rows > 0


class ImportBatch(models.Model):
    """Provenance of one import: who, when, which file (hash), profile and standard version."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected: the file has errors")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    content_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    profile = models.CharField(max_length=16, choices=Profile.choices)
    standard_version = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # Import the valid rows and report the rest, instead of refusing the file for a row's error.
    partial = models.BooleanField(_("import the valid rows only"), default=False)
    rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)
    dropped_columns = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("standard:import_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)


class StandardRecord(models.Model):
    """One de-identified record, as statistics read it. No direct identifiers, ever."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="records")
    # Identity from the source: sha256 of the source's record id, or of the file (its content
    # fingerprint) and the row. Equal values from two files are two records, never one.
    row_key = models.CharField(max_length=64)
    # sha256 of the canonical row and its occurrence number in its file: finds identical rows,
    # which are reported (a de-identified dataset holds many), never merged.
    content_key = models.CharField(max_length=64, blank=True, db_index=True)
    year_of_registration = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=8, blank=True)
    age_group = models.CharField(max_length=16, blank=True)
    majority_status = models.CharField(max_length=16, blank=True)
    citizenship = models.CharField(max_length=3, blank=True)
    country_of_exploitation = models.CharField(max_length=3, blank=True)
    data_source = models.CharField(max_length=32, blank=True)
    # Space-delimited with a leading and trailing space, so " code " matches one code exactly.
    forms_of_exploitation = models.CharField(max_length=255, blank=True)
    values = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "row_key"], name="standard_record_unique_row")
        ]
        indexes = [models.Index(fields=["organisation", "year_of_registration", "sex"])]

    def __str__(self):
        return f"record {self.pk}"
