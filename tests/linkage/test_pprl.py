"""Privacy-preserving linkage: two organisations encode their persons under one agreement, a
linkage unit matches the encodings, each party resolves its own references. Refusals (another
key, a truncated or tampered file, an agreement without linkage) store nothing and carry codes."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lindung.core.actors import SYSTEM
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.linkage import clk, pprl
from lindung.linkage import pprl_services as services
from lindung.linkage.models import PprlRun

pytestmark = pytest.mark.django_db

# (given, family, date of birth, passport) registered at A; B registers the first three again,
# spelt otherwise, and two persons A does not know. The shared pairs' Dice similarity stays above
# 0.9 whatever the secret, the others' below 0.45 (checked over hundreds of random secrets), far from
# the 0.8 threshold. (A Thai name against its Latin spelling, "สมชาย" and "Somchai", is near 0.8:
# transliteration of Thai loses vowels, see docs/linkage.md.)
SHARED = [
    (("Мухаммад", "Рахимов"), ("Mukhammad", "Rakhimov"), datetime.date(1990, 3, 14), "AB1234567"),
    (("Nguyễn Văn", "An"), ("Nguyen Van", "An"), datetime.date(1985, 7, 2), "C7654321"),
    (("Somchai", "Srisuk"), ("Somchay", "Srisuk"), datetime.date(1979, 11, 30), ""),
]
ONLY_A = [(("Aung", "Kyaw"), datetime.date(2001, 1, 5)), (("Maria", "Santos"), datetime.date(1995, 6, 21))]
ONLY_B = [(("Siti", "Rahmah"), datetime.date(1988, 2, 9)), (("Tran", "Thi Lan"), datetime.date(1992, 9, 17))]


@pytest.fixture
def manager_a(org_a, make_user):
    return make_user(org_a, Role.DATA_MANAGER, Role.CASEWORKER, username="dm_a")


@pytest.fixture
def manager_b(org_b, make_user):
    return make_user(org_b, Role.DATA_MANAGER, Role.CASEWORKER, username="dm_b")


@pytest.fixture
def agreement(org_a, org_b):
    return services.pprl_agreement_create(
        acting_user=SYSTEM,
        organisation=org_a,
        reference="LA-2026-01",
        parties=[org_a, org_b],
        secret="a-test-secret-of-the-agreement",
    )


def _person(register, org, user, given, family, dob, passport=""):
    docs = [{"type": "passport", "number": passport, "country": "UZB"}] if passport else []
    return register(
        org=org,
        user=user,
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        documents=docs,
        age_group="",
    )


@pytest.fixture
def planted(register, org_a, org_b, caseworker, caseworker_b):
    a, b = {}, {}
    for name_a, name_b, dob, passport in SHARED:
        a[name_a] = _person(register, org_a, caseworker, *name_a, dob, passport)
        b[name_b] = _person(register, org_b, caseworker_b, *name_b, dob, passport)
    for name, dob in ONLY_A:
        a[name] = _person(register, org_a, caseworker, *name, dob)
    for name, dob in ONLY_B:
        b[name] = _person(register, org_b, caseworker_b, *name, dob)
    return a, b


def _files(agreement, manager_a, manager_b):
    file_a, _run = services.pprl_encode(acting_user=manager_a, agreement=agreement)
    file_b, _run = services.pprl_encode(acting_user=manager_b, agreement=agreement)
    return file_a, file_b


def test_round_trip_finds_the_shared_persons_only(agreement, planted, manager_a, manager_b):
    a, b = planted
    file_a, file_b = _files(agreement, manager_a, manager_b)
    doc = json.loads(file_a)
    assert doc["header"]["count"] == 5 and doc["header"]["agreement"] == "LA-2026-01"
    assert "Rakhimov" not in file_a.decode() and "Рахимов" not in file_a.decode()
    result = services.pprl_match(acting_user=manager_a, agreement=agreement, files=[file_a, file_b])
    assert len(result.pairs) == 3
    assert result.run.records == [5, 5] and result.run.matched == 3
    assert result.run.unique_persons == 7

    mine = services.pprl_resolve(acting_user=manager_a, agreement=agreement, matches=result.data)
    assert {p.pk for p, _ref, _s in mine} == {a[name_a].pk for name_a, _b, _d, _p in SHARED}
    theirs = services.pprl_resolve(acting_user=manager_b, agreement=agreement, matches=result.data)
    assert {p.pk for p, _ref, _s in theirs} == {b[name_b].pk for _a, name_b, _d, _p in SHARED}
    # Each side's reference in the pair points at the same planted person on the other side.
    other_of = {ref: person for person, ref, _s in theirs}
    b_refs = {services.reference_of(agreement, p): p for p, _ref, _s in theirs}
    for person, their_ref, _s in mine:
        assert their_ref in b_refs
    assert set(other_of) <= {services.reference_of(agreement, p) for p in a.values()}
    assert AuditEntry.objects.filter(action=AuditAction.PPRL_MATCHED).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.PPRL_ENCODED).count() == 2


def test_only_ascii_digits_count_in_a_date():
    from lindung.linkage import clk

    # "²" and Thai or Arabic-Indic digits pass str.isdigit(); a date must encode as its ASCII digits.
    assert clk.normalise("1990-05-²1", "digits") == "1990051"
    assert clk.normalise("๑๙๙๐-05-01", "digits") == "0501"
    assert clk.normalise(" 1990-05-01 ", "digits") == "19900501"


def test_transliteration_variants_encode_alike():
    key = b"k" * 32
    schema = pprl.PERSON_SCHEMA
    cyr = clk.encode(key, schema, {"given_name": "Мухаммад", "family_name": "Рахимов"})
    lat = clk.encode(key, schema, {"given_name": "Mukhammad", "family_name": "Rakhimov"})
    other = clk.encode(key, schema, {"given_name": "Siti", "family_name": "Rahmah"})
    assert clk.dice(cyr, lat) == 1.0
    assert clk.dice(cyr, other) < 0.5
    # Another key sets other bits: encodings of two keys do not compare.
    assert (
        clk.dice(cyr, clk.encode(b"x" * 32, schema, {"given_name": "Мухаммад", "family_name": "Рахимов"}))
        < 0.5
    )


def _refused(code):
    return AuditEntry.objects.filter(action=AuditAction.PPRL_REFUSED, detail__code=code).count()


def test_file_of_another_key_is_refused(agreement, planted, manager_a, manager_b, org_a, org_b):
    other = services.pprl_agreement_create(
        acting_user=SYSTEM, organisation=org_a, reference="LA-2026-02", parties=[org_a, org_b]
    )
    file_a, file_b = _files(agreement, manager_a, manager_b)
    foreign, _run = services.pprl_encode(acting_user=manager_b, agreement=other)
    # Relabelled to this agreement: the key fingerprint still gives it away.
    doc = json.loads(foreign)
    doc["header"]["agreement"] = "LA-2026-01"
    runs = PprlRun.objects.filter(kind=PprlRun.Kind.MATCH).count()
    with pytest.raises(ValidationError) as exc:
        services.pprl_match(acting_user=manager_a, agreement=agreement, files=[file_a, json.dumps(doc)])
    assert exc.value.code == "pprl_wrong_key"
    with pytest.raises(ValidationError) as exc:
        services.pprl_match(acting_user=manager_a, agreement=agreement, files=[file_a, foreign])
    assert exc.value.code == "pprl_wrong_agreement"
    assert PprlRun.objects.filter(kind=PprlRun.Kind.MATCH).count() == runs == 0
    assert _refused("pprl_wrong_key") == 1


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        (lambda raw: raw[: len(raw) // 2], "pprl_malformed"),
        (lambda raw: raw.replace(b'"count": 5', b'"count": 4'), "pprl_tampered"),
        (lambda raw: _drop_last_record(raw), "pprl_tampered"),
        (lambda raw: _flip_a_bit(raw), "pprl_tampered"),
    ],
)
def test_truncated_or_tampered_files_are_refused(agreement, planted, manager_a, manager_b, damage, code):
    file_a, file_b = _files(agreement, manager_a, manager_b)
    with pytest.raises(ValidationError) as exc:
        services.pprl_match(acting_user=manager_a, agreement=agreement, files=[file_a, damage(file_b)])
    assert exc.value.code == code
    assert not PprlRun.objects.filter(kind=PprlRun.Kind.MATCH).exists()
    assert _refused(code) == 1


def _drop_last_record(raw):
    doc = json.loads(raw)
    doc["records"].pop()
    doc["header"]["count"] -= 1
    return json.dumps(doc).encode()


def _flip_a_bit(raw):
    doc = json.loads(raw)
    record = doc["records"][0]
    record["clk"] = ("B" if record["clk"][0] == "A" else "A") + record["clk"][1:]
    return json.dumps(doc).encode()


def test_agreement_without_linkage_is_refused_and_audited(agreement, planted, manager_a, manager_b):
    file_a, file_b = _files(agreement, manager_a, manager_b)
    agreement.allows_linkage = False
    agreement.save()
    for call in (
        lambda: services.pprl_encode(acting_user=manager_a, agreement=agreement),
        lambda: services.pprl_match(acting_user=manager_a, agreement=agreement, files=[file_a, file_b]),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert exc.value.code == "linkage_not_allowed"
    assert _refused("linkage_not_allowed") == 2
    assert not PprlRun.objects.filter(kind=PprlRun.Kind.MATCH).exists()


def test_same_party_twice_and_bad_threshold_are_refused(agreement, planted, manager_a, manager_b):
    file_a, file_b = _files(agreement, manager_a, manager_b)
    for files, threshold, code in (
        ([file_a, file_a], 0.8, "pprl_same_party"),
        ([file_a, file_b], "1.5", "threshold"),
        ([file_a, file_b], "nan", "threshold"),
        ([file_a], 0.8, "pprl_two_files"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.pprl_match(acting_user=manager_a, agreement=agreement, files=files, threshold=threshold)
        assert exc.value.code == code


def test_only_data_managers_of_a_party_encode(agreement, planted, caseworker, org_a, make_user):
    with pytest.raises(PermissionDenied):
        services.pprl_encode(acting_user=caseworker, agreement=agreement)
    outsider = make_user(org_a, Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        services.pprl_encode(acting_user=outsider, agreement=agreement)


def test_secret_is_encrypted_at_rest(agreement):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM linkage_linkageagreement")
        (raw,) = cursor.fetchone()
    assert "a-test-secret" not in raw
    assert (
        services.agreement_keys(agreement).fingerprint
        == pprl.AgreementKeys.from_secret("a-test-secret-of-the-agreement").fingerprint
    )
