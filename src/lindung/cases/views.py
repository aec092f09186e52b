"""Case pages: thin. They parse, call a selector or a service, and render."""

import io
import json
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lindung.core import policy
from lindung.core import selectors as core_selectors
from lindung.core.confirm import confirmation_page, confirmed
from lindung.core.forms import add_service_errors
from lindung.core.models import Organisation
from lindung.core.paging import IdFirstPaginator, ShortListPaginator
from lindung.core.roles import Capability
from lindung.core.routes import object_view, route_examples

from . import forms, hooks, identifiers, return_risk, return_views, selectors, services, workflows
from .models import Attachment, Case, Consent, Person, Task

PAGE_SIZE = 25


def _form_page(request, form, title, intro="", submit_label=None):
    context = {"form": form, "title": title, "intro": intro}
    if submit_label:
        context["submit_label"] = submit_label
    return render(request, "core/form_page.html", context, status=400 if form.errors else 200)


# cases ---------------------------------------------------------------------------------------


@login_required
def case_list(request):
    policy.require_capability(request.user, Capability.VIEW_CASES)
    orgs = core_selectors.organisations_with_capability(request.user, Capability.VIEW_CASES)
    form = forms.CaseFilterForm(
        request.GET or None,
        organisations=orgs,
        states=workflows.state_choices(request.GET.get("case_type", "")),
    )
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if filters.get("organisation"):
        filters["organisation"] = filters["organisation"].pk
    if filters.pop("mine", False):
        filters["owner"] = request.user
    page = IdFirstPaginator(selectors.case_list(request.user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/case_list.html", {"form": form, "page": page})


@login_required
@object_view(Person)
def case_create(request, pk):
    person = get_object_or_404(selectors.persons_visible(request.user), pk=pk)
    policy.require(request.user, policy.CHANGE, person)
    form = forms.CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(acting_user=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Case opened."))
            return redirect(case)
    return _form_page(request, form, _("Open a case"), person.reference, _("Open the case"))


def _step_rows(case, with_personal):
    rows = []
    data = dict(case.step_data)
    if with_personal:
        data.update(case.step_personal or {})
    for name, value in data.items():
        field = case.workflow.field(name)
        if field is None:
            continue
        pairs = dict(field.choice_pairs()) if field.code_list or field.choices else {}
        if isinstance(value, list):
            shown = ", ".join(str(pairs.get(v, v)) for v in value)
        elif isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        else:
            shown = pairs.get(value, value)
        rows.append((field.label, shown))
    return rows


@login_required
@object_view(Case)
def case_detail(request, pk):
    case = get_object_or_404(selectors.cases_visible(request.user), pk=pk)
    identity = selectors.read_person(request.user, case.person, purpose="case page")
    can_change = policy.can(request.user, policy.CHANGE, case)
    can_supervise = policy.can(request.user, policy.SUPERVISE, case)
    steps = (
        [
            (t, services.transition_refusal(case, t.name, request.user))
            for t in case.workflow.transitions_from(case.state)
        ]
        if can_change
        else []
    )
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "person": case.person,
            "identity": identity,
            "display_name": selectors.display_name(request.user, case.person)
            if identity
            else case.person.reference,
            "step_rows": _step_rows(case, identity),
            "steps": steps,
            "path": [(s, label, s == case.state) for s, label in case.workflow.states],
            "timeline": selectors.case_timeline(request.user, case),
            "tasks": case.tasks.filter(done_at__isnull=True),
            "can_change": can_change and case.is_open,
            "can_supervise": can_supervise,
            "today": timezone.localdate(),
            "risk_assessment": return_risk.latest_assessment(case) if case.workflow.is_return_path else None,
            "panels": hooks.case_panels_for(request, case),
        },
    )


@login_required
@object_view(Case)
@route_examples(name="request_closure")  # every case type has this step
def case_transition(request, pk, name):
    case = get_object_or_404(selectors.cases_visible(request.user), pk=pk)
    policy.require(request.user, policy.CHANGE, case)
    refusal = services.transition_refusal(case, name, request.user)
    if refusal:
        return render(
            request,
            "core/error.html",
            {"title": _("This step is not possible"), "message": refusal},
            status=400,
        )
    step = case.workflow.transition(name)
    if return_risk.is_departure(case, step):
        blocked = return_risk.departure_refusal(case)
        if blocked is not None:
            return return_views.departure_refused_page(request, case, blocked)
    form = forms.step_form_class(step)(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version" and v not in (None, "", [])}
        try:
            services.case_transition(
                acting_user=request.user,
                case=case,
                transition=name,
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The case moved to: %(state)s.") % {"state": case.workflow.state_label(step.target)},
            )
            return redirect(case)
    intro = _("%(ref)s: from %(src)s to %(dst)s") % {
        "ref": case.reference,
        "src": case.state_label,
        "dst": case.workflow.state_label(step.target),
    }
    return _form_page(request, form, step.label, intro, _("Save this step"))


# The route walker fills the step name with one every case type's workflow can be asked about.
case_transition.lindung_examples = {"name": "request_closure"}


def _case_child_form(
    request, pk, form_class, save, title, *, initial=None, form_kwargs=None, supervise=False
):
    """A form page that adds something to a case through ``save(case, cleaned_data)``."""
    case = get_object_or_404(selectors.cases_visible(request.user), pk=pk)
    policy.require(request.user, policy.SUPERVISE if supervise else policy.CHANGE, case)
    form = form_class(request.POST or None, request.FILES or None, initial=initial, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(case)
    return _form_page(request, form, title, case.reference)


@login_required
@object_view(Case)
def need_create(request, pk):
    return _case_child_form(
        request,
        pk,
        forms.NeedForm,
        lambda case, d: services.need_record(acting_user=request.user, case=case, **d),
        _("Record a need"),
        initial={"identified_on": timezone.localdate()},
    )


@login_required
@object_view(Case)
def service_create(request, pk):
    return _case_child_form(
        request,
        pk,
        forms.ServiceForm,
        lambda case, d: services.service_record(acting_user=request.user, case=case, **d),
        _("Record a service given"),
        initial={"provided_on": timezone.localdate()},
    )


@login_required
@object_view(Case)
def note_create(request, pk):
    return _case_child_form(
        request,
        pk,
        forms.NoteForm,
        lambda case, d: services.note_add(acting_user=request.user, case=case, **d),
        _("Add a note"),
    )


@login_required
@object_view(Case)
def attachment_create(request, pk):
    def save(case, d):
        upload = d["file"]
        content = upload.read(services.max_attachment_bytes() + 1)
        services.attachment_add(acting_user=request.user, case=case, filename=upload.name, content=content)

    return _case_child_form(request, pk, forms.AttachmentForm, save, _("Add a document"))


@login_required
@object_view(Case)
def task_create(request, pk):
    return _case_child_form(
        request,
        pk,
        forms.TaskForm,
        lambda case, d: services.task_create(acting_user=request.user, case=case, assignee=case.owner, **d),
        _("Add a task"),
    )


@login_required
@object_view(Case)
def placement_create(request, pk):
    return _case_child_form(
        request,
        pk,
        forms.PlacementForm,
        lambda case, d: services.placement_record(acting_user=request.user, case=case, **d),
        _("Record a placement"),
        initial={"kind": "alternative", "start_on": timezone.localdate()},
    )


@login_required
@object_view(Case)
def visit_create(request, pk):
    return _case_child_form(
        request,
        pk,
        forms.VisitForm,
        lambda case, d: services.visit_record(acting_user=request.user, case=case, **d),
        _("Record a monitoring visit"),
        initial={"visit_on": timezone.localdate()},
    )


@login_required
@object_view(Case)
def checkin_create(request, pk):
    return _case_child_form(
        request,
        pk,
        forms.CheckinForm,
        lambda case, d: services.checkin_record(acting_user=request.user, case=case, **d),
        _("Record a compliance check-in"),
        initial={"check_on": timezone.localdate()},
    )


@login_required
@object_view(Case)
def case_assign(request, pk):
    case = get_object_or_404(selectors.cases_visible(request.user), pk=pk)
    return _case_child_form(
        request,
        pk,
        forms.AssignForm,
        lambda case, d: services.case_assign(
            acting_user=request.user,
            case=case,
            owner=d["owner"],
            team=d["team"],
            expected_version=d["version"],
        ),
        _("Assign the case"),
        supervise=True,
        initial={"version": case.version, "owner": case.owner_id, "team": case.team},
        form_kwargs={"owners": selectors.case_owners(case)},
    )


@login_required
@object_view(Case)
def case_transfer(request, pk):
    case = get_object_or_404(selectors.cases_visible(request.user), pk=pk)
    return _case_child_form(
        request,
        pk,
        forms.TransferForm,
        lambda case, d: services.case_transfer(
            acting_user=request.user, case=case, agreement=d["agreement"], expected_version=d["version"]
        ),
        _("Transfer the case to another organisation"),
        supervise=True,
        initial={"version": case.version},
        form_kwargs={"agreements": selectors.agreements_for_case(request.user, case)},
    )


@login_required
@object_view(Case)
def case_legal_hold(request, pk):
    case = get_object_or_404(selectors.cases_visible(request.user), pk=pk)
    return _case_child_form(
        request,
        pk,
        forms.LegalHoldForm,
        lambda case, d: services.case_set_legal_hold(
            acting_user=request.user, case=case, hold=d["hold"], expected_version=d["version"]
        ),
        _("Legal hold"),
        supervise=True,
        initial={"version": case.version, "hold": case.legal_hold},
    )


@login_required
@require_POST
@object_view(Case, task_pk=Task)
def task_done(request, pk, task_pk):
    task = get_object_or_404(selectors.tasks_visible(request.user), pk=task_pk, case_id=pk)
    try:
        services.task_complete(acting_user=request.user, task=task)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Task done."))
    return redirect(task.case)


@login_required
@object_view(Case, attachment_pk=Attachment)
def attachment_download(request, pk, attachment_pk):
    attachment = get_object_or_404(selectors.attachments_visible(request.user), pk=attachment_pk, case_id=pk)
    if not policy.can_see_identity(request.user, attachment):
        raise PermissionDenied
    policy.record_personal_read(request.user, attachment, purpose="document download", fields=["content"])
    ext = os.path.splitext(attachment.filename)[1]
    return FileResponse(
        io.BytesIO(attachment.content),
        as_attachment=True,
        content_type=attachment.content_type,
        filename=f"{attachment.case.reference}-{attachment.pk}{ext}",
    )


@login_required
def task_overdue(request):
    policy.require_capability(request.user, Capability.VIEW_CASES)
    page = Paginator(selectors.overdue_tasks(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "cases/task_overdue.html", {"page": page, "today": timezone.localdate()})


@login_required
def task_list(request):
    policy.require_capability(request.user, Capability.VIEW_CASES)
    form = forms.TaskFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = selectors.task_list(
        request.user, due=filters.get("due", ""), assignee=request.user if filters.get("mine") else None
    )
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(
        request, "cases/task_list.html", {"form": form, "page": page, "today": timezone.localdate()}
    )


@login_required
def consent_expiring(request):
    policy.require_capability(request.user, Capability.VIEW_CASES)
    form = forms.ConsentFilterForm(request.GET or None)
    days = form.cleaned_data["expiring"] if form.is_valid() else 30
    page = Paginator(selectors.consents_expiring(request.user, within_days=days), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/consent_expiring.html", {"form": form, "page": page, "days": days})


# persons -------------------------------------------------------------------------------------


@login_required
def person_list(request):
    """The search form is sent by POST: a name or a document number must never appear in a web
    address (server and proxy logs, browser history). By GET the page takes only the other filters."""
    policy.require_capability(request.user, Capability.VIEW_CASES)
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    form = (forms.PersonSearchForm if posted else forms.PersonFilterForm)(data or None)
    filters = form.cleaned_data if form.is_valid() else {}
    searched = bool(filters.get("name") or filters.get("document"))
    persons, matches = selectors.person_list(request.user, **{k: v for k, v in filters.items() if v})
    page = ShortListPaginator(persons, PAGE_SIZE).get_page(data.get("page"))
    rows = []
    for person in page.object_list:
        # Names show to those who may see them; each one shown is a logged read.
        shown = person.anonymised_at is None and selectors.read_person(
            request.user, person, purpose="person search" if searched else "person list"
        )
        rows.append(
            (person, person.full_name if shown else "", identifiers.labels(matches.get(person.pk, ())))
        )
    can_register = policy.has_capability(request.user, Capability.MANAGE_CASES)
    return render(
        request,
        "cases/person_list.html",
        {
            "search_form": form if posted else forms.PersonSearchForm(initial=filters),
            "page": page,
            "rows": rows,
            "can_register": can_register,
            "posted": posted,
            "searched": searched,
        },
    )


@login_required
def person_create(request):
    orgs = policy.organisations_with(request.user, Capability.MANAGE_CASES)
    if not orgs:
        policy.require_capability(request.user, Capability.MANAGE_CASES)
    organisation = Organisation.objects.filter(pk__in=orgs).order_by("pk").first()
    identity = policy.has_capability(request.user, Capability.VIEW_IDENTITY, organisation.pk)
    form = forms.PersonForm(request.POST or None, request.FILES or None, identity=identity)
    checks = ""
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        # The apps above (linkage's duplicate check) may show a panel first; it never blocks.
        checks = hooks.registration_panels(request, organisation, fields)
        if not checks:
            try:
                person = services.person_register(
                    acting_user=request.user, organisation=organisation, **fields
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Person registered as %(ref)s.") % {"ref": person.reference})
                hooks.registered(request, person)
                return redirect(person)
    context = {"form": form, "title": _("Register a person"), "intro": organisation.name, "checks": checks}
    return render(request, "cases/person_register.html", context, status=400 if form.errors else 200)


@login_required
@object_view(Person)
def person_detail(request, pk):
    person = get_object_or_404(selectors.persons_visible(request.user), pk=pk)
    identity = selectors.read_person(request.user, person, purpose="person page")
    return render(
        request,
        "cases/person_detail.html",
        {
            "person": person,
            "identity": identity and person.anonymised_at is None,
            "cases": selectors.cases_of_person(request.user, person),
            "consents": selectors.consents_of(request.user, person),
            "tasks": selectors.open_tasks_of_person(request.user, person),
            "vulnerabilities": person.vulnerabilities.all(),
            "can_change": policy.can(request.user, policy.CHANGE, person),
            "can_erase": policy.can(request.user, policy.ERASE, person),
            "can_export": policy.can(request.user, policy.EXPORT, person),
            "panels": hooks.panels_for(request, person),
        },
    )


@login_required
@object_view(Person)
def person_edit(request, pk):
    person = get_object_or_404(selectors.persons_visible(request.user), pk=pk)
    policy.require(request.user, policy.CHANGE, person)
    identity = selectors.read_person(request.user, person, purpose="person edit")
    doc = (person.documents or [{}])[0] if identity else {}
    contacts = (person.contacts or {}) if identity else {}
    initial = {
        "version": person.version,
        **{
            f: getattr(person, f)
            for f in (
                "sex",
                "gender",
                "age_group",
                "majority_status",
                "citizenship",
                "is_stateless",
                "disability_status",
                "legal_status",
            )
        },
        "languages": ", ".join(person.languages),
        "vulnerabilities": list(person.vulnerabilities.values_list("category", flat=True)),
    }
    if identity:
        initial.update(
            given_name=person.given_name,
            family_name=person.family_name,
            aliases="\n".join(person.aliases or []),
            date_of_birth=person.date_of_birth,
            document_type=doc.get("type", ""),
            document_number=doc.get("number", ""),
            document_country=doc.get("country", ""),
            **contacts,
        )
    form = forms.PersonEditForm(
        request.POST or None, request.FILES or None, initial=initial, identity=identity
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if identity and len(person.documents or []) > 1:
            fields["documents"] = fields["documents"] + person.documents[1:]  # the form edits the first only
        try:
            services.person_update(
                acting_user=request.user,
                person=person,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(person)
    return _form_page(request, form, _("Edit person"), person.reference)


@login_required
@object_view(Person)
def person_photo(request, pk):
    person = get_object_or_404(selectors.persons_visible(request.user), pk=pk)
    if not person.photo or not selectors.read_person(request.user, person, purpose="photograph"):
        raise Http404
    return HttpResponse(person.photo, content_type=person.photo_content_type)


@login_required
@object_view(Person)
def consent_create(request, pk):
    person = get_object_or_404(selectors.persons_visible(request.user), pk=pk)
    policy.require(request.user, policy.CHANGE, person)
    form = forms.ConsentForm(request.POST or None, initial={"obtained_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(acting_user=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect(person)
    return _form_page(request, form, _("Record consent"), person.reference, _("Record consent"))


@login_required
@require_POST
@object_view(Person, consent_pk=Consent)
def consent_withdraw(request, pk, consent_pk):
    consent = get_object_or_404(selectors.consents_of(request.user, pk), pk=consent_pk)
    policy.require(request.user, policy.CHANGE, consent)
    if consent.withdrawn_at is None and not confirmed(request):
        return confirmation_page(
            request,
            title=_("Are you sure the person withdrew this consent?"),
            consequences=[
                _("record that %(ref)s withdrew their consent to “%(purpose)s”, from now on;")
                % {"ref": consent.person.reference, "purpose": consent.get_purpose_display()},
                _(
                    "refuse from this moment everything that relies on this consent, such as sharing or "
                    "referring for this purpose;"
                ),
                _(
                    "tell the owners of the person's open cases and tasks, and those sending or receiving "
                    "their open referrals."
                ),
            ],
            confirm_label=_("Yes, withdraw this consent"),
            back_url=consent.person.get_absolute_url(),
        )
    try:
        services.consent_withdraw(acting_user=request.user, consent=consent)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Consent withdrawn. It no longer allows anything from now on."))
    return redirect(consent.person)


@login_required
@object_view(Person)
def person_export(request, pk):
    person = get_object_or_404(selectors.persons_visible(request.user), pk=pk)
    data = services.person_export(acting_user=request.user, person=person)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{person.reference}.json"'
    return response


@login_required
@object_view(Person)
def person_erase(request, pk):
    person = get_object_or_404(selectors.persons_visible(request.user), pk=pk)
    policy.require(request.user, policy.ERASE, person)
    form = forms.EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(acting_user=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The person and their cases were erased."))
            return redirect("cases:person_list")
    return _form_page(
        request,
        form,
        _("Erase this person's data"),
        ngettext(
            "This will delete %(ref)s and their %(n)s case, with its notes, documents, services, tasks and "
            "the person's consents; the audit log keeps only that they were erased. This cannot be undone.",
            "This will delete %(ref)s and their %(n)s cases, with their notes, documents, services, tasks "
            "and the person's consents; the audit log keeps only that they were erased. This cannot be "
            "undone.",
            person.cases.count(),
        )
        % {"ref": person.reference, "n": person.cases.count()},
        _("Erase"),
    )


# agreements ----------------------------------------------------------------------------------


@login_required
def agreement_list(request):
    policy.require_capability(request.user, Capability.VIEW_CASES)
    return render(
        request,
        "cases/agreement_list.html",
        {
            "agreements": selectors.agreements_visible(request.user),
            "can_create": policy.has_capability(request.user, Capability.SUPERVISE_CASES),
        },
    )


@login_required
def agreement_create(request):
    policy.require_capability(request.user, Capability.SUPERVISE_CASES)
    orgs = core_selectors.organisations_with_capability(request.user, Capability.SUPERVISE_CASES)
    form = forms.AgreementForm(
        request.POST or None, organisations=orgs, initial={"valid_from": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Agreement recorded."))
            return redirect("cases:agreement_list")
    return _form_page(request, form, _("New transfer agreement"))
