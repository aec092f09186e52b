"""Reads of the knowledge base, already filtered by the access policy.

Other apps use two functions here:

- ``instruments_for_link(user, type=..., country=...)``: the instruments a user may pick as the
  legal basis of something else (a readmission case names its readmission agreement, a sharing
  agreement its legal basis). Store the instrument's id; read it back with ``instrument_get``.
- ``country_matrix(user, countries)``: the country x theme matrix, for dashboards.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core import policy
from lindung.standard import registry

from . import hooks, search
from .codes import codes_q
from .models import (
    NATIONAL_FAMILIES,
    Instrument,
    PartyStatus,
    Provision,
    Recommendation,
    SearchEntry,
    region_members,
)

# How an instrument stands for one country (the matrix's vocabulary). Only "in_force" closes a gap.
STANDINGS = {
    "in_force": _("In force"),
    "active": _("Active (non-binding)"),
    "signed": _("Signed; no consent to be bound recorded"),
    "not_party": _("No signature or consent recorded"),
    "adopted": _("Not yet in force"),
    "draft": _("Draft"),
    "suspended": _("Suspended"),
    "expired": _("Expired"),
    "repealed": _("Repealed"),
}


def instruments_visible(user):
    return policy.accessible(user, Instrument.objects.all())


def instrument_get(user, pk) -> Instrument:
    """One instrument the user may read (Instrument.DoesNotExist otherwise)."""
    return (
        instruments_visible(user)
        .prefetch_related(
            "party_statuses",
            # Links to other instruments only name those the user may read (an unshared draft of
            # another organisation may implement a shared treaty).
            Prefetch("implements", instruments_visible(user)),
            Prefetch("implemented_by", instruments_visible(user)),
            Prefetch("provisions", Provision.objects.order_by("position", "id")),
        )
        .get(pk=pk)
    )


def provisions_visible(user):
    return policy.accessible(user, Provision.objects.select_related("instrument"))


def recommendations_visible(user, *, theme="", country="", followup_status=""):
    found = policy.accessible(
        user, Recommendation.objects.prefetch_related(Prefetch("instruments", instruments_visible(user)))
    )
    if theme:
        found = found.filter(codes_q("themes", theme))
    if country:
        found = found.filter(codes_q("countries", country))
    if followup_status:
        found = found.filter(followup_status=followup_status)
    return found


PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}


def recommendations_for_review(user, countries, theme: str = ""):
    """Recommendations about any of ``countries`` (and the theme, when one is chosen), high
    priority first: the desk-review report's list."""
    about = Q()
    for country in countries:
        about |= codes_q("countries", country)
    found = recommendations_visible(user, theme=theme).filter(about) if countries else []
    return sorted(found, key=lambda r: (PRIORITY_RANK.get(r.priority, len(PRIORITY_RANK)), r.title))


def instruments_for_link(user, type=None, *, country: str = ""):  # noqa: A002  (the documented name)
    """Instruments ``user`` may cite as a legal basis, optionally of one type (or a list of types)
    and concerning one country. For example a readmission case::

        instruments_for_link(user, type="readmission_agreement", country="IDN")
    """
    found = instruments_visible(user)
    if type:
        found = found.filter(instrument_type__in=[type] if isinstance(type, str) else list(type))
    if country:
        found = found.filter(concerning_q(country))
    return found.order_by("title_en")


def concerning_q(country: str) -> Q:
    """Instruments of a country, or naming it as a party, or of a region it belongs to, or with a
    status recorded for it."""
    regions = [
        code for code, _label in registry.choices("framework_region") if country in region_members(code)
    ]
    return (
        Q(country=country)
        | codes_q("parties", country)
        | Q(region__in=regions)
        | Q(pk__in=PartyStatus.objects.filter(country=country).values("instrument_id"))
    )


def status_q(status: str, today: datetime.date | None = None) -> Q:
    """Instruments whose effective status (see Instrument.effective_status) is ``status``."""
    today = today or timezone.localdate()
    repealed = Q(repealed_on__lte=today)
    expired = Q(expires_on__lt=today)
    if status == "repealed":
        return Q(status="repealed") | repealed
    if status == "expired":
        return (Q(status="expired") | expired) & ~repealed
    return Q(status=status) & ~repealed & ~expired


def instruments_filtered(user, *, country="", theme="", instrument_type="", status=""):
    found = instruments_visible(user)
    if country:
        found = found.filter(concerning_q(country))
    if theme:
        found = found.filter(
            pk__in=Provision.objects.filter(codes_q("themes", theme)).values("instrument_id")
        )
    if instrument_type:
        found = found.filter(instrument_type=instrument_type)
    if status:
        found = found.filter(status_q(status))
    return found


def search_entries(user, query: str, *, country="", theme="", instrument_type="", status=""):
    """Full-text hits (instrument titles and provision texts), best first, within the filters."""
    entries = policy.accessible(user, SearchEntry.objects.select_related("instrument", "provision"))
    instruments = instruments_filtered(
        user, country=country, instrument_type=instrument_type, status=status
    ).values("pk")
    entries = entries.filter(instrument_id__in=instruments)
    if theme:
        entries = entries.filter(
            (Q(provision__isnull=False) & codes_q("provision__themes", theme))
            | Q(
                provision__isnull=True,
                instrument_id__in=Provision.objects.filter(codes_q("themes", theme)).values("instrument_id"),
            )
        )
    return search.matching(entries, query)


# comparison --------------------------------------------------------------------------------------


def standing(instrument: Instrument, country: str, statuses: dict, today=None) -> str:
    """How ``instrument`` stands for ``country``; ``statuses`` maps country -> PartyStatus."""
    effective = instrument.effective_status(today)
    family = instrument.family
    if family in NATIONAL_FAMILIES or family == "commitment":
        return effective
    if family == "agreement" and country in instrument.countries_concerned():
        return effective
    party = statuses.get(country)
    if party is None:
        return "not_party"
    if not party.is_bound:
        return "signed" if effective in ("in_force", "adopted") else effective
    today = today or timezone.localdate()
    if effective == "in_force" and party.consent_on and party.consent_on > today:
        return "adopted"
    return effective


@dataclass
class CellEntry:
    instrument: Instrument
    standing: str
    provisions: list = field(default_factory=list)

    @property
    def standing_label(self):
        return STANDINGS.get(self.standing, self.standing)

    @property
    def in_force(self) -> bool:
        return self.standing == "in_force"


@dataclass
class Gaps:
    themes_without_instrument_in_force: list = field(default_factory=list)
    commitments_without_implementation: list = field(default_factory=list)  # CellEntry
    expired: list = field(default_factory=list)  # CellEntry


@dataclass
class Matrix:
    countries: list
    themes: list  # (code, label)
    cells: dict  # (country, theme) -> [CellEntry]
    entries: dict  # country -> [CellEntry] (every instrument concerning the country)
    country_counts: dict  # country -> [(label, value)] from hooks

    def cell(self, country, theme) -> list:
        return self.cells.get((country, theme), [])

    def headers(self):
        """[(country, name, [(statistic label, value)])]: the column heads, with figures from hooks."""
        return [(c, registry.label("country", c), self.country_counts.get(c, [])) for c in self.countries]

    def rows(self):
        """[(theme code, label, [(country, [CellEntry])])] for templates and exports."""
        return [
            (code, label, [(c, self.cell(c, code)) for c in self.countries]) for code, label in self.themes
        ]

    def gaps(self, country) -> Gaps:
        gaps = Gaps()
        for code, label in self.themes:
            if not any(e.in_force for e in self.cell(country, code)):
                gaps.themes_without_instrument_in_force.append((code, label))
        implemented = {
            target.pk
            for entry in self.entries.get(country, [])
            if entry.instrument.country == country and entry.in_force
            for target in entry.instrument.implements.all()
        }
        for entry in self.entries.get(country, []):
            commitment = entry.instrument.family in ("treaty", "commitment") and entry.standing in (
                "in_force",
                "active",
            )
            if commitment and entry.instrument.pk not in implemented:
                gaps.commitments_without_implementation.append(entry)
            if entry.standing == "expired":
                gaps.expired.append(entry)
        return gaps


def country_matrix(user, countries, themes=None, today=None) -> Matrix:
    """The country x theme matrix over every instrument the user may read."""
    countries = [c for c in dict.fromkeys(countries) if c]
    theme_choices = [(c, lbl) for c, lbl in registry.choices("framework_theme") if not themes or c in themes]
    concerning = Q(pk__in=[])
    for country in countries:
        concerning |= concerning_q(country)
    instruments = (
        instruments_visible(user)
        .filter(concerning | Q(region="global"))
        .prefetch_related(
            "party_statuses",
            "implements",
            Prefetch("provisions", Provision.objects.order_by("position", "id")),
        )
        .order_by("title_en")
    )
    cells: dict = {}
    entries: dict = {c: [] for c in countries}
    wanted = [code for code, _label in theme_choices]
    for instrument in instruments:
        statuses = {p.country: p for p in instrument.party_statuses.all()}
        provisions = list(instrument.provisions.all())
        by_theme: dict = {}
        for provision in provisions:
            for code in provision.themes:
                by_theme.setdefault(code, []).append(provision)
        for country in countries:
            if not _concerns(instrument, country, statuses):
                continue
            entry_standing = standing(instrument, country, statuses, today)
            entries[country].append(CellEntry(instrument, entry_standing, provisions))
            for code in wanted:
                if code in by_theme:
                    cells.setdefault((country, code), []).append(
                        CellEntry(instrument, entry_standing, by_theme[code])
                    )
    return Matrix(countries, theme_choices, cells, entries, hooks.country_counts(user, countries))


def _concerns(instrument: Instrument, country: str, statuses: dict) -> bool:
    if instrument.country:
        return instrument.country == country
    if instrument.region == "global":
        # Global commitments concern every state; a global treaty concerns a state whatever its
        # status, so that "not a party" shows in the matrix as the gap it is.
        return True
    return country in instrument.countries_concerned() or country in statuses


def countries_with_frameworks(user) -> list[str]:
    """Countries that have at least one national instrument, for the default comparison."""
    return sorted(set(instruments_visible(user).exclude(country="").values_list("country", flat=True)))
