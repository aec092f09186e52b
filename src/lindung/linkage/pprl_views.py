"""The page of privacy-preserving linkage, for data managers: the linkage agreements and the runs
under them, with counts and the unique persons of each match. Thin: selectors decide."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lindung.core import policy
from lindung.core.models import Organisation
from lindung.core.roles import Capability

from . import pprl_selectors


@login_required
def runs(request):
    policy.require_capability(request.user, Capability.MANAGE_STANDARD, purpose="privacy-preserving linkage")
    runs = list(pprl_selectors.runs_visible(request.user)[:200])
    names = dict(
        Organisation.objects.filter(pk__in={pk for run in runs for pk in run.party_ids}).values_list(
            "pk", "name"
        )
    )
    rows = [(run, [names.get(pk, "—") for pk in run.party_ids]) for run in runs]
    return render(
        request,
        "linkage/pprl_runs.html",
        {"agreements": pprl_selectors.agreements_visible(request.user), "rows": rows},
    )
