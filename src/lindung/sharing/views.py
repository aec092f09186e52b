"""Pages for sharing managers: sharing groups, peers, agreements and the exchange log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.core import policy
from lindung.core import selectors as core_selectors
from lindung.core import services as core_services
from lindung.core.forms import add_service_errors
from lindung.core.models import SharingGroup
from lindung.core.roles import Capability
from lindung.core.routes import object_view
from lindung.maritime.models import Incident
from lindung.maritime.selectors import incidents_visible

from . import selectors, services
from .forms import AgreementForm, PeerCredentialsForm, PeerForm, RecipientForm, SharingGroupForm
from .models import Peer, SharingAgreement


def _manager(request):
    policy.require_capability(request.user, Capability.MANAGE_SHARING)


def _managed_organisations(user):
    return core_selectors.organisations_with_capability(user, Capability.MANAGE_SHARING)


@login_required
def home(request):
    _manager(request)
    return render(
        request,
        "sharing/home.html",
        {
            "agreements": selectors.agreements_visible(request.user)[:5],
            "exchanges": selectors.exchanges_visible(request.user)[:10],
        },
    )


# sharing groups -----------------------------------------------------------------------------


@login_required
def group_list(request):
    _manager(request)
    return render(
        request, "sharing/group_list.html", {"groups": selectors.sharing_groups_visible(request.user)}
    )


@login_required
def group_create(request):
    _manager(request)
    form = SharingGroupForm(request.POST or None, peers=selectors.peers_visible(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = core_services.sharing_group_create(
                acting_user=request.user,
                name=data["name"],
                organisations=list(data["organisations"]),
                description=data["description"],
            )
            if data["peers"]:
                services.sharing_group_update(
                    acting_user=request.user,
                    group=group,
                    organisations=list(data["organisations"]),
                    peers=list(data["peers"]),
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Sharing group created."))
            return redirect("sharing:group_list")
    return render(request, "core/form_page.html", {"form": form, "title": _("New sharing group")})


@login_required
@object_view(SharingGroup)
def group_edit(request, pk):
    _manager(request)
    group = get_object_or_404(selectors.sharing_groups_visible(request.user), pk=pk)
    services.require_group_manager(request.user, group)
    initial = {
        "organisations": list(group.organisations.all()),
        "peers": list(group.peers.all()),
        "description": group.description,
    }
    form = SharingGroupForm(
        request.POST or None, initial=initial, editing=True, peers=selectors.peers_visible(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sharing_group_update(
                acting_user=request.user,
                group=group,
                organisations=list(data["organisations"]),
                peers=list(data["peers"]),
                description=data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Sharing group updated."))
            return redirect("sharing:group_list")
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": _("Sharing group: %(name)s") % {"name": group.name}},
    )


# peers --------------------------------------------------------------------------------------


@login_required
def peer_list(request):
    _manager(request)
    return render(request, "sharing/peer_list.html", {"peers": selectors.peers_visible(request.user)})


@login_required
def peer_create(request):
    _manager(request)
    form = PeerForm(request.POST or None, managed=_managed_organisations(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            peer, secret = services.peer_create(
                acting_user=request.user,
                organisation=data["organisation"],
                name=data["name"],
                api_root_url=data["api_root_url"],
                description=data["description"],
                outgoing_username=data["outgoing_username"],
                outgoing_secret=data["outgoing_secret"],
                organisations=list(data["organisations"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "sharing/peer_secret.html", {"peer": peer, "secret": secret})
    return render(request, "core/form_page.html", {"form": form, "title": _("New peer node")})


@login_required
@object_view(Peer)
def peer_detail(request, pk):
    peer = get_object_or_404(selectors.peers_visible(request.user), pk=pk)
    form = PeerCredentialsForm(request.POST or None, initial={"outgoing_username": peer.outgoing_username})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secret = services.peer_update(
            acting_user=request.user,
            peer=peer,
            outgoing_username=data["outgoing_username"],
            outgoing_secret=data["outgoing_secret"],
            rotate_incoming=data["rotate_incoming"],
        )
        if secret:
            return render(request, "sharing/peer_secret.html", {"peer": peer, "secret": secret})
        messages.success(request, _("Peer updated."))
        return redirect("sharing:peer_detail", pk=peer.pk)
    return render(
        request,
        "sharing/peer_detail.html",
        {
            "peer": peer,
            "form": form,
            "agreements": selectors.agreements_visible(request.user).filter(peer=peer),
            "exchanges": selectors.exchanges_visible(request.user).filter(peer=peer)[:20],
        },
    )


# agreements ---------------------------------------------------------------------------------


@login_required
def agreement_list(request):
    _manager(request)
    return render(
        request, "sharing/agreement_list.html", {"agreements": selectors.agreements_visible(request.user)}
    )


@login_required
def agreement_create(request):
    _manager(request)
    form = AgreementForm(
        request.POST or None,
        managed=_managed_organisations(request.user),
        peers=selectors.peers_visible(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["partner_organisations"] = list(data["partner_organisations"])
        try:
            agreement = services.agreement_create(acting_user=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Agreement recorded."))
            return redirect("sharing:agreement_detail", pk=agreement.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("New sharing agreement"),
            "intro": _(
                "Nothing leaves this node without an agreement that covers it. Record the same agreement, "
                "with the same reference, on the partner's node."
            ),
        },
    )


@login_required
@object_view(SharingAgreement)
def agreement_detail(request, pk):
    agreement = get_object_or_404(selectors.agreements_visible(request.user), pk=pk)
    return render(
        request,
        "sharing/agreement_detail.html",
        {
            "agreement": agreement,
            "exchanges": selectors.exchanges_visible(request.user).filter(agreement=agreement)[:20],
        },
    )


@login_required
@require_POST
@object_view(SharingAgreement)
def agreement_revoke(request, pk):
    agreement = get_object_or_404(selectors.agreements_visible(request.user), pk=pk)
    try:
        services.agreement_revoke(acting_user=request.user, agreement=agreement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Agreement revoked: nothing more is exchanged under it."))
    return redirect("sharing:agreement_detail", pk=agreement.pk)


# exchange log -------------------------------------------------------------------------------


@login_required
def exchange_list(request):
    _manager(request)
    page = Paginator(selectors.exchanges_visible(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "sharing/exchange_list.html", {"page": page, "exchanges": page.object_list})


# named recipients of an incident -------------------------------------------------------------


@login_required
@object_view(Incident)
def incident_recipients(request, pk):
    incident = get_object_or_404(incidents_visible(request.user, policy.CHANGE), pk=pk)
    form = RecipientForm(request.POST or None)
    if request.method == "POST" and "revoke" in request.POST:
        share = get_object_or_404(selectors.recipients_of(incident), pk=request.POST.get("revoke") or 0)
        core_services.object_share_revoke(acting_user=request.user, share=share)
        messages.success(request, _("Sharing withdrawn."))
        return redirect("sharing:incident_recipients", pk=incident.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.recipient_add(acting_user=request.user, obj=incident, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recipient added."))
            return redirect("sharing:incident_recipients", pk=incident.pk)
    return render(request, "sharing/incident_recipients.html", {
        "incident": incident, "form": form, "shares": selectors.recipients_of(incident),
    })  # fmt: skip
