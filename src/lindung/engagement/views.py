"""Engagement pages: thin. Objects come from selectors (404 outside the user's organisations),
writes go through services, refusals come back as form errors with their reason."""

import functools
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.core import policy, spreadsheets
from lindung.core.forms import add_service_errors
from lindung.core.parsing import id_or_none
from lindung.core.roles import Capability
from lindung.core.routes import object_view
from lindung.referrals import selectors as referral_selectors

from . import forms, guidance_model, selectors, services
from .models import (
    Consent,
    Contribution,
    Engagement,
    GuidanceDocument,
    GuidanceVersion,
    GuidelineDocument,
    Notification,
    Participant,
    Session,
    SupportReferral,
)
from .rendering import markdown_to_html


def coordinator_view(view):
    """Signed in and running engagement somewhere; object access is then decided by selectors."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        policy.require_capability(request.user, Capability.MANAGE_ENGAGEMENT, purpose="engagement")
        return view(request, *args, **kwargs)

    return wrapped


def _submit(request, form, action, success):
    """On a valid POST run ``action(cleaned_data)`` and redirect to what it returns; else None."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        target = action(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, success)
    return redirect(target)


def _form_page(request, form, title, intro="", template="core/form_page.html", **context):
    return render(request, template, {"form": form, "title": title, "intro": intro, **context})


def _in_organisation(request, data) -> dict:
    """Form data with the organisation a new record goes to: the chosen one, or the user's only one."""
    return {
        **data,
        "organisation": data.get("organisation") or selectors.managed_organisations(request.user).first(),
    }


def _post_action(request, action, success, target):
    """Run a POST-only service call; a refusal becomes an error message on the target page."""
    try:
        action()
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, success)
    return redirect(target)


# engagements ---------------------------------------------------------------------------------


@coordinator_view
def engagement_list(request):
    return render(
        request,
        "engagement/engagement_list.html",
        {
            "engagements": selectors.engagements(request.user).order_by("-created_at"),
            "unassigned_notifications": selectors.notifications(request.user).filter(engagement__isnull=True)[
                :20
            ],
        },
    )


@coordinator_view
def session_upcoming(request):
    return render(
        request, "engagement/session_upcoming.html", {"sessions": selectors.sessions_upcoming(request.user)}
    )


@coordinator_view
def concern_open(request):
    return render(
        request, "engagement/concern_open.html", {"concerns": selectors.concerns_open(request.user)}
    )


@coordinator_view
def engagement_create(request):
    orgs = selectors.managed_organisations(request.user)
    form = forms.EngagementForm(
        request.POST or None,
        organisation_ids=list(orgs.values_list("pk", flat=True)),
        guidelines=selectors.guidelines(request.user),
    )
    form.add_organisation(orgs)
    done = _submit(
        request,
        form,
        lambda d: services.engagement_save(acting_user=request.user, **_in_organisation(request, d)),
        _("Engagement created."),
    )
    return done or _form_page(request, form, _("New engagement"))


@coordinator_view
@object_view(Engagement)
def engagement_edit(request, pk):
    engagement = get_object_or_404(selectors.engagements(request.user), pk=pk)
    form = forms.EngagementForm(
        request.POST or None,
        instance=engagement,
        organisation_ids=[engagement.organisation_id],
        guidelines=selectors.guidelines(request.user, engagement.organisation_id),
    )
    done = _submit(
        request,
        form,
        lambda d: services.engagement_save(
            acting_user=request.user, organisation=engagement.organisation, engagement=engagement, **d
        ),
        _("Engagement saved."),
    )
    return done or _form_page(request, form, _("Edit engagement"))


@coordinator_view
@object_view(Engagement)
def engagement_detail(request, pk):
    engagement = get_object_or_404(selectors.engagements(request.user), pk=pk)
    return render(
        request,
        "engagement/engagement_detail.html",
        {
            "engagement": engagement,
            "sessions": selectors.sessions(request.user, engagement),
            "notifications": selectors.notifications(request.user, engagement)[:50],
            "incidents": selectors.incidents(request.user, engagement),
            "outcome_count": len(selectors.you_said_we_did(request.user, engagement)),
        },
    )


@coordinator_view
@object_view(Engagement)
def engagement_outcomes(request, pk):
    engagement = get_object_or_404(selectors.engagements(request.user), pk=pk)
    return render(
        request,
        "engagement/you_said_we_did.html",
        {
            "engagement": engagement,
            "rows": selectors.you_said_we_did(request.user, engagement),
        },
    )


@coordinator_view
@object_view(Engagement)
def engagement_export(request, pk):
    """CSV of the usable (cleared, still consented) feedback and quotes with what was done."""
    engagement = get_object_or_404(selectors.engagements(request.user), pk=pk)
    items = list(selectors.usable_contributions(request.user, engagement=engagement))
    buffer = io.StringIO()
    writer = spreadsheets.csv_writer(buffer)
    writer.writerow(["id", "session", "format", "kind", "theme", "text", "attribution", "we_did"])
    for item in items:
        writer.writerow(
            [
                item.pk,
                item.session.title,
                item.session.format,
                item.kind,
                item.theme,
                item.public_text,
                selectors.attribution(item),
                " | ".join(o.description for o in item.outcomes.all()),
            ]
        )
    services.export_recorded(
        acting_user=request.user, obj=engagement, what="contributions", fmt="csv", count=len(items)
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="engagement-{engagement.pk}-feedback.csv"'
    return response


@coordinator_view
def synthesis(request):
    engagement = None
    if request.GET.get("engagement"):
        engagement = get_object_or_404(
            selectors.engagements(request.user), pk=id_or_none(request.GET["engagement"])
        )
    return render(
        request,
        "engagement/synthesis.html",
        {
            "engagement": engagement,
            "engagements": selectors.engagements(request.user),
            "groups": selectors.synthesis(request.user, engagement),
        },
    )


@coordinator_view
@object_view(Engagement)
def incident_create(request, pk):
    engagement = get_object_or_404(selectors.engagements(request.user), pk=pk)
    form = forms.IncidentForm(request.POST or None, sessions=selectors.sessions(request.user, engagement))
    done = _submit(
        request,
        form,
        lambda d: (
            services.incident_report(acting_user=request.user, engagement=engagement, **d) and engagement
        ),
        _("Incident logged and sent to the safeguarding lead."),
    )
    return done or _form_page(
        request,
        form,
        _("Log an incident"),
        _("The safeguarding lead of this engagement is notified. Record only what is needed."),
    )


@coordinator_view
@require_POST
@object_view(Notification)
def notification_read(request, pk):
    notification = get_object_or_404(selectors.notifications(request.user), pk=pk)
    services.notification_mark_read(acting_user=request.user, notification=notification)
    return redirect(notification.engagement or "engagement:engagement_list")


# sessions ------------------------------------------------------------------------------------


@coordinator_view
@object_view(Engagement)
def session_create(request, pk):
    engagement = get_object_or_404(selectors.engagements(request.user), pk=pk)
    form = forms.SessionForm(request.POST or None, organisation_id=engagement.organisation_id)
    done = _submit(
        request,
        form,
        lambda d: services.session_save(
            acting_user=request.user, engagement=engagement, facilitators=d.pop("facilitators"), **d
        ),
        _("Session planned. Complete the checklist before it starts."),
    )
    return done or _form_page(request, form, _("New session"))


@coordinator_view
@object_view(Session)
def session_edit(request, pk):
    session = get_object_or_404(selectors.sessions(request.user), pk=pk)
    form = forms.SessionForm(request.POST or None, instance=session, organisation_id=session.organisation_id)
    done = _submit(
        request,
        form,
        lambda d: services.session_save(
            acting_user=request.user,
            engagement=session.engagement,
            session=session,
            facilitators=d.pop("facilitators"),
            **d,
        ),
        _("Session saved."),
    )
    return done or _form_page(request, form, _("Edit session"))


@coordinator_view
@object_view(Session)
def session_detail(request, pk):
    session = get_object_or_404(selectors.sessions(request.user), pk=pk)
    attendance = selectors.attendance(request.user, session)
    contributions = list(selectors.contributions(request.user, session=session))
    concerns = list(selectors.concerns(request.user, session))
    shown = [
        name
        for name, present in (
            ("contribution.text", any(c.text for c in contributions)),
            ("concern", concerns),
            ("debrief", session.debrief),
        )
        if present
    ]
    if shown:
        policy.record_personal_read(request.user, session, purpose="run session", fields=shown)
    return render(
        request,
        "engagement/session_detail.html",
        {
            "session": session,
            "missing": session.checklist_missing(),
            "attendance": attendance,
            "contributions": contributions,
            "concerns": concerns,
            "compensations": selectors.compensations(request.user, session),
            "referral_statuses": SupportReferral.Status.choices,
            "attendance_form": forms.AttendanceForm(
                participants=selectors.participants(request.user, session.organisation_id).exclude(
                    pk__in=attendance.values("participant_id")
                )
            ),
        },
    )


@coordinator_view
@object_view(Session)
def session_checklist(request, pk):
    session = get_object_or_404(selectors.sessions(request.user), pk=pk)
    initial = {field: getattr(session, field) for field, _label in Session.CHECKLIST}
    initial["support_pathways"] = list(session.support_pathways.all())
    form = forms.ChecklistForm(
        request.POST or None,
        initial=initial,
        pathways=selectors.pathways(request.user, session.organisation_id, active_only=True),
    )
    done = _submit(
        request,
        form,
        lambda d: services.checklist_update(acting_user=request.user, session=session, **d),
        _("Checklist saved."),
    )
    return done or _form_page(
        request,
        form,
        _("Pre-session checklist"),
        _("Every item must be confirmed before the session can start."),
    )


@coordinator_view
@require_POST
@object_view(Session)
def session_start(request, pk):
    session = get_object_or_404(selectors.sessions(request.user), pk=pk)
    return _post_action(
        request,
        lambda: services.session_start(acting_user=request.user, session=session),
        _("Session started."),
        session,
    )


@coordinator_view
@object_view(Session)
def session_debrief(request, pk):
    session = get_object_or_404(selectors.sessions(request.user), pk=pk)
    form = forms.DebriefForm(request.POST or None)
    done = _submit(
        request,
        form,
        lambda d: services.session_debrief(acting_user=request.user, session=session, **d),
        _("Debrief saved; session closed."),
    )
    return done or _form_page(request, form, _("Debrief and close the session"))


@coordinator_view
@require_POST
@object_view(Session)
def attendance_add(request, pk):
    session = get_object_or_404(selectors.sessions(request.user), pk=pk)
    form = forms.AttendanceForm(
        request.POST, participants=selectors.participants(request.user, session.organisation_id)
    )
    if not form.is_valid():
        messages.error(request, _("Choose a participant of your organisation."))
        return redirect(session)
    return _post_action(
        request,
        lambda: services.attendance_add(acting_user=request.user, session=session, **form.cleaned_data),
        _("Participant added."),
        session,
    )


def _session_participants(request, session):
    return selectors.participants(request.user, session.organisation_id).filter(attendance__session=session)


@coordinator_view
@object_view(Session)
def contribution_create(request, pk):
    session = get_object_or_404(selectors.sessions(request.user), pk=pk)
    form = forms.ContributionForm(request.POST or None, participants=_session_participants(request, session))
    done = _submit(
        request,
        form,
        lambda d: services.contribution_record(acting_user=request.user, session=session, **d) and session,
        _("Contribution recorded."),
    )
    return done or _form_page(
        request,
        form,
        _("Capture a contribution"),
        _("Feedback items and quotes are used only after review; notes stay internal."),
    )


@coordinator_view
@object_view(Session)
def concern_create(request, pk):
    session = get_object_or_404(selectors.sessions(request.user), pk=pk)
    form = forms.ConcernForm(
        request.POST or None,
        participants=_session_participants(request, session),
        pathways=selectors.pathways(request.user, session.organisation_id, active_only=True),
    )
    done = _submit(
        request,
        form,
        lambda d: services.concern_record(acting_user=request.user, session=session, **d) and session,
        _("Concern recorded and referral made; the safeguarding lead is notified."),
    )
    return done or _form_page(
        request,
        form,
        _("Distress protocol: record a safeguarding concern"),
        _("Pause, support the person, offer the support pathway. Record only what is needed."),
    )


@coordinator_view
@require_POST
@object_view(SupportReferral)
def referral_update(request, pk):
    referral = get_object_or_404(selectors.referrals(request.user), pk=pk)
    form = forms.ReferralForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a referral status and a valid follow-up date."))
        return redirect(referral.concern.session)
    return _post_action(
        request,
        lambda: services.referral_update(acting_user=request.user, referral=referral, **form.cleaned_data),
        _("Referral updated."),
        referral.concern.session,
    )


@coordinator_view
@object_view(Session)
def compensation_create(request, pk):
    session = get_object_or_404(selectors.sessions(request.user), pk=pk)
    form = forms.CompensationForm(request.POST or None, participants=_session_participants(request, session))
    done = _submit(
        request,
        form,
        lambda d: services.compensation_record(acting_user=request.user, session=session, **d) and session,
        _("Payment recorded."),
    )
    return done or _form_page(request, form, _("Record compensation or reimbursement"))


# contributions -------------------------------------------------------------------------------


@coordinator_view
@object_view(Contribution)
def contribution_review(request, pk):
    contribution = get_object_or_404(selectors.contributions(request.user), pk=pk)
    form = forms.ReviewForm(request.POST or None, initial={"public_text": contribution.text or ""})
    done = _submit(
        request,
        form,
        lambda d: (
            services.contribution_clear(acting_user=request.user, contribution=contribution, **d)
            and contribution.session
        ),
        _("Cleared for use."),
    )
    return done or _form_page(
        request, form, _("Review before use"), template="engagement/review.html", contribution=contribution
    )


@coordinator_view
@require_POST
@object_view(Contribution)
def contribution_withdraw(request, pk):
    contribution = get_object_or_404(selectors.contributions(request.user), pk=pk)
    return _post_action(
        request,
        lambda: services.contribution_withdraw(acting_user=request.user, contribution=contribution),
        _("Contribution withdrawn and erased."),
        contribution.session,
    )


@coordinator_view
@object_view(Contribution)
def outcome_create(request, pk):
    contribution = get_object_or_404(selectors.contributions(request.user), pk=pk)
    form = forms.OutcomeForm(
        request.POST or None,
        versions=selectors.guideline_versions(request.user, contribution.organisation_id),
    )
    done = _submit(
        request,
        form,
        lambda d: (
            services.outcome_record(acting_user=request.user, contribution=contribution, **d)
            and contribution.session.engagement
        ),
        _("'You said, we did' recorded."),
    )
    return done or _form_page(
        request,
        form,
        _("What we did with this feedback"),
        template="engagement/review.html",
        contribution=contribution,
    )


# participants --------------------------------------------------------------------------------


@coordinator_view
def participant_list(request):
    return render(
        request,
        "engagement/participant_list.html",
        {
            "participants": selectors.participants(request.user).prefetch_related("consents"),
        },
    )


@coordinator_view
def participant_create(request):
    orgs = selectors.managed_organisations(request.user)
    with_identity = all(policy.can_see_identity(request.user, Participant(organisation=o)) for o in orgs)
    form = forms.ParticipantForm(request.POST or None, with_identity=with_identity)
    form.add_organisation(orgs)
    done = _submit(
        request,
        form,
        lambda d: services.participant_save(acting_user=request.user, **_in_organisation(request, d)),
        _("Participant registered. Record their consent next."),
    )
    return done or _form_page(
        request,
        form,
        _("New participant"),
        _(
            "Participants are known by a code. Name and contact details are encrypted and only coordinators "
            "see them."
        ),
    )


@coordinator_view
@object_view(Participant)
def participant_edit(request, pk):
    participant = get_object_or_404(selectors.participants(request.user), pk=pk)
    with_identity = policy.can_see_identity(request.user, participant)
    if with_identity and request.method == "GET":
        selectors.participant_identity(request.user, participant, purpose="edit participant")
    form = forms.ParticipantForm(request.POST or None, instance=participant, with_identity=with_identity)
    done = _submit(
        request,
        form,
        lambda d: services.participant_save(
            acting_user=request.user, organisation=participant.organisation, participant=participant, **d
        ),
        _("Participant saved."),
    )
    return done or _form_page(request, form, _("Edit participant %(code)s") % {"code": participant.code})


@coordinator_view
@object_view(Participant)
def participant_detail(request, pk):
    participant = get_object_or_404(selectors.participants(request.user), pk=pk)
    contributions = list(selectors.contributions(request.user, participant=participant))
    identity = selectors.participant_identity(
        request.user,
        participant,
        purpose="coordinate engagement",
        also_shown=["contribution.text"] if any(c.text for c in contributions) else [],
    )
    return render(
        request,
        "engagement/participant_detail.html",
        {
            "participant": participant,
            "identity": identity,
            "consents": selectors.consents(request.user, participant),
            "contributions": contributions,
            "withdraw_form": forms.WithdrawForm(),
        },
    )


@coordinator_view
@object_view(Participant)
def consent_create(request, pk):
    participant = get_object_or_404(selectors.participants(request.user), pk=pk)
    sheets = selectors.information_sheets(request.user, participant.organisation_id)
    form = forms.ConsentForm(request.POST or None, sheets=sheets)
    done = _submit(
        request,
        form,
        lambda d: (
            services.consent_give(acting_user=request.user, participant=participant, **d) and participant
        ),
        _("Consent recorded."),
    )
    intro = (
        ""
        if sheets.exists()
        else _(
            "Your organisation has no information sheet yet: "
            "adopt one from the engagement model under Guidance."
        )
    )
    return done or _form_page(
        request, form, _("Record consent of %(code)s") % {"code": participant.code}, intro
    )


@coordinator_view
@require_POST
@object_view(Consent)
def consent_withdraw(request, pk):
    consent = get_object_or_404(selectors.consents(request.user), pk=pk)
    form = forms.WithdrawForm(request.POST)
    withdrawn_on = form.cleaned_data.get("withdrawn_on") if form.is_valid() else None
    return _post_action(
        request,
        lambda: services.consent_withdraw(
            acting_user=request.user, consent=consent, withdrawn_on=withdrawn_on
        ),
        _("Consent withdrawn; the coordinator has been told what changed."),
        consent.participant,
    )


@coordinator_view
@object_view(Participant)
def case_link(request, pk):
    participant = get_object_or_404(selectors.participants(request.user), pk=pk)
    form = forms.CaseLinkForm(request.POST or None)
    done = _submit(
        request,
        form,
        lambda d: services.participant_link_case(acting_user=request.user, participant=participant, **d),
        _("Linked to the case."),
    )
    return done or _form_page(
        request,
        form,
        _("Link %(code)s to a case") % {"code": participant.code},
        _("Only with the participant's explicit consent to link their participation to their case."),
    )


def _report_context(request, participant):
    return {
        "participant": participant,
        "sections": selectors.participant_report(request.user, participant),
        "language": participant.preferred_language,
    }


@coordinator_view
@object_view(Participant)
def participant_report(request, pk):
    """The plain-language "you said, we did" report, in the participant's language."""
    participant = get_object_or_404(selectors.participants(request.user), pk=pk)
    context = _report_context(request, participant)
    with translation.override(participant.preferred_language):
        body = render_to_string("engagement/report_body.html", context, request=request)
    services.export_recorded(acting_user=request.user, obj=participant, what="participant_report", fmt="html")
    return render(request, "engagement/report_page.html", {**context, "body": body})


@coordinator_view
@object_view(Participant)
def participant_report_download(request, pk):
    participant = get_object_or_404(selectors.participants(request.user), pk=pk)
    with translation.override(participant.preferred_language):
        content = render_to_string("engagement/report_file.html", _report_context(request, participant))
    services.export_recorded(
        acting_user=request.user, obj=participant, what="participant_report", fmt="html_file"
    )
    response = HttpResponse(content, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="feedback-{participant.code}-{participant.preferred_language}.html"'
    )
    return response


# guidelines ----------------------------------------------------------------------------------


@coordinator_view
def guideline_list(request):
    return render(
        request, "engagement/guideline_list.html", {"guidelines": selectors.guidelines(request.user)}
    )


@coordinator_view
def guideline_create(request):
    orgs = selectors.managed_organisations(request.user)
    form = forms.GuidelineForm(request.POST or None)
    form.add_organisation(orgs)
    done = _submit(
        request,
        form,
        lambda d: services.guideline_save(acting_user=request.user, **_in_organisation(request, d)),
        _("Guideline document added."),
    )
    return done or _form_page(request, form, _("New guideline document"))


@coordinator_view
@object_view(GuidelineDocument)
def guideline_detail(request, pk):
    document = get_object_or_404(selectors.guidelines(request.user), pk=pk)
    return render(request, "engagement/guideline_detail.html", {"document": document})


@coordinator_view
@object_view(GuidelineDocument)
def guideline_version_create(request, pk):
    document = get_object_or_404(selectors.guidelines(request.user), pk=pk)
    form = forms.GuidelineVersionForm(request.POST or None)
    done = _submit(
        request,
        form,
        lambda d: (
            services.guideline_version_add(acting_user=request.user, document=document, **d) and document
        ),
        _("Version added."),
    )
    return done or _form_page(request, form, _("New version of %(title)s") % {"title": document.title})


# guidance: the engagement model --------------------------------------------------------------


@coordinator_view
def guidance_list(request):
    documents = selectors.guidance_documents(request.user)
    adopted = set(documents.values_list("model_key", flat=True))
    return render(
        request,
        "engagement/guidance_list.html",
        {
            "documents": documents,
            "model": [(d, d.key in adopted) for d in guidance_model.documents()],
            "organisations": selectors.managed_organisations(request.user),
        },
    )


@coordinator_view
@require_POST
def guidance_adopt(request):
    organisation = (
        selectors.managed_organisations(request.user).filter(pk=request.POST.get("organisation") or 0).first()
    )
    organisation = organisation or selectors.managed_organisations(request.user).first()
    try:
        document = services.guidance_adopt(
            acting_user=request.user, organisation=organisation, key=request.POST.get("key", "")
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return redirect("engagement:guidance_list")
    messages.success(request, _("Adopted as version 1. Adapt and translate it as new versions."))
    return redirect(document)


@coordinator_view
@object_view(GuidanceDocument)
def guidance_detail(request, pk):
    document = get_object_or_404(selectors.guidance_documents(request.user), pk=pk)
    versions = list(document.versions.all())
    shown = versions[0] if versions else None
    if request.GET.get("version"):
        shown = next((v for v in versions if str(v.pk) == request.GET["version"]), None)
        if shown is None:
            raise Http404
    return render(
        request,
        "engagement/guidance_detail.html",
        {
            "document": document,
            "versions": versions,
            "shown": shown,
            "html": markdown_to_html(shown.body) if shown else "",
        },
    )


@coordinator_view
@object_view(GuidanceDocument)
def guidance_version_create(request, pk):
    document = get_object_or_404(selectors.guidance_documents(request.user), pk=pk)
    latest = document.versions.order_by("-number", "language").first()
    initial = {"title": latest.title, "body": latest.body, "language": latest.language} if latest else {}
    form = forms.GuidanceVersionForm(request.POST or None, initial=initial)

    def save(d):
        mode = d.pop("mode")
        services.guidance_version_save(
            acting_user=request.user,
            document=document,
            new_version=mode == forms.GuidanceVersionForm.NEW,
            **d,
        )
        return document

    done = _submit(request, form, save, _("Version saved."))
    return done or _form_page(request, form, _("Adapt or translate %(title)s") % {"title": document.title})


@coordinator_view
@object_view(GuidanceVersion)
def guidance_export(request, pk):
    version = get_object_or_404(selectors.guidance_versions(request.user), pk=pk)
    fmt = request.GET.get("format", "md")
    if fmt not in ("md", "html"):
        return HttpResponse(_("Unknown format: use md or html."), status=400, content_type="text/plain")
    name = f"{slugify(version.document.title) or 'document'}-v{version.number}-{version.language}.{fmt}"
    if fmt == "md":
        response = HttpResponse(version.body, content_type="text/markdown; charset=utf-8")
    else:
        response = HttpResponse(
            render_to_string(
                "engagement/guidance_file.html", {"version": version, "html": markdown_to_html(version.body)}
            ),
            content_type="text/html; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    services.export_recorded(acting_user=request.user, obj=version, what="guidance", fmt=fmt)
    return response


# support pathways ----------------------------------------------------------------------------


@coordinator_view
def pathway_list(request):
    orgs = selectors.managed_organisations(request.user)
    form = forms.PathwayForm(
        request.POST or None,
        directory_services=referral_selectors.services_visible(request.user).filter(active=True),
    )
    form.add_organisation(orgs)
    done = _submit(
        request,
        form,
        lambda d: (
            services.pathway_save(acting_user=request.user, **_in_organisation(request, d))
            and "engagement:pathway_list"
        ),
        _("Support pathway saved."),
    )
    return done or render(
        request,
        "engagement/pathway_list.html",
        {
            "pathways": selectors.pathways(request.user),
            "form": form,
        },
    )
