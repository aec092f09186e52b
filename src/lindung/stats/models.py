"""Disclosure settings per organisation, the privacy-budget ledger and frozen releases.

Releases, their tables and ledger entries are immutable once written: a statistical release is
cited and reproduced, so it never changes; a correction is a new release.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import disclosure


class Immutable(models.Model):
    """Written once: later saves and deletes are refused (the database keeps what was released)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(
                _("%(what)s cannot be changed once written.") % {"what": self._meta.verbose_name}
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("%(what)s cannot be deleted.") % {"what": self._meta.verbose_name})


class DisclosureSettings(models.Model):
    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.CASCADE, related_name="stats_settings"
    )
    threshold = models.PositiveSmallIntegerField(
        _("smallest publishable count"),
        default=disclosure.DEFAULT_THRESHOLD,
        validators=[MinValueValidator(disclosure.MIN_THRESHOLD), MaxValueValidator(1000)],
        help_text=_(
            "Cells counting fewer people are suppressed, and so are the cells that would reveal them."
        ),
    )
    rounding = models.PositiveSmallIntegerField(
        _("round published counts to"),
        null=True,
        blank=True,
        choices=[(base, _("multiples of %(base)s") % {"base": base}) for base in disclosure.ROUNDING_BASES],
    )
    k = models.PositiveSmallIntegerField(
        _("k for record-level exports"),
        default=disclosure.DEFAULT_K,
        validators=[MinValueValidator(disclosure.MIN_K), MaxValueValidator(1000)],
    )
    annual_epsilon_budget = models.FloatField(
        _("privacy budget per year (epsilon)"),
        default=5.0,
        validators=[MinValueValidator(0.01), MaxValueValidator(50.0)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("disclosure settings")
        verbose_name_plural = _("disclosure settings")

    def __str__(self):
        return f"{self.organisation}: threshold {self.threshold}"


class Release(Immutable):
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    identifier = models.CharField(_("identifier"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    released_on = models.DateField(_("release date"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rules = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    epsilon_spent = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-released_on", "-pk"]
        verbose_name = _("statistical release")

    def __str__(self):
        return f"{self.identifier} {self.title}"

    def get_absolute_url(self):
        return reverse("stats:release_detail", args=[self.pk])

    def citation(self) -> str:
        org = self.organisation.short_name or self.organisation.name
        return (
            f"{org} ({self.released_on:%Y}). {self.title}. Statistical release {self.identifier}, "
            f"{self.released_on.isoformat()}. Source data fingerprint sha256:{self.fingerprint[:16]}."
        )


class ReleaseTable(Immutable):
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="tables")
    position = models.PositiveSmallIntegerField(default=0)
    indicator = models.CharField(max_length=64)
    indicator_version = models.CharField(max_length=16)
    by = models.JSONField(default=list)
    # The protected table as published: suppressed cells hold no value (see tables.ProtectedTable).
    payload = models.JSONField()
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["release", "position"]
        verbose_name = _("released table")

    def __str__(self):
        return f"{self.indicator} by {', '.join(self.by)}"


class PrivacyBudgetEntry(Immutable):
    """One differentially private computation: the epsilon it spent and the noisy answer it gave,
    so that asking the same question of the same data again returns the same answer for free."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, editable=False)
    spent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    epsilon = models.FloatField()
    indicator = models.CharField(max_length=64)
    query = models.JSONField(default=dict)
    query_key = models.CharField(max_length=64, db_index=True)
    fingerprint = models.CharField(max_length=64)
    noisy = models.JSONField(default=list)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("privacy budget entry")
        verbose_name_plural = _("privacy budget ledger")

    def __str__(self):
        return f"{self.indicator}: epsilon {self.epsilon:g}"
