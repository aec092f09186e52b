"""Privacy-preserving linkage from the outside: the command, the API and the runs page (roles)."""

import json

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from lindung.core.actors import SYSTEM
from lindung.core.roles import Role
from lindung.linkage import pprl_services as services
from lindung.linkage.models import PprlRun

from .test_pprl import agreement, planted  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_manager(org_a, make_user):
    return make_user(org_a, Role.DATA_MANAGER, username="dm_a")


def test_command_encodes_and_matches(agreement, planted, org_a, org_b, tmp_path):  # noqa: F811
    out_a, out_b, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "pairs.json"
    call_command("linkage", "encode", agreement="LA-2026-01", organisation=str(org_a.pk), out=str(out_a))
    call_command("linkage", "encode", agreement="LA-2026-01", organisation=str(org_b.pk), out=str(out_b))
    assert json.loads(out_a.read_text())["header"]["count"] == 5
    call_command("linkage", "match", str(out_a), str(out_b), agreement="LA-2026-01", out=str(out))
    assert json.loads(out.read_text())["header"]["count"] == 3

    truncated = tmp_path / "cut.json"
    truncated.write_bytes(out_b.read_bytes()[:-40])
    runs = PprlRun.objects.count()
    with pytest.raises(CommandError, match="pprl_malformed"):
        call_command("linkage", "match", str(out_a), str(truncated), agreement="LA-2026-01")
    with pytest.raises(CommandError, match="No linkage agreement"):
        call_command("linkage", "encode", agreement="nope")
    assert PprlRun.objects.count() == runs


def test_api_encodes_matches_and_refuses_with_codes(agreement, planted, org_a, org_b, make_user):  # noqa: F811
    client_a, client_b = APIClient(), APIClient()
    client_a.force_authenticate(make_user(org_a, Role.DATA_MANAGER))
    client_b.force_authenticate(make_user(org_b, Role.DATA_MANAGER))
    file_a = client_a.post("/api/v1/linkage/pprl-encode/", {"agreement": "LA-2026-01"}, format="json")
    file_b = client_b.post("/api/v1/linkage/pprl-encode/", {"agreement": "LA-2026-01"}, format="json")
    assert file_a.status_code == 200 and file_a.json()["header"]["count"] == 5
    assert file_b.status_code == 200 and file_b.json()["header"]["party"] == org_b.name
    body = {"agreement": "LA-2026-01", "files": [file_a.json(), file_b.json()], "threshold": 0.8}
    answer = client_a.post("/api/v1/linkage/pprl-match/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert len(answer.json()["pairs"]) == 3
    runs = client_a.get("/api/v1/linkage/pprl-runs/").json()
    match = next(r for r in runs["results"] if r["kind"] == "match")
    assert match["unique_persons"] == 7 and match["records"] == [5, 5]

    tampered = file_b.json()
    tampered["records"][0]["ref"] = "R-XXXXX-XXXXX"
    answer = client_a.post(
        "/api/v1/linkage/pprl-match/", {**body, "files": [file_a.json(), tampered]}, format="json"
    )
    assert answer.status_code == 400 and answer.json()["codes"]["non_field_errors"] == ["pprl_tampered"]
    answer = client_a.post("/api/v1/linkage/pprl-match/", {**body, "threshold": 2}, format="json")
    assert answer.status_code == 400 and "threshold" in answer.json()
    answer = client_a.post("/api/v1/linkage/pprl-encode/", {"agreement": "unknown"}, format="json")
    assert answer.status_code == 400 and answer.json()["codes"]["agreement"] == ["not_found"]
    assert PprlRun.objects.filter(kind=PprlRun.Kind.MATCH).count() == 1


def test_runs_page_is_for_data_managers(agreement, planted, client, data_manager, caseworker):  # noqa: F811
    file_a, _run = services.pprl_encode(acting_user=SYSTEM, agreement=agreement)
    client.force_login(data_manager)
    page = client.get("/linkage/pprl/")
    assert page.status_code == 200
    assert "LA-2026-01" in page.content.decode() and "encodings exported" in page.content.decode()
    client.force_login(caseworker)
    assert client.get("/linkage/pprl/").status_code == 403


@pytest.mark.browser
def test_data_manager_finds_the_runs_page(page, live_server, login, agreement, planted, data_manager):  # noqa: F811
    file_a, _run = services.pprl_encode(acting_user=SYSTEM, agreement=agreement)
    file_b, _run = services.pprl_encode(
        acting_user=SYSTEM,
        agreement=agreement,
        organisation=planted[1][("Mukhammad", "Rakhimov")].organisation,
    )
    services.pprl_match(acting_user=SYSTEM, agreement=agreement, files=[file_a, file_b])
    login("dm_a")
    page.get_by_role("link", name="Linkage").click()
    row = page.locator("#pprl-runs tbody tr").first
    assert "encodings matched" in row.inner_text()
    assert "7" in row.locator("td").nth(6).inner_text()


def test_demo_shows_a_match_to_the_data_manager(demo_world):
    from lindung.core.models import User
    from lindung.linkage import pprl_selectors

    datamanager = User.objects.get(username="datamanager")
    runs = list(pprl_selectors.runs_visible(datamanager))
    assert [run.kind for run in runs] == ["match"]
    assert runs[0].matched >= 1 and runs[0].unique_persons == sum(runs[0].records) - runs[0].matched
    assert [a.reference for a in pprl_selectors.agreements_visible(datamanager)] == ["LA-DEMO-2026"]
