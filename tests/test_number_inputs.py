"""Numbers typed by people or sent by programs, across the apps that used ``str.isdigit()`` +
``int()``: Unicode digits (², ٣, ①) and numbers no column holds are refused or looked up as names,
never a crash."""

import json

import pytest
from django.core.management import CommandError

from lindung.core.roles import Role

NOT_IDS = ["²", "٣", "①", "99999999999999999999", "-5"]


@pytest.mark.django_db
@pytest.mark.parametrize("given", NOT_IDS)
def test_maritime_import_names_an_unknown_organisation(given):
    from lindung.maritime.management.commands.maritime import Command

    with pytest.raises(CommandError, match="no organisation"):
        Command()._organisation(given)


@pytest.mark.django_db
@pytest.mark.parametrize("given", NOT_IDS)
def test_standard_commands_find_no_organisation(given):
    from lindung.standard.management.commands.standard import _organisation

    assert _organisation(given) is None


@pytest.mark.django_db
def test_commands_still_find_an_organisation_by_id_or_short_name(org_a):
    from lindung.maritime.management.commands.maritime import Command
    from lindung.standard.management.commands.standard import _organisation

    org_a.short_name = "OA"
    org_a.save()
    assert _organisation(f" {org_a.pk} ") == org_a and _organisation("OA") == org_a
    assert Command()._organisation(str(org_a.pk)) == org_a


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_referral_from_a_person_that_is_not_an_id_is_not_found(org_a, client_for, value):
    client = client_for(org_a, Role.CASEWORKER)
    assert client.get("/referrals/new/", {"person": value}).status_code == 404


def test_frameworks_import_names_an_implemented_instrument_it_cannot_find(org_a, make_user):
    from lindung.frameworks import services

    user = make_user(org_a, Role.RESEARCHER)
    rows = [{"title_en": "Test law", "kind": "law", "country": "THA", "implements": "²|99999999999999999999"}]
    result = services.instruments_import(acting_user=user, name="x.json", content=json.dumps(rows).encode())
    implements = [e for e in result.errors if e.field == "implements"]
    assert len(implements) == 2 and not result.created


def test_frameworks_import_refuses_deeply_nested_json(org_a, make_user):
    from lindung.frameworks import services

    user = make_user(org_a, Role.RESEARCHER)
    deep = b"[" * 100_000 + b"]" * 100_000
    result = services.instruments_import(acting_user=user, name="x.json", content=deep)
    assert [(e.row, e.field) for e in result.errors] == [(0, "")] and not result.created
