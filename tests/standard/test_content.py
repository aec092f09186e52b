"""The content of the standard: the code lists other modules rely on, labels, versions, diff."""

import pytest

from lindung.standard import registry, versions

MY_DOMAINS = {
    "record",
    "person",
    "migration",
    "vulnerability",
    "trafficking",
    "assistance",
    "return",
    "detention",
    "outcome",
}
CONTRACT_LISTS = {
    "sex",
    "gender",
    "age_group",
    "country",
    "language",
    "legal_status",
    "means_of_travel",
    "domv_level",
    "factor_direction",
    "vulnerability_category",
    "form_of_exploitation",
    "type_of_labour",
    "type_of_sexual_exploitation",
    "means_of_control",
    "recruiter_relation",
    "service_type",
    "return_stage",
    "reintegration_assistance_type",
    "reintegration_dimension",
    "detention_placement_type",
    "atd_placement_type",
    "case_outcome",
    "wg_difficulty",
}


def test_code_lists_other_modules_use_exist():
    assert set(registry.load().code_lists) >= CONTRACT_LISTS


def test_vulnerability_categories_and_domv():
    codes = set(registry.code_list("vulnerability_category").values())
    assert {
        "presumed_victim_of_trafficking",
        "victim_of_trafficking",
        "smuggled_migrant_protection_needs",
        "unaccompanied_child",
        "separated_child",
        "survivor_of_violence",
        "migrant_with_health_needs",
        "stranded_migrant",
        "migrant_in_detention",
    } <= codes
    assert registry.code_list("domv_level").values() == [
        "individual",
        "household_family",
        "community",
        "structural",
    ]
    assert registry.code_list("factor_direction").values() == ["risk", "protective"]
    levels = set(registry.code_list("domv_level").values())
    assert all(c.parent in levels for c in registry.code_list("vulnerability_factor").codes)
    assert registry.code_list("reintegration_dimension").values() == ["economic", "social", "psychosocial"]


def test_washington_group_short_set_has_six_questions():
    wg = [v for v in registry.load().variables.values() if v.id.startswith("wg_")]
    assert len(wg) == 6
    assert all(v.code_list == "wg_difficulty" for v in wg)


def test_every_variable_and_code_has_english_and_french():
    standard = registry.load()
    for var in standard.variables.values():
        if var.domain in MY_DOMAINS:
            assert var.labels.get("en") and var.labels.get("fr"), var.id
            assert var.definitions.get("en") and var.definitions.get("fr"), var.id
            assert var.requirement in ("core", "recommended", "optional")
            assert var.sensitivity in ("direct_identifier", "quasi_identifier", "sensitive", "non_sensitive")
    for cl in standard.code_lists.values():
        if cl.domain in MY_DOMAINS:
            for code in cl.codes:
                assert code.labels.get("en") and code.labels.get("fr"), f"{cl.id}.{code.code}"


def test_ctdc_crosswalk_covers_the_flag_families():
    standard = registry.load()
    for list_id, prefix in [
        ("means_of_control", "meansOfControl"),
        ("type_of_labour", "typeOfLabour"),
        ("type_of_sexual_exploitation", "typeOfSex"),
        ("recruiter_relation", "recruiterRelation"),
    ]:
        columns = [
            c.crosswalk.get("ctdc") for c in standard.code_lists[list_id].codes if c.crosswalk.get("ctdc")
        ]
        assert columns and all(col.startswith(prefix) for col in columns)


def test_versions_and_draft_label():
    assert registry.versions()[:2] == ["0.9", "1.0"]
    assert registry.current_version() == "1.0"
    assert versions.describe("0.9")["status"] == "draft"
    assert versions.describe("1.0")["current"]
    assert "## 1.0" in versions.changelog()


def test_diff_between_versions():
    diff = versions.compare("0.9", "1.0")
    assert "has_disability" in diff.variables_removed
    assert "wg_seeing" in diff.variables_added
    age = next(c for c in diff.variables_changed if c.id == "age")
    assert ("constraints", {"minimum": 0, "maximum": 99}, {"minimum": 0, "maximum": 120}) in age.what
    sex = next(c for c in diff.lists_changed if c.id == "sex")
    assert ("code added", "", "X") in sex.what
    assert versions.compare("1.0", "1.0").empty


def test_unknown_version_is_refused():
    with pytest.raises(LookupError):
        registry.load("7.7")


LANGUAGE_CODES = {"en", "fr", "ru", "th", "ms", "id"}


@pytest.mark.parametrize("version", registry.versions())
def test_every_code_label_is_whole_text_in_known_languages(version):
    """A comma inside an unquoted YAML flow mapping once cut "Closed, goals met" into "Closed"
    and a stray key; every label must be a mapping of language codes to non-empty text."""
    standard = registry.load(version)
    for cl in standard.code_lists.values():
        if cl.id in registry.GENERATED_LISTS:
            continue
        seen: dict[tuple[str, str], str] = {}
        for code in cl.codes:
            where = f"{version} {cl.id}.{code.code}"
            assert isinstance(code.labels, dict) and code.labels, where
            assert set(code.labels) <= LANGUAGE_CODES, (where, sorted(set(code.labels) - LANGUAGE_CODES))
            for lang, text in code.labels.items():
                assert isinstance(text, str) and text.strip(), (where, lang)
                other = seen.setdefault((lang, text.strip().casefold()), code.code)
                assert other == code.code, f"{where}: same {lang} label as {other}"


def test_every_shipped_yaml_label_is_a_mapping_of_languages():
    """The same check over every YAML file shipped (indicators, engagement model, instruments)."""
    from pathlib import Path

    from lindung.core.yamlfiles import read_yaml

    broken = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                whole = isinstance(value, dict) and set(value) <= LANGUAGE_CODES
                whole = whole and all(isinstance(t, str) and t.strip() for t in value.values())
                if key in ("label", "title", "definition") and isinstance(value, dict) and not whole:
                    broken.append(f"{where}/{key}")
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]")

    package = Path(registry.__file__).resolve().parent.parent
    files = sorted(package.rglob("*.yaml"))
    assert files
    for path in files:
        walk(read_yaml(path), str(path.relative_to(package)))
    assert broken == []
