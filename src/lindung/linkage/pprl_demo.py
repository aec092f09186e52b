"""Demo of privacy-preserving linkage: a linkage agreement between Sheltering Hands Foundation and
the Migrant Assistance Office Kuala Lumpur, held by the Bureau of Migration Statistics as the
linkage unit. Each organisation's persons are encoded and the two files matched once, so that the
data manager (``datamanager``) sees the run and its unique persons on *Linkage*. Both
organisations register "Rakhimov" in the duplicate check's demo; the KL office registers him here
too, so the match finds him. Idempotent: nothing is done when the agreement exists.
"""

import datetime

from lindung.core.actors import SYSTEM

from . import pprl_services
from .models import LinkageAgreement

REFERENCE = "LA-DEMO-2026"
RAKHIMOV_AT_KL = {
    "given_name": "Muhammad",
    "family_name": "Rahimov",
    "date_of_birth": datetime.date(1990, 3, 14),
    "sex": "M",
    "citizenship": "UZB",
    "documents": [{"type": "passport", "number": "AB1234567", "country": "UZB"}],
}


def load(ctx: dict, find_or_register) -> None:
    if LinkageAgreement.objects.filter(reference=REFERENCE).exists():
        return
    orgs, users = ctx["orgs"], ctx["users"]
    find_or_register(orgs["agency_kl"], users["caseworker_kl"], RAKHIMOV_AT_KL)
    agreement = pprl_services.pprl_agreement_create(
        acting_user=SYSTEM,
        organisation=orgs["stats_kz"],
        reference=REFERENCE,
        title="Shelter and KL office: persons known to both (demo)",
        parties=[orgs["ngo_bkk"], orgs["agency_kl"], orgs["stats_kz"]],
    )
    files = [
        pprl_services.pprl_encode(acting_user=SYSTEM, agreement=agreement, organisation=orgs[key])[0]
        for key in ("ngo_bkk", "agency_kl")
    ]
    pprl_services.pprl_match(acting_user=SYSTEM, agreement=agreement, files=files)
