"""Demo of the duplicate check, in two organisations. Every person is fictional.

Sheltering Hands Foundation: a detention centre's record in Cyrillic ("Мухаммад Рахимов") and the
same man registered again by outreach as "Mukhammad Rakhimov", with no decision yet: each person
page proposes the other, with its reasons. Registering "Muhammad Rahimov" born 1990-03-14 on the
registration form shows the candidate panel (see docs/linkage.md).

Migrant Assistance Office Kuala Lumpur: "Nguyen Van An" and "Nguyễn Văn An", day and month of
birth swapped and one digit of the passport wrong, linked by the caseworker (link history).

Sheltering Hands Foundation also has a batch of fictional registrations with a few duplicates
planted (``synthetic``) and one batch deduplication run by the supervisor: the review queue
(*Duplicates to review*, /linkage/duplicates/) has its pairs open, each with Splink's
explanation. Migrant Assistance Office Kuala Lumpur has a smaller batch, run by the system.

Idempotent: a person whose name is already in the organisation's blind index is skipped, and the
run is made once.
"""

import datetime

from lindung.cases import services as case_services
from lindung.cases.models import PersonIdentifier
from lindung.core import crypto
from lindung.core.actors import SYSTEM

from . import pprl_demo, scoring, services, synthetic
from .identity import Identity
from .models import DedupeRun

SHELTER = [
    {
        "given_name": "Мухаммад",
        "family_name": "Рахимов",
        "date_of_birth": datetime.date(1990, 3, 14),
        "sex": "M",
        "citizenship": "UZB",
        "documents": [{"type": "passport", "number": "AB1234567", "country": "UZB"}],
    },
    {
        "given_name": "Mukhammad",
        "family_name": "Rakhimov",
        "date_of_birth": datetime.date(1990, 3, 14),
        "sex": "M",
        "citizenship": "UZB",
    },
]
AGENCY = [
    {
        "given_name": "Nguyen Van",
        "family_name": "An",
        "date_of_birth": datetime.date(1985, 6, 4),
        "sex": "M",
        "citizenship": "VNM",
        "documents": [{"type": "passport", "number": "C1234567", "country": "VNM"}],
    },
    {
        "given_name": "Nguyễn Văn",
        "family_name": "An",
        "date_of_birth": datetime.date(1985, 4, 6),
        "sex": "M",
        "citizenship": "VNM",
        "documents": [{"type": "passport", "number": "C1234561", "country": "VNM"}],
    },
]


def _find_or_register(org, user, fields):
    name = f"{fields['given_name']} {fields['family_name']}"
    digest = crypto.blind_index(name, organisation_id=org.pk, kind="name")
    known = PersonIdentifier.objects.filter(organisation=org, kind="name", digest=digest).first()
    if known is not None:
        return known.person, False
    return case_services.person_register(acting_user=user, organisation=org, **fields), True


def load(ctx: dict) -> None:
    orgs, users = ctx["orgs"], ctx["users"]
    for fields in SHELTER:
        _find_or_register(orgs["ngo_bkk"], users["caseworker"], fields)
    (first, _new), (second, created) = (
        _find_or_register(orgs["agency_kl"], users["caseworker_kl"], fields) for fields in AGENCY
    )
    _dedupe(orgs["ngo_bkk"], users["supervisor"], users["caseworker"], distinct=24, planted=3, seed=11)
    # A smaller batch in Kuala Lumpur, run by the system as the command does (no supervisor there).
    _dedupe(orgs["agency_kl"], SYSTEM, users["caseworker_kl"], distinct=24, planted=3, seed=11)
    if created:
        reasons = scoring.score(Identity.of_person(second), Identity.of_person(first)).reasons()
        services.person_link(acting_user=users["caseworker_kl"], person=second, other=first, reasons=reasons)
    pprl_demo.load(ctx, _find_or_register)


def _dedupe(org, actor, registrar, *, distinct, planted, seed):
    people, _pairs = synthetic.persons(distinct, planted, seed=seed)
    for fields in people:
        _find_or_register(org, registrar, fields)
    if not DedupeRun.objects.filter(organisation=org).exists():
        services.dedupe_run(acting_user=actor, organisation=org)
