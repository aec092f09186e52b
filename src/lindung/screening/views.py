"""Screening pages: instruments, interviews one section at a time, profiles, the phone secret."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.core import policy
from lindung.core import selectors as core_selectors
from lindung.core.forms import add_service_errors
from lindung.core.parsing import id_or_none
from lindung.core.roles import Capability
from lindung.core.routes import object_view, route_examples

from . import forms, registration, selectors, services
from . import instrument as ins
from .models import InstrumentVersion, Interview

PURPOSE = "screening"


def _require_screener(user):
    policy.require_capability(user, Capability.MANAGE_SCREENING)


def _screening_orgs(user):
    return core_selectors.organisations_with_capability(user, Capability.MANAGE_SCREENING)


# interviews ----------------------------------------------------------------------------------


@login_required
def interview_list(request):
    _require_screener(request.user)
    interviews = selectors.interviews_visible(request.user)[:200]
    return render(request, "screening/interview_list.html", {"interviews": interviews})


@login_required
def interview_start(request):
    _require_screener(request.user)
    form = forms.StartForm(
        request.POST or None,
        user=request.user,
        versions=selectors.published_versions(request.user),
        initial={"person": _preselected_person(request)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            interview = services.interview_start(
                acting_user=request.user,
                version=form.cleaned_data["version"],
                organisation=form.cleaned_data["person"].organisation
                if form.cleaned_data["person"]
                else None,
                person=form.cleaned_data["person"],
                language=get_language() or "en",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("screening:interview_section", pk=interview.pk, section=interview.current_section)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("New screening"),
            "submit_label": _("Start the interview"),
            "intro": _(
                "The interview goes one section at a time. You can pause at any point and resume later."
            ),
        },
    )


def _preselected_person(request):
    """``?person=<id>`` (an id, never personal data) from the person or case page: that person, if
    the form would offer them; another id is a page not found, not a silently empty choice."""
    raw = request.GET.get("person")
    if not raw:
        return None
    pk = id_or_none(raw)
    person = forms.person_queryset(request.user).filter(pk=pk).first() if pk else None
    if person is None:
        raise Http404
    return person


@login_required
@object_view(Interview)
@route_examples(section="safety")
def interview_section(request, pk, section):
    interview = get_object_or_404(selectors.interviews_visible(request.user), pk=pk)
    if section not in services.section_names(interview):
        raise Http404
    if interview.status == Interview.Status.COMPLETED:
        return redirect(interview)
    policy.require(request.user, policy.CHANGE, interview)
    form = _section_form(interview, section, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            interview = services.interview_save_section(
                acting_user=request.user, interview=interview, section=section, raw=form.answers()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _after_save(request, interview, section)
    return _render_section(request, interview, section, form)


def _section_form(interview, section, data):
    definition = interview.version.definition
    current = next(s for s in definition["sections"] if s["name"] == section)
    # The registration pre-fills what it already knows; the interviewer confirms or corrects it.
    answers = {**registration.prefill(interview), **(interview.answers or {})}
    return forms.SectionForm(data, definition=definition, section=current, answers=answers)


def _render_section(request, interview, section, form):
    definition = interview.version.definition
    names = services.section_names(interview)
    index = names.index(section)
    return render(
        request,
        "screening/interview_section.html",
        {
            "interview": interview,
            "form": form,
            "section_label": ins.text(definition["sections"][index]["label"]),
            "step": index + 1,
            "steps": len(names),
            "previous": names[index - 1] if index else None,
            "title": ins.text(definition["title"]),
            "contradictions": registration.contradictions(interview),
        },
    )


def _after_save(request, interview, section):
    action = request.POST.get("action", "next")
    names = services.section_names(interview)
    if action == "pause":
        messages.success(request, _("Answers saved. You can resume this interview from the screening list."))
        return redirect("screening:interview_list")
    if action == "back":
        return redirect(
            "screening:interview_section", pk=interview.pk, section=names[max(names.index(section) - 1, 0)]
        )
    missing = ins.missing_required(interview.version.definition, interview.answers or {}, {section})
    if missing:
        # Skip logic may have brought in required questions of this section: show it again with them.
        form = _section_form(interview, section, request.POST)
        form.is_valid()
        for name in missing:
            form.add_error(name if name in form.fields else None, _("Answer this question to continue."))
        return _render_section(request, interview, section, form)
    following = services.next_section(interview, section)
    if following:
        return redirect("screening:interview_section", pk=interview.pk, section=following)
    try:
        services.interview_complete(acting_user=request.user, interview=interview)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("screening:interview_section", pk=interview.pk, section=section)
    messages.success(request, _("Screening completed. The profile below explains each conclusion."))
    return redirect(interview)


@login_required
@object_view(Interview)
def interview_detail(request, pk):
    interview = get_object_or_404(selectors.interviews_visible(request.user), pk=pk)
    profile = getattr(interview, "profile", None)
    explained = selectors.profile_explained(request.user, profile, purpose=PURPOSE) if profile else None
    answers = selectors.answers_explained(request.user, interview, purpose=PURPOSE)
    link_form = forms.LinkPersonForm(user=request.user) if interview.person_id is None else None
    can_write = (
        profile is not None
        and interview.person is not None
        and bool(profile.categories)
        and policy.can(request.user, policy.CHANGE, interview.person)
    )
    can_refer = profile is not None and policy.has_capability(
        request.user, Capability.SEND_REFERRALS, interview.organisation_id
    )
    return render(
        request,
        "screening/interview_detail.html",
        {
            "interview": interview,
            "profile": profile,
            "explained": explained,
            "answers": answers,
            "link_form": link_form,
            "can_refer": can_refer,
            "title": ins.text(interview.version.definition["title"]),
            "contradictions": registration.contradictions(interview),
            "can_write": can_write,
        },
    )


@login_required
@require_POST
@object_view(Interview)
def interview_link(request, pk):
    interview = get_object_or_404(selectors.interviews_visible(request.user), pk=pk)
    form = forms.LinkPersonForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a person registered by your organisation."))
        return redirect(interview)
    try:
        services.interview_link_person(
            acting_user=request.user, interview=interview, person=form.cleaned_data["person"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Interview linked to the person."))
    return redirect(interview)


# instruments ---------------------------------------------------------------------------------


@login_required
def instrument_list(request):
    _require_screener(request.user)
    instruments = selectors.instruments_visible(request.user).prefetch_related("versions")
    return render(request, "screening/instrument_list.html", {"instruments": instruments})


def _version_or_404(user, pk):
    return get_object_or_404(selectors.versions_visible(user), pk=pk)


@login_required
@object_view(InstrumentVersion)
def version_detail(request, pk):
    _require_screener(request.user)
    version = _version_or_404(request.user, pk)
    definition = version.definition
    sections = [
        {
            "name": s["name"],
            "label": ins.text(s["label"]),
            "relevant": s.get("relevant", ""),
            "questions": [
                {
                    "name": q["name"],
                    "type": q["type"],
                    "label": ins.text(q["label"]),
                    "required": q.get("required"),
                    "relevant": q.get("relevant", ""),
                    "choices": [
                        ins.text(c["label"]) for c in definition["choice_lists"].get(q.get("list"), [])
                    ],
                    "factors": [
                        f"{answer}: {f['direction']} {f['factor']} ({ins.factor_level(f['factor'])})"
                        for answer, items in (q.get("factors") or {}).items()
                        for f in items
                    ],
                }
                for q in s["questions"]
            ],
        }
        for s in definition["sections"]
    ]
    can_change = policy.can(request.user, policy.CHANGE, version)
    return render(
        request,
        "screening/version_detail.html",
        {
            "version": version,
            "sections": sections,
            "can_change": can_change,
            "is_draft": version.status == InstrumentVersion.Status.DRAFT,
            "copy_form": forms.CopyForm(organisations=_screening_orgs(request.user)),
            "draft_form": forms.NewDraftForm(),
        },
    )


@login_required
@object_view(InstrumentVersion)
def version_export(request, pk):
    _require_screener(request.user)
    version = _version_or_404(request.user, pk)
    data = services.instrument_export(acting_user=request.user, version=version)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{version.instrument.form_id}-{version.version}.xlsx"'
    )
    return response


@login_required
@object_view(InstrumentVersion)
def version_xform(request, pk):
    _require_screener(request.user)
    version = _version_or_404(request.user, pk)
    return HttpResponse(ins.to_xform(version.definition), content_type="text/xml; charset=utf-8")


@login_required
@require_POST
@object_view(InstrumentVersion)
def version_publish(request, pk):
    version = _version_or_404(request.user, pk)
    try:
        services.version_publish(acting_user=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version published; the version before it is retired."))
    return redirect("screening:version_detail", pk=version.pk)


@login_required
@require_POST
@object_view(InstrumentVersion)
def version_new_draft(request, pk):
    version = _version_or_404(request.user, pk)
    form = forms.NewDraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new version a name."))
        return redirect("screening:version_detail", pk=version.pk)
    try:
        draft = services.version_new_draft(
            acting_user=request.user, version=version, new_version=form.cleaned_data["version"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("screening:version_detail", pk=version.pk)
    return redirect("screening:version_detail", pk=draft.pk)


@login_required
@require_POST
@object_view(InstrumentVersion)
def version_copy(request, pk):
    _require_screener(request.user)
    version = _version_or_404(request.user, pk)
    form = forms.CopyForm(request.POST, organisations=_screening_orgs(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("screening:version_detail", pk=version.pk)
    try:
        copy = services.instrument_copy(
            acting_user=request.user,
            version=version,
            organisation=form.cleaned_data["organisation"],
            form_id=form.cleaned_data["form_id"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("screening:version_detail", pk=version.pk)
    return redirect("screening:version_detail", pk=copy.pk)


@login_required
@object_view(InstrumentVersion)
@route_examples(name="in_danger_now")
def question_edit(request, pk, name):
    # Only drafts are edited; a published version is frozen (interviews refer to it).
    drafts = selectors.versions_changeable(request.user).filter(status=InstrumentVersion.Status.DRAFT)
    version = get_object_or_404(drafts, pk=pk)
    question = ins.question_index(version.definition).get(name)
    if question is None:
        raise Http404
    form = forms.QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update_question(
                acting_user=request.user,
                version=version,
                question_name=name,
                labels=form.labels("label"),
                hints=form.labels("hint"),
                required=form.cleaned_data["required"],
                relevant=form.cleaned_data["relevant"],
                factors=form.cleaned_data["factors"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect("screening:version_detail", pk=version.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Edit question %(name)s") % {"name": name},
        },
    )


@login_required
def instrument_import(request):
    _require_screener(request.user)
    form = forms.ImportForm(
        request.POST or None, request.FILES or None, organisations=_screening_orgs(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.instrument_import(
                acting_user=request.user,
                organisation=form.cleaned_data["organisation"],
                data=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Imported as a draft. Check it, then publish it."))
            return redirect("screening:version_detail", pk=version.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Import an XLSForm"),
            "submit_label": _("Import"),
            "intro": _(
                "The form's DoMV factors go in an extra sheet named lindung_factors "
                "(question, answer, direction, factor, level). Export the shipped guide to see an example."
            ),
        },
    )


# phone secret --------------------------------------------------------------------------------


@login_required
def openrosa_secret(request):
    _require_screener(request.user)
    form = forms.SecretForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.openrosa_secret_set(acting_user=request.user, secret=form.cleaned_data["secret"])
        except ValidationError as exc:  # the password validators' refusals, on the field
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Phone secret saved."))
            return redirect("screening:phone_setup")
    server = request.build_absolute_uri(reverse("screening:openrosa_formlist")).rsplit("/formList", 1)[0]
    return render(
        request,
        "screening/phone_setup.html",
        {
            "form": form,
            "has_secret": selectors.openrosa_credential(request.user) is not None,
            "server": server,
        },
    )


@login_required
@require_POST
@object_view(Interview)
def profile_write(request, pk):
    """Write the profile's vulnerability categories to the linked person's record."""
    interview = get_object_or_404(selectors.interviews_visible(request.user), pk=pk)
    profile = getattr(interview, "profile", None)
    if profile is None:
        raise Http404
    try:
        added = services.profile_write_to_person(acting_user=request.user, profile=profile)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(n)s vulnerability categories added to the person's record.") % {"n": len(added)}
        )
    return redirect(interview)
