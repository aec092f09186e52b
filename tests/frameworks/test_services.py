"""Writes: validation of dates, statuses, parties, duplicates, documents; audit; verification."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.frameworks import services
from lindung.frameworks.models import Instrument, PartyStatus, Recommendation, SearchEntry

D = datetime.date
pytestmark = pytest.mark.django_db


def test_create_records_who_and_where_and_audits(researcher, org_a, make_instrument):
    instrument = make_instrument()
    assert instrument.entered_by == researcher
    assert instrument.entered_in == org_a
    assert instrument.verification == "unverified"  # the default: nobody claimed it was checked
    entry = AuditEntry.objects.get(action="frameworks.instrument_created", object_id=str(instrument.pk))
    assert entry.organisation_id == org_a.pk
    assert SearchEntry.objects.filter(instrument=instrument, provision__isnull=True).exists()


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"adopted_on": D(2020, 5, 1), "in_force_on": D(2020, 4, 1)}, "in_force_on"),
        ({"adopted_on": D(2020, 5, 1), "amended_on": D(2019, 1, 1)}, "amended_on"),
        ({"in_force_on": D(2020, 5, 1), "repealed_on": D(2020, 1, 1), "adopted_on": None}, "repealed_on"),
        ({"in_force_on": D(2020, 5, 1), "expires_on": D(2020, 4, 30), "adopted_on": None}, "expires_on"),
    ],
)
def test_dates_out_of_order_are_refused_and_nothing_is_written(make_instrument, dates, field):
    before = Instrument.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_instrument(**dates)
    assert field in caught.value.message_dict
    assert "cannot be before" in caught.value.message_dict[field][0]
    assert Instrument.objects.count() == before
    assert not AuditEntry.objects.filter(action="frameworks.instrument_created").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"status": "repealed"}, "repealed_on"),
        ({"status": "expired", "expires_on": D(2999, 1, 1)}, "expires_on"),
        ({"status": "in_force", "in_force_on": D(2999, 1, 1)}, "status"),
        ({"status": "active"}, "status"),  # a binding law is not "active (non-binding)"
        ({"country": "", "region": ""}, "country"),
        ({"country": "IDN", "region": "asean"}, "country"),
        ({"country": "", "region": "asean"}, "country"),  # a national law belongs to one country
        ({"parties": ["IDN", "XXX"]}, "parties"),
        ({"instrument_type": "not_a_type"}, "instrument_type"),
    ],
)
def test_inconsistent_instruments_are_refused(make_instrument, overrides, field):
    with pytest.raises(ValidationError) as caught:
        make_instrument(**overrides)
    assert field in caught.value.message_dict


def test_duplicate_by_title_jurisdiction_and_date(make_instrument):
    first = make_instrument(title_en="Law on Shelter", adopted_on=D(2021, 3, 3))
    with pytest.raises(ValidationError) as caught:
        make_instrument(title_en="  law ON shelter ", title_original="Other", adopted_on=D(2021, 3, 3))
    assert f"#{first.pk}" in caught.value.message_dict["title_en"][0]
    # Same title in another country, or on another date, is another instrument.
    make_instrument(title_en="Law on Shelter", country="THA", adopted_on=D(2021, 3, 3))
    make_instrument(title_en="Law on Shelter", adopted_on=D(2022, 3, 3))
    # The original-language title also identifies a duplicate.
    with pytest.raises(ValidationError):
        make_instrument(
            title_en="Different English", title_original=first.title_original, adopted_on=D(2021, 3, 3)
        )


def test_update_validates_and_reports_changed_fields(researcher, make_instrument):
    instrument = make_instrument()
    services.instrument_update(
        acting_user=researcher, instrument=instrument, data={"summary": "Now summarised"}
    )
    entry = AuditEntry.objects.filter(action="frameworks.instrument_updated").latest("id")
    assert entry.detail["fields"] == ["summary"]
    with pytest.raises(ValidationError):
        services.instrument_update(
            acting_user=researcher, instrument=instrument, data={"in_force_on": D(1900, 1, 1)}
        )
    instrument.refresh_from_db()
    assert instrument.in_force_on is None


def test_only_managers_write(org_a, make_user, make_instrument):
    caseworker = make_user(org_a, Role.CASEWORKER)
    with pytest.raises(PermissionDenied):
        services.instrument_create(
            acting_user=caseworker,
            data={
                "title_en": "X",
                "title_original": "X",
                "instrument_type": "national_law",
                "country": "IDN",
                "status": "in_force",
            },
        )
    instrument = make_instrument()
    with pytest.raises(PermissionDenied):
        services.provision_save(acting_user=caseworker, instrument=instrument, reference="1", text="t")
    assert AuditEntry.objects.filter(action="policy.denied", actor_id=caseworker.pk).count() == 2


def test_a_researcher_of_another_organisation_may_edit_the_shared_knowledge_base(
    org_b, make_user, make_instrument
):
    other = make_user(org_b, Role.RESEARCHER)
    instrument = make_instrument()
    services.instrument_update(acting_user=other, instrument=instrument, data={"summary": "Edited from B"})
    instrument.refresh_from_db()
    assert instrument.summary == "Edited from B"
    assert instrument.entered_in_id != org_b.pk  # provenance is kept


def test_without_source_is_unverified_and_cannot_be_verified(researcher, make_instrument):
    instrument = make_instrument(citation="", verification="cited")
    assert instrument.verification == "unverified"
    with pytest.raises(ValidationError):
        services.instrument_verify(acting_user=researcher, instrument=instrument)
    sourced = make_instrument(citation="Official Gazette 2020/1")
    services.instrument_verify(acting_user=researcher, instrument=sourced, note="Checked the gazette")
    sourced.refresh_from_db()
    assert (sourced.verification, sourced.verified_by, sourced.last_verified) == (
        "verified",
        researcher,
        datetime.date.today(),
    )


# country statuses --------------------------------------------------------------------------------


def test_status_for_a_party_is_recorded(researcher, treaty):
    status = services.party_status_record(
        acting_user=researcher,
        instrument=treaty,
        country="MYS",
        signed_on=D(2019, 5, 1),
        consent="ratification",
        consent_on=D(2019, 5, 20),
        reservations="Article 9",
    )
    assert status.is_bound
    # Recording again replaces, never duplicates.
    services.party_status_record(
        acting_user=researcher, instrument=treaty, country="MYS", signed_on=D(2019, 5, 1)
    )
    assert PartyStatus.objects.filter(instrument=treaty).count() == 1


def test_ratification_for_a_non_party_is_refused(researcher, treaty):
    with pytest.raises(ValidationError) as caught:
        services.party_status_record(
            acting_user=researcher,
            instrument=treaty,
            country="THA",
            consent="ratification",
            consent_on=D(2020, 1, 1),
        )
    assert "THA is not a party" in caught.value.message_dict["country"][0]
    assert not PartyStatus.objects.filter(instrument=treaty).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"signed_on": D(2019, 5, 2), "consent": "ratification", "consent_on": D(2019, 5, 1)}, "consent_on"),
        ({"signed_on": D(2018, 1, 1)}, "signed_on"),  # before the instrument was adopted
        ({"consent_on": D(2019, 7, 1)}, "consent"),  # a date without saying which consent
        ({}, "signed_on"),  # nothing to record
        ({"consent": "signature_only"}, "consent"),
    ],
)
def test_bad_statuses_are_refused(researcher, treaty, values, field):
    with pytest.raises(ValidationError) as caught:
        services.party_status_record(acting_user=researcher, instrument=treaty, country="IDN", **values)
    assert field in caught.value.message_dict


def test_statuses_only_for_treaties_and_agreements(researcher, make_instrument):
    law = make_instrument()
    with pytest.raises(ValidationError) as caught:
        services.party_status_record(
            acting_user=researcher, instrument=law, country="IDN", signed_on=D(2021, 1, 1)
        )
    assert "Only treaties" in caught.value.message_dict["country"][0]


def test_open_treaty_takes_any_state(researcher):
    treaty = services.instrument_create(
        acting_user=researcher,
        data={
            "title_en": "Open test convention",
            "title_original": "Open test convention",
            "instrument_type": "convention",
            "region": "global",
            "open_to_all_states": True,
            "status": "in_force",
            "adopted_on": D(2001, 1, 1),
            "citation": "UNTS test",
        },
    )
    services.party_status_record(
        acting_user=researcher,
        instrument=treaty,
        country="KGZ",
        consent="accession",
        consent_on=D(2010, 1, 1),
    )


# documents ----------------------------------------------------------------------------------------


def test_document_of_the_right_type_is_attached(make_instrument):
    pdf = SimpleUploadedFile("law.pdf", b"%PDF-1.7\n% test\n", content_type="application/pdf")
    instrument = make_instrument(citation="", verification="cited")
    assert instrument.verification == "unverified"
    with_doc = services.instrument_create(
        acting_user=instrument.entered_by,
        data={
            "title_en": "Law with text",
            "title_original": "Law with text",
            "instrument_type": "national_law",
            "country": "IDN",
            "status": "in_force",
            "verification": "cited",
        },
        document=pdf,
    )
    assert with_doc.document_content_type == "application/pdf"
    assert with_doc.document_size == len(b"%PDF-1.7\n% test\n")
    assert with_doc.verification == "cited"  # a document is a source


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("law.exe", b"MZ\x90\x00", "not an accepted type"),
        ("law.pdf", b"<html>not a pdf</html>", "not a .pdf document"),
        ("law.docx", b"%PDF-1.7", "not a .docx document"),
        ("law.txt", b"text\x00with nul", "plain text"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_wrong_documents_are_refused(make_instrument, name, content, message):
    before = Instrument.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_instrument(citation="x")  # a valid one first, to show the bad one adds nothing
        services.instrument_create(
            acting_user=Instrument.objects.latest("id").entered_by,
            data={
                "title_en": "Doc law",
                "title_original": "Doc law",
                "instrument_type": "national_law",
                "country": "IDN",
                "status": "in_force",
            },
            document=SimpleUploadedFile(name, content),
        )
    assert message in caught.value.message_dict["document"][0]
    assert Instrument.objects.count() == before + 1


def test_too_large_document_is_refused(settings, make_instrument):
    settings.LINDUNG_FRAMEWORKS_MAX_DOCUMENT_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        make_instrument().entered_by and services.instrument_create(
            acting_user=Instrument.objects.latest("id").entered_by,
            data={
                "title_en": "Big",
                "title_original": "Big",
                "instrument_type": "national_law",
                "country": "IDN",
                "status": "in_force",
            },
            document=SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 200),
        )
    assert "the limit is 100 bytes" in caught.value.message_dict["document"][0]


# provisions and recommendations ------------------------------------------------------------------


def test_provision_codes_are_checked(researcher, make_instrument):
    instrument = make_instrument()
    with pytest.raises(ValidationError) as caught:
        services.provision_save(
            acting_user=researcher,
            instrument=instrument,
            reference="Art. 1",
            text="t",
            themes=["atd", "flying"],
            gcm_objectives=["24"],
            groups=["aliens"],
        )
    assert set(caught.value.message_dict) == {"themes", "gcm_objectives", "groups"}
    provision = services.provision_save(
        acting_user=researcher,
        instrument=instrument,
        reference="Art. 1",
        text="Children are not detained.",
        themes=["atd"],
        gcm_objectives=["13"],
    )
    assert provision.themes == ["atd"]
    other = make_instrument()
    with pytest.raises(ValidationError):
        services.provision_save(acting_user=researcher, instrument=other, provision=provision, text="moved")


def test_recommendation_follow_up(researcher, make_instrument):
    instrument = make_instrument()
    rec = services.recommendation_save(
        acting_user=researcher,
        instruments=[instrument],
        kind="recommendation",
        title="Adopt ATD",
        text="Adopt alternatives",
        source="Test review",
        themes=["atd"],
        countries=["IDN"],
    )
    assert rec.followup_status == "proposed" and rec.followup_updated_on == datetime.date.today()
    services.recommendation_save(
        acting_user=researcher,
        recommendation=rec,
        followup_status="implemented",
        followup_note="Regulation adopted",
    )
    rec.refresh_from_db()
    assert rec.followup_status == "implemented"
    with pytest.raises(ValidationError) as caught:
        services.recommendation_save(
            acting_user=researcher,
            kind="recommendation",
            title="x",
            text="x",
            source="x",
            themes=["nope"],
            countries=["ZZZ"],
            followup_status="done",
        )
    assert {"themes", "countries", "followup_status"} <= set(caught.value.message_dict)


def test_core_protection_instruments_are_loaded_with_citations_and_unverified_statuses(shipped):
    from lindung.frameworks.models import Instrument, PartyStatus
    from lindung.frameworks.reference_core import CORE_INSTRUMENTS, CORE_STATUSES

    titles = [spec["title_en"] for spec in CORE_INSTRUMENTS]
    loaded = Instrument.objects.filter(title_en__in=titles)
    assert loaded.count() == 6
    for instrument in loaded:
        assert instrument.citation.startswith("United Nations, Treaty Series, vol. ")
        assert instrument.provisions.filter(text_kind="quotation").exists()
    statuses = PartyStatus.objects.filter(instrument__in=loaded)
    assert statuses.count() == len(CORE_STATUSES)
    # Recalled dates are never presented as checked.
    assert set(statuses.values_list("verification", flat=True)) == {"unverified"}
    crc = statuses.filter(instrument__title_en="Convention on the Rights of the Child")
    assert crc.count() == 11  # every country of the three regions is a party
    refugees = statuses.filter(instrument__title_en="Convention relating to the Status of Refugees")
    assert not refugees.filter(country__in=["IDN", "MYS", "THA"]).exists()


def _recommend(user, title, priority, countries, **extra):
    return services.recommendation_save(
        acting_user=user,
        kind="recommendation",
        title=title,
        text=f"Text of {title}.",
        source="Test review",
        countries=countries,
        themes=["atd"],
        priority=priority,
        **extra,
    )


def test_the_desk_review_lists_recommendations_of_its_countries_high_priority_first(researcher):
    from docx import Document

    from lindung.frameworks import exports

    _recommend(researcher, "Low one", "low", ["IDN"])
    _recommend(researcher, "High one", "high", ["MYS", "IDN"])
    _recommend(researcher, "Medium one", "medium", ["IDN"])
    _recommend(researcher, "Elsewhere", "high", ["PHL"])
    review = exports.desk_review(researcher, ["IDN", "MYS"])
    assert [r.title for r in review.recommendations] == ["High one", "Medium one", "Low one"]
    document = Document(io.BytesIO(exports.report_docx(review)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    ranked = [h for h in headings if " — " in h]
    assert [h.split(" — ")[1].split(" (")[0] for h in ranked] == ["High one", "Medium one", "Low one"]
    assert exports.report_pdf(review)[:5] == b"%PDF-"


def test_a_priority_outside_the_code_list_is_refused(researcher):
    with pytest.raises(ValidationError) as refused:
        _recommend(researcher, "Bad", "urgent", ["IDN"])
    assert refused.value.error_dict["priority"][0].code == "invalid_choice"
    assert not Recommendation.objects.filter(title="Bad").exists()
