"""Released figures beside each country's frameworks: what the frameworks hook receives."""

import pytest

from lindung.core.roles import Role
from lindung.frameworks import hooks
from lindung.standard.models import StandardRecord
from lindung.stats import services
from lindung.stats.country_figures import released_country_figures
from lindung.stats.tables import protected_table

pytestmark = pytest.mark.django_db


def _release(user, by="citizenship", title="By citizenship"):
    return services.release_create(
        acting_user=user, title=title, tables=[protected_table(user, "presumed_victims", by)]
    )


def _counts(org):
    rows = StandardRecord.objects.filter(organisation=org).values_list("citizenship", flat=True)
    counts: dict = {}
    for code in rows:
        counts[code] = counts.get(code, 0) + 1
    return counts


def test_each_country_gets_its_released_count_or_suppressed(manager, records_a):
    release = _release(manager)
    counts = _counts(records_a)
    figures = released_country_figures(manager, [*counts, "ATA"])
    assert "ATA" not in figures  # no record, no cell: nothing is invented
    published = 0
    for country, count in counts.items():
        [(label, value)] = figures[country]
        assert release.identifier in label
        # A released count is the true count (no rounding here); a withheld one says so.
        if value != "suppressed":
            assert value == count
            published += 1
    assert published > 0
    assert any(value == "suppressed" for pairs in figures.values() for _, value in pairs) == any(
        n < 5 for n in counts.values()
    )


def test_tables_without_a_country_dimension_add_nothing(manager):
    _release(manager, by="sex")
    assert released_country_figures(manager, ["PHL", "IDN", "THA"]) == {}


def test_only_the_latest_release_of_an_indicator_is_shown(manager, records_a):
    _release(manager, title="First")
    second = _release(manager, title="Second")
    country = max(_counts(records_a).items(), key=lambda pair: pair[1])[0]
    [(label, _value)] = released_country_figures(manager, [country])[country]
    assert second.identifier in label


def test_readers_outside_the_publishing_organisation_see_nothing(manager, records_a, org_b, make_user):
    _release(manager)
    country = max(_counts(records_a).items(), key=lambda pair: pair[1])[0]
    outsider = make_user(org_b, Role.RESEARCHER)
    assert released_country_figures(outsider, [country]) == {}
    assert released_country_figures(make_user(records_a, Role.CASEWORKER), [country]) == {}


def test_the_frameworks_comparison_receives_the_figures(manager, records_a):
    _release(manager)
    country = max(_counts(records_a).items(), key=lambda pair: pair[1])[0]
    assert hooks.country_counts(manager, [country])[country] == released_country_figures(
        manager, [country]
    )[country]
