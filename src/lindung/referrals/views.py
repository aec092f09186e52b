"""Directory and referral pages: search and export the directory, refer, answer, follow up, print."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.core import policy, spreadsheets
from lindung.core import selectors as core_selectors
from lindung.core.forms import add_service_errors
from lindung.core.parsing import id_or_none
from lindung.core.roles import Capability
from lindung.core.routes import object_view
from lindung.standard import registry

from . import forms, selectors, services
from .models import Referral, Service

PURPOSE = "referral"

# (column title, HXL hashtag, value)
EXPORT_COLUMNS = [
    ("organisation", "#org", lambda s: s.organisation.name),
    ("service", "#service+name", lambda s: s.name),
    ("service_type", "#service+type+code", lambda s: s.service_type),
    ("service_type_label", "#service+type", lambda s: registry.label("service_type", s.service_type)),
    ("country", "#country+code", lambda s: s.country),
    ("place", "#loc+name", lambda s: s.place),
    ("latitude", "#geo+lat", lambda s: s.latitude if s.latitude is not None else ""),
    ("longitude", "#geo+lon", lambda s: s.longitude if s.longitude is not None else ""),
    ("coverage_area", "#loc+coverage", lambda s: s.coverage_area),
    ("languages", "#meta+languages", lambda s: " ".join(s.languages or [])),
    ("eligibility", "#meta+eligibility", lambda s: s.eligibility),
    ("capacity", "#capacity", lambda s: s.capacity if s.capacity is not None else ""),
    ("opening_hours", "#meta+hours", lambda s: s.opening_hours),
    ("contact_phone", "#contact+phone", lambda s: s.contact_phone),
    ("contact_email", "#contact+email", lambda s: s.contact_email),
    ("answer_days", "#meta+answer_days", lambda s: s.answer_days),
    ("accepting_referrals", "#status+active", lambda s: "yes" if s.active else "no"),
]


# directory -----------------------------------------------------------------------------------


def _search(request):
    form = forms.DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, selectors.services_search(request.user, **filters)


@login_required
def service_list(request):
    form, services_found = _search(request)
    can_add = policy.has_capability(request.user, Capability.MANAGE_DIRECTORY)
    return render(
        request,
        "referrals/service_list.html",
        {
            "form": form,
            "services": services_found[:300],
            "can_add": can_add,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def service_export(request, fmt):
    if fmt not in ("csv", "hxl"):
        raise Http404
    _form, services_found = _search(request)
    buffer = io.StringIO()
    writer = spreadsheets.csv_writer(buffer)
    writer.writerow([c[0] for c in EXPORT_COLUMNS])
    if fmt == "hxl":
        writer.writerow([c[1] for c in EXPORT_COLUMNS])
    rows = 0
    for service in services_found:
        writer.writerow([c[2](service) for c in EXPORT_COLUMNS])
        rows += 1
    services.directory_exported(acting_user=request.user, fmt=fmt, rows=rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="lindung-services{"-hxl" if fmt == "hxl" else ""}.csv"'
    )
    return response


service_export.lindung_examples = {"fmt": "csv"}


@login_required
@object_view(Service)
def service_detail(request, pk):
    service = get_object_or_404(selectors.services_visible(request.user), pk=pk)
    return render(
        request,
        "referrals/service_detail.html",
        {
            "service": service,
            "can_change": policy.can(request.user, policy.CHANGE, service),
            "languages": [registry.label("language", c) for c in service.languages or []],
        },
    )


@login_required
def service_create(request):
    policy.require_capability(request.user, Capability.MANAGE_DIRECTORY)
    orgs = core_selectors.organisations_with_capability(request.user, Capability.MANAGE_DIRECTORY)
    form = forms.ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_save(
                acting_user=request.user, organisation=orgs.first(), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Service added to the directory."))
            return redirect(service)
    return render(request, "core/form_page.html", {"form": form, "title": _("New service")})


@login_required
@object_view(Service)
def service_edit(request, pk):
    service = get_object_or_404(selectors.services_changeable(request.user), pk=pk)
    form = forms.ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_save(
                acting_user=request.user, service=Service.objects.get(pk=pk), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Service saved."))
            return redirect(service)
    return render(
        request, "core/form_page.html", {"form": form, "title": _("Edit %(name)s") % {"name": service.name}}
    )


# referrals -----------------------------------------------------------------------------------


LIST_LIMIT = 300


def _referral_list_page(request, referrals, *, title, side, mine_filter):
    form = forms.ReferralFilterForm(request.GET or None)
    if not mine_filter:
        del form.fields["mine"]
    filters = form.cleaned_data if form.is_valid() else {}
    referrals = selectors.referrals_filtered(
        referrals, status=filters.get("status", ""), sent_by=request.user if filters.get("mine") else None
    )
    return render(
        request,
        "referrals/referral_list.html",
        {"referrals": referrals[:LIST_LIMIT], "title": title, "side": side, "form": form},
    )


@login_required
def referral_list(request):
    policy.require_capability(request.user, Capability.SEND_REFERRALS)
    return _referral_list_page(
        request,
        selectors.referrals_sent(request.user),
        title=_("Referrals sent"),
        side="sent",
        mine_filter=True,
    )


@login_required
def received_list(request):
    policy.require_capability(request.user, Capability.RECEIVE_REFERRALS)
    return _referral_list_page(
        request,
        selectors.referrals_received(request.user),
        title=_("Referrals received"),
        side="received",
        mine_filter=False,
    )


@login_required
def overdue_list(request):
    policy.require_capability(request.user, Capability.SUPERVISE_CASES)
    return render(
        request,
        "referrals/referral_list.html",
        {
            "referrals": selectors.overdue_referrals(request.user),
            "title": _("Overdue referrals"),
            "side": "overdue",
            "intro": _("Referrals with no answer within the time the service states."),
        },
    )


def _source(request):
    """The profile, case or person a referral starts from (query string), read through selectors."""
    from lindung.cases import selectors as cases_selectors
    from lindung.screening import selectors as screening_selectors

    params = request.GET if request.method == "GET" else request.POST
    getters = {
        "profile": screening_selectors.profile_get,
        "case": cases_selectors.case_get,
        "person": cases_selectors.person_get,
    }
    for name, getter in getters.items():
        if params.get(name):
            pk = id_or_none(params[name])
            try:
                if pk is not None:
                    return {name: getter(request.user, pk)}
            except ObjectDoesNotExist as exc:
                raise Http404 from exc
            raise Http404
    raise Http404


@login_required
def referral_create(request):
    policy.require_capability(request.user, Capability.SEND_REFERRALS)
    source = _source(request)
    profile = source.get("profile")
    suggested = list(profile.suggested_services) if profile else []
    need = request.GET.get("need", "")
    initial_needs = [need] if need else suggested[:1]
    candidates = selectors.services_search(request.user, active_only=True)
    if request.method == "GET" and initial_needs:
        # Offer the services that match the need first; the service check itself is in referral_send.
        candidates = candidates.filter(service_type__in=initial_needs)
    form = forms.ReferralForm(
        request.POST or None,
        services=candidates,
        with_urgency=profile is None,
        initial={"needs": initial_needs},
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_send(
                acting_user=request.user,
                **source,
                **{
                    "service": form.cleaned_data["service"],
                    "needs": form.cleaned_data["needs"],
                    "urgency": form.cleaned_data.get("urgency", ""),
                    "share_identity": form.cleaned_data["share_identity"],
                    "note": form.cleaned_data["note"],
                },
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Referral sent. You will see the answer here."))
            return redirect(referral)
    return render(
        request,
        "referrals/referral_create.html",
        {
            "form": form,
            "source": source,
            "profile": profile,
            "suggested": [registry.label("service_type", s) for s in suggested],
            "source_field": next(iter(source)),
            "source_id": next(iter(source.values())).pk,
        },
    )


@login_required
@object_view(Referral)
def referral_detail(request, pk):
    referral = get_object_or_404(selectors.referrals_visible(request.user), pk=pk)
    payload = selectors.referral_payload(request.user, referral, purpose=PURPOSE)
    can_answer = policy.can(request.user, "answer", referral)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "payload": payload,
            "can_answer": can_answer,
            "can_withdraw": policy.can(request.user, policy.CHANGE, referral)
            and referral.status in (Referral.Status.SENT, Referral.Status.ACCEPTED),
            "accept_form": forms.AcceptForm(),
            "decline_form": forms.DeclineForm(),
            "service_form": forms.ServiceGivenForm(),
        },
    )


def _answer(request, pk, form_class, action):
    referral = get_object_or_404(selectors.referrals_visible(request.user), pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(referral, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Answer recorded. The referring organisation sees it now."))
    else:
        messages.error(
            request,
            " ".join(
                f"{form.fields[f].label}: {e}" if f in form.fields else str(e)
                for f, errors in form.errors.items()
                for e in errors
            ),
        )
    return redirect(referral)


@login_required
@require_POST
@object_view(Referral)
def referral_accept(request, pk):
    return _answer(
        request,
        pk,
        forms.AcceptForm,
        lambda r, d: services.referral_accept(acting_user=request.user, referral=r, note=d["note"]),
    )


@login_required
@require_POST
@object_view(Referral)
def referral_decline(request, pk):
    return _answer(
        request,
        pk,
        forms.DeclineForm,
        lambda r, d: services.referral_decline(
            acting_user=request.user, referral=r, reason=d["reason"], note=d["note"]
        ),
    )


@login_required
@require_POST
@object_view(Referral)
def referral_service(request, pk):
    return _answer(
        request,
        pk,
        forms.ServiceGivenForm,
        lambda r, d: services.referral_record_service(
            acting_user=request.user,
            referral=r,
            service_type=d["service_type"],
            service_date=d["service_date"],
            note=d["note"],
        ),
    )


@login_required
@require_POST
@object_view(Referral)
def referral_withdraw(request, pk):
    referral = get_object_or_404(selectors.referrals_visible(request.user), pk=pk)
    try:
        services.referral_withdraw(acting_user=request.user, referral=referral)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Referral withdrawn."))
    return redirect(referral)


@login_required
@object_view(Referral)
def referral_pdf(request, pk):
    from weasyprint import HTML

    referral = get_object_or_404(selectors.referrals_visible(request.user), pk=pk)
    payload = selectors.referral_payload(request.user, referral, purpose=f"{PURPOSE}: printed form")
    html = render_to_string(
        "referrals/referral_form_print.html", {"referral": referral, "payload": payload}, request=request
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    services.referral_printed(acting_user=request.user, referral=referral)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.reference}.pdf"'
    return response


@login_required
def needs_map(request):
    policy.require_capability(request.user, Capability.SEND_REFERRALS)
    return render(request, "referrals/needs_map.html", {"rows": selectors.needs_vs_services(request.user)})
