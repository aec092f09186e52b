"""Demo content of the knowledge base.

Loads the shipped reference content with the national examples for Indonesia, Malaysia and
Thailand (cited, see reference.py), then adds SYNTHETIC records, every one labelled fictional in its
title or source: an expired readmission arrangement (so the gap list has an expired agreement) and
recommendations with their follow-up, entered from two organisations.
"""

import datetime

from lindung.core.actors import SYSTEM

from . import reference, services
from .models import Instrument, Recommendation

D = datetime.date
FICTIONAL_ARRANGEMENT = "Fictional demo arrangement on the readmission of nationals (Indonesia–Malaysia)"
FICTIONAL_DRAFT = "Fictional demo draft: referral procedure for migrants in vulnerable situations (Malaysia)"
TIP = reference.TIP


def load(ctx: dict) -> None:
    reference.load(examples=True)
    researcher = ctx["users"]["researcher"]
    orgs = ctx["orgs"]
    arrangement = Instrument.objects.filter(title_en=FICTIONAL_ARRANGEMENT).first()
    if arrangement is None:
        arrangement = services.instrument_create(
            acting_user=SYSTEM,
            data={
                "title_en": FICTIONAL_ARRANGEMENT,
                "title_original": FICTIONAL_ARRANGEMENT,
                "instrument_type": "readmission_agreement",
                "region": "between_parties",
                "parties": ["IDN", "MYS"],
                "adopted_on": D(2015, 3, 2),
                "in_force_on": D(2015, 3, 2),
                "expires_on": D(2020, 3, 1),
                "status": "expired",
                "verification": "unverified",
                "is_example": True,
                "citation": "Fictional demo record: not a real agreement",
                "summary": "Invented for the Lindung demo so that the gap list shows an expired agreement.",
            },
        )
        services.provision_save(
            acting_user=SYSTEM,
            instrument=arrangement,
            reference="Clause 3 (fictional)",
            heading="Readmission",
            text="Each party readmits its nationals within thirty days of a verified request "
            "(fictional demo text).",
            text_kind="summary",
            themes=["readmission", "return"],
            gcm_objectives=["21"],
            groups=["returnees"],
        )
        Instrument.objects.filter(pk=arrangement.pk).update(entered_in=orgs["agency_kl"])
    _draft_within_one_organisation(orgs["agency_kl"])
    mou = Instrument.objects.filter(country="THA", instrument_type="sop").first()
    recommendations = [
        (
            researcher,
            "gov_id",
            {
                "kind": "recommendation",
                "title": "Adopt a national procedure on alternatives to detention for children",
                "text": "Set out, in a regulation or SOP, community-based alternatives to immigration "
                "detention for children and their families.",
                "source": "Fictional demo desk-review workshop",
                "source_date": D(2026, 3, 10),
                "countries": ["IDN", "MYS"],
                "themes": ["atd", "child_protection"],
                "priority": "high",
                "followup_status": "in_progress",
                "followup_note": "Drafting committee formed (demo).",
            },
            [],
        ),
        (
            SYSTEM,
            "agency_kl",
            {
                "kind": "good_practice",
                "title": "Release of children with their mothers to community or shelter care",
                "text": "Inter-agency agreement used as an example of alternatives to the detention "
                "of children.",
                "source": "Fictional demo regional consultation",
                "source_date": D(2026, 5, 20),
                "countries": ["THA"],
                "themes": ["atd", "child_protection"],
                "followup_status": "implemented",
                "followup_note": "",
            },
            [mou] if mou else [],
        ),
        (
            SYSTEM,
            "agency_kl",
            {
                "kind": "recommendation",
                "title": "Review accession to the Smuggling of Migrants Protocol",
                "text": "Review the case for accession to the Protocol against the Smuggling of Migrants.",
                "source": "Fictional demo regional consultation",
                "source_date": D(2026, 5, 20),
                "countries": ["MYS"],
                "themes": ["smuggling"],
                "priority": "low",
                "shared": False,
                "followup_status": "no_information",
                "followup_note": "",
            },
            [],
        ),
    ]
    for user, org_key, data, instruments in recommendations:
        if Recommendation.objects.filter(title=data["title"]).exists():
            continue
        saved = services.recommendation_save(acting_user=user, instruments=instruments, **data)
        Recommendation.objects.filter(pk=saved.pk).update(entered_in=orgs[org_key])


def _draft_within_one_organisation(organisation) -> None:
    """An entry under preparation, not shared: only its organisation sees it (and the authorization
    tests have a frameworks object of another organisation to try to reach)."""
    if Instrument.objects.filter(title_en=FICTIONAL_DRAFT).exists():
        return
    draft = services.instrument_create(
        acting_user=SYSTEM,
        data={
            "title_en": FICTIONAL_DRAFT,
            "title_original": FICTIONAL_DRAFT,
            "instrument_type": "nrm",
            "country": "MYS",
            "status": "draft",
            "shared": False,
            "is_example": True,
            "citation": "Fictional demo record: not a real instrument",
        },
    )
    services.provision_save(
        acting_user=SYSTEM,
        instrument=draft,
        reference="Step 2 (fictional)",
        text="Screening officers refer persons in vulnerable situations to case management within 24 hours "
        "(fictional demo text).",
        text_kind="summary",
        themes=["referral", "identification"],
        gcm_objectives=["12"],
        groups=["all_migrants"],
    )
    Instrument.objects.filter(pk=draft.pk).update(entered_in=organisation)
