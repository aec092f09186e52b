"""Tables drop no record silently (issue 14, item 7): a missing value, the year included, is the
category "not recorded", and every table states how many records it covers."""

import csv
import io

import pytest
from django.core.management import call_command

from lindung.core.actors import SYSTEM
from lindung.core.roles import Role
from lindung.standard import services as standard_services
from lindung.stats import exports
from lindung.stats.tables import protected_table

pytestmark = pytest.mark.django_db

HEADER = (
    "yearOfRegistration,Datasource,gender,ageBroad,majorityStatus,citizenship,CountryOfExploitation,"
    "isForcedLabour"
)


def ctdc_file(rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def analyst(org_a, make_user):
    # 30 records with a year, 14 without (8 exploited in Libya, 6 in Cameroon), as in the real
    # release where records with no registration year vanished from every table.
    rows = [f"20{19 + i % 3},Hotline,Female,18--20,Adult,PH,MY,1" for i in range(30)]
    rows += ["-99,Hotline,Male,18--20,Adult,NG,LY,1"] * 8 + [",Hotline,Male,18--20,Adult,NG,CM,0"] * 6
    standard_services.batch_import(
        acting_user=SYSTEM, organisation=org_a, file_name="c.csv", data=ctdc_file(rows), profile="ctdc"
    )
    return make_user(org_a, Role.DATA_MANAGER, username="dm")


def _cells(table):
    return {tuple(c["key"].values()): c["value"] for c in table.cells()}


def test_records_without_a_year_are_counted_in_tables_that_do_not_ask_for_it(analyst):
    table = protected_table(analyst, "presumed_victims", "country_of_exploitation")
    cells = _cells(table)
    assert cells[("LBY",)] == 8 and cells[("CMR",)] == 6 and cells[("_T",)] == 44
    assert table.coverage["records"] == 44 and table.coverage["undated"] == 0


def test_a_missing_year_is_the_category_not_recorded(analyst):
    table = protected_table(analyst, "presumed_victims", "year")
    cells = _cells(table)
    assert cells[("unknown",)] == 14 and cells[("_T",)] == 44
    assert table.label("year", "unknown") == "Not recorded"


def test_every_output_states_the_coverage(analyst, tmp_path):
    table = protected_table(analyst, "presumed_victims", "country_of_exploitation", rounding=5)
    assert table.coverage["records"] == 45  # 44 rounded like the cells
    assert any("45" in line for line in table.coverage_lines())
    rows = list(csv.reader(io.StringIO(exports.to_csv(table).decode())))
    assert rows[0][-1] == "Records covered" and {r[-1] for r in rows[1:]} == {"45"}
    sdmx = exports.to_sdmx_csv(table).decode().splitlines()
    assert sdmx[0].endswith(",COVERAGE") and sdmx[1].endswith(",45")
    target = tmp_path / "t.csv"
    call_command(
        "stats",
        "table",
        "presumed_victims",
        "--by",
        "country_of_exploitation",
        "--user",
        "dm",
        "-o",
        str(target),
    )
    assert list(csv.reader(io.StringIO(target.read_text())))[1][-1] == "44"


def test_api_and_page_state_the_coverage(analyst, client):
    client.force_login(analyst)
    body = client.get("/api/v1/stats/indicators/presumed_victims/table/", {"by": "year"}).json()
    assert body["coverage"]["records"] == 44
    page = client.get("/stats/indicators/presumed_victims/?first=year&second=&third=&threshold=5&rounding=")
    assert "This table counts 44" in page.content.decode()
