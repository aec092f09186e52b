"""Reads of privacy-preserving linkage through ``core.policy``: the agreements and the runs a data
manager may see (runs carry counts only), and the "unique persons" measure of a match."""

from lindung.core import policy

from .models import LinkageAgreement, PprlRun


def agreements_visible(user):
    return policy.accessible(user, LinkageAgreement.objects.prefetch_related("parties")).order_by("reference")


def runs_visible(user):
    return policy.accessible(user, PprlRun.objects.select_related("agreement", "run_by")).order_by(
        "-run_at", "-id"
    )


def unique_persons(run) -> int | None:
    """Persons of both parties counted once (a matched pair is one person): the deduplicated count
    across agencies for statistics. None for an export, which has one party only."""
    return run.unique_persons
