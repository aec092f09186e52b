"""The bad input the issue names: transitions out of order, missing step data, impossible dates,
a child in detention, bad uploads, concurrent edits; plus bad person and consent data."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from lindung.cases import services
from lindung.cases.models import Case, Placement
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry
from tests.cases.conftest import days_ago

TODAY = datetime.date.today()


def _avrr_at_departure_step(make_case, caseworker):
    case = make_case("avrr")
    Case.objects.filter(pk=case.pk).update(opened_on=TODAY - datetime.timedelta(days=90))
    case.refresh_from_db()
    for name, data in [
        ("complete_counselling", {"counselling_date": days_ago(50), "informed_decision": True}),
        ("confirm_eligibility", {"eligibility_date": days_ago(45), "destination_country": "MMR"}),
        (
            "obtain_travel_document",
            {"travel_document_type": "passport", "travel_document_issued": days_ago(40)},
        ),
    ]:
        case = services.case_transition(
            acting_user=caseworker, case=case, transition=name, data=data, expected_version=case.version
        )
    return case


def test_out_of_order_transition_is_refused(make_case, caseworker):
    case = make_case("avrr")
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=caseworker,
            case=case,
            transition="confirm_arrival",
            data={"arrival_date": days_ago(1)},
            expected_version=case.version,
        )
    assert "Counselling" in refused.value.message_dict["transition"][0]
    assert Case.objects.get(pk=case.pk).state == "counselling"


def test_missing_step_data_names_the_field(make_case, caseworker):
    case = make_case("avrr")
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=caseworker,
            case=case,
            transition="complete_counselling",
            data={"informed_decision": True},
            expected_version=case.version,
        )
    assert "needed for this step" in refused.value.message_dict["counselling_date"][0]


def test_departure_before_counselling_is_refused(make_case, caseworker, clear_for_departure):
    case = _avrr_at_departure_step(make_case, caseworker)
    clear_for_departure(case)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=caseworker,
            case=case,
            transition="declare_fit_to_travel",
            data={"fit_to_travel_date": days_ago(70), "departure_date": days_ago(60)},
            expected_version=case.version,
        )
    messages = " ".join(refused.value.message_dict["departure_date"])
    assert "cannot be before counselling date" in messages
    assert Case.objects.get(pk=case.pk).state == "fit_to_travel"


def test_step_date_before_the_case_opened_is_refused(make_case, caseworker):
    case = make_case("protection")
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=caseworker,
            case=case,
            transition="start_assessment",
            data={"assessment_date": days_ago(3)},
            expected_version=case.version,
        )
    assert "before the case was opened" in refused.value.message_dict["assessment_date"][0]


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"counselling_date": "31/12/2025", "informed_decision": True}, "counselling_date", "YYYY-MM-DD"),
        ({"counselling_date": days_ago(0), "informed_decision": "maybe"}, "informed_decision", "yes or no"),
        (
            {"counselling_date": days_ago(0), "informed_decision": True, "colour": "red"},
            "colour",
            "does not take",
        ),
    ],
)
def test_malformed_step_data(make_case, caseworker, data, field, expected):
    case = make_case("avrr")
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=caseworker,
            case=case,
            transition="complete_counselling",
            data=data,
            expected_version=case.version,
        )
    assert expected in " ".join(refused.value.message_dict[field])


def test_uninformed_return_is_refused(make_case, caseworker):
    case = make_case("avrr")
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=caseworker,
            case=case,
            transition="complete_counselling",
            data={"counselling_date": days_ago(0), "informed_decision": False},
            expected_version=case.version,
        )
    assert "informed decision" in refused.value.message_dict["transition"][0]


def test_unknown_code_is_refused(make_case, caseworker):
    case = _avrr_at_departure_step(make_case, caseworker)
    Case.objects.filter(pk=case.pk).update(state="eligibility")
    case.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=caseworker,
            case=case,
            transition="confirm_eligibility",
            data={"eligibility_date": days_ago(1), "destination_country": "XXX"},
            expected_version=case.version,
        )
    assert "not one of the allowed codes" in refused.value.message_dict["destination_country"][0]


@pytest.mark.parametrize(
    "person_fields",
    [
        {"age_group": "9-17", "majority_status": "child"},
        {"age_group": "", "majority_status": ""},  # unknown age counts as a child for this rule
        {"age_group": "", "date_of_birth": TODAY.replace(year=TODAY.year - 10)},
    ],
)
def test_child_is_never_placed_in_detention(make_case, caseworker, person_fields):
    case = make_case("atd", **person_fields)
    with pytest.raises(ValidationError) as refused:
        services.placement_record(
            acting_user=caseworker,
            case=case,
            kind="detention",
            placement_type="immigration_detention_centre",
            start_on=TODAY,
        )
    assert "never placed in detention" in refused.value.message_dict["kind"][0]
    assert not Placement.objects.filter(case=case).exists()
    assert AuditEntry.objects.filter(
        action=AuditAction.CHILD_DETENTION_REFUSED, object_id=str(case.pk)
    ).exists()


def test_adult_detention_and_child_alternative_are_recorded(make_case, caseworker):
    adult = make_case("atd", age_group="30-38", majority_status="adult")
    services.placement_record(
        acting_user=caseworker,
        case=adult,
        kind="detention",
        placement_type="immigration_detention_centre",
        start_on=TODAY,
    )
    child = make_case("atd", age_group="9-17")
    services.placement_record(
        acting_user=caseworker,
        case=child,
        kind="alternative",
        placement_type="family_based_care",
        start_on=TODAY,
    )
    assert Placement.objects.count() == 2


def test_detention_type_must_come_from_the_detention_list(make_case, caseworker):
    case = make_case("atd", majority_status="adult")
    with pytest.raises(ValidationError) as refused:
        services.placement_record(
            acting_user=caseworker, case=case, kind="detention", placement_type="open_shelter", start_on=TODAY
        )
    assert "placement_type" in refused.value.message_dict


def test_uasc_case_for_an_adult_is_refused(make_person, caseworker):
    adult = make_person(age_group="30-38", majority_status="adult")
    with pytest.raises(ValidationError) as refused:
        services.case_open(acting_user=caseworker, person=adult, case_type="uasc")
    assert "adult" in refused.value.message_dict["case_type"][0]


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("report.pdf", PDF, None),
        ("virus.pdf", b"MZ\x90\x00 not a pdf", "must match the content"),
        ("photo.png", PDF, "must match the content"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", PDF + b"0" * 2048, "limit"),
    ],
)
def test_attachment_type_and_size(make_case, caseworker, settings, filename, content, expected):
    settings.LINDUNG_CASES_MAX_ATTACHMENT_BYTES = 1024
    case = make_case("protection")
    if expected is None:
        attachment = services.attachment_add(
            acting_user=caseworker, case=case, filename=filename, content=content
        )
        assert attachment.content == content and attachment.content_type == "application/pdf"
        return
    with pytest.raises(ValidationError) as refused:
        services.attachment_add(acting_user=caseworker, case=case, filename=filename, content=content)
    assert expected in " ".join(refused.value.message_dict["file"])
    assert not case.attachments.exists()


def test_concurrent_edit_second_save_is_refused(make_case, caseworker, supervisor):
    case = make_case("protection")
    first_view, second_view = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    services.case_assign(
        acting_user=supervisor,
        case=first_view,
        owner=caseworker,
        team="North",
        expected_version=first_view.version,
    )
    with pytest.raises(ValidationError) as refused:
        services.case_assign(
            acting_user=supervisor,
            case=second_view,
            owner=supervisor,
            team="South",
            expected_version=second_view.version,
        )
    assert "changed by someone else" in refused.value.messages[0]
    saved = Case.objects.get(pk=case.pk)
    assert (saved.team, saved.owner, saved.version) == ("North", caseworker, 2)


def test_concurrent_transition_is_refused(make_case, caseworker):
    case = make_case("protection")
    Case.objects.filter(pk=case.pk).update(opened_on=TODAY - datetime.timedelta(days=5))
    stale = Case.objects.get(pk=case.pk)
    services.case_transition(
        acting_user=caseworker,
        case=stale,
        transition="start_assessment",
        data={"assessment_date": days_ago(1)},
        expected_version=stale.version,
    )
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            acting_user=caseworker,
            case=stale,
            transition="start_assessment",
            data={"assessment_date": days_ago(2)},
            expected_version=stale.version,
        )
    assert "changed by someone else" in refused.value.messages[0]
    assert Case.objects.get(pk=case.pk).step_data["assessment_date"] == days_ago(1)


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    [
        ({"given_name": "", "family_name": ""}, "given_name", "at least one name"),
        ({"date_of_birth": TODAY + datetime.timedelta(days=1)}, "date_of_birth", "future"),
        (
            {"date_of_birth": TODAY.replace(year=TODAY.year - 40), "age_group": "9-17"},
            "age_group",
            "does not match",
        ),
        (
            {
                "date_of_birth": TODAY.replace(year=TODAY.year - 8),
                "majority_status": "adult",
                "age_group": "",
            },
            "majority_status",
            "does not match",
        ),
        ({"sex": "Q"}, "sex", "not a code"),
        ({"vulnerabilities": ["very_sad"]}, "vulnerabilities", "very_sad"),
        ({"languages": ["klingon"]}, "languages", "klingon"),
        ({"documents": [{"type": "passport", "number": ""}]}, "documents", "Document 1"),
        ({"contacts": {"twitter": "@x"}}, "contacts", "phone, email and address"),
        ({"photo": (b"GIF89a....", "image/gif")}, "photo", "JPEG or PNG"),
    ],
)
def test_bad_person_data(make_person, fields, field, expected):
    with pytest.raises(ValidationError) as refused:
        make_person(**fields)
    assert expected in " ".join(refused.value.message_dict[field])


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"obtained_on": datetime.date(1, 1, 1)}, "obtained_on"),
        ({"obtained_on": datetime.date(1899, 12, 31)}, "obtained_on"),
        ({"valid_until": datetime.date(9999, 12, 31)}, "valid_until"),
    ],
)
def test_consent_dates_no_one_could_mean_are_refused(make_person, caseworker, dates, field):
    person = make_person()
    with pytest.raises(ValidationError) as refused:
        services.consent_record(
            acting_user=caseworker,
            person=person,
            purpose="data_sharing",
            language="eng",
            information_given="Leaflet read aloud.",
            **dates,
        )
    assert [e.code for e in refused.value.error_dict[field]] == ["date.implausible"]
    assert not person.consents.exists()


def test_task_due_in_year_9999_is_refused(make_case, caseworker):
    case = make_case("protection")
    with pytest.raises(ValidationError) as refused:
        services.task_create(
            acting_user=caseworker, case=case, title="Call", due_on=datetime.date(9999, 1, 1)
        )
    assert [e.code for e in refused.value.error_dict["due_on"]] == ["date.implausible"]
    assert not case.tasks.exists()


def test_service_given_in_year_1_is_refused(make_case, caseworker):
    case = make_case("protection")
    with pytest.raises(ValidationError) as refused:
        services.service_record(
            acting_user=caseworker,
            case=case,
            service_type="shelter",
            provided_on=datetime.date(1, 1, 1),
            outcome="provided",
        )
    assert [e.code for e in refused.value.error_dict["provided_on"]] == ["date.implausible"]


def test_bad_consent_data(make_person, caseworker):
    person = make_person()
    with pytest.raises(ValidationError) as refused:
        services.consent_record(
            acting_user=caseworker,
            person=person,
            purpose="marketing",
            language="zz",
            information_given=" ",
            obtained_on=TODAY + datetime.timedelta(days=2),
        )
    assert set(refused.value.message_dict) == {"purpose", "language", "information_given", "obtained_on"}
    assert not person.consents.exists()
