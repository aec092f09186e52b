"""Statistics pages: dashboards per indicator, downloads, releases, disclosure settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lindung.core import jobs, policy
from lindung.core.confirm import confirmation_page, confirmed, posted_fields
from lindung.core.roles import Capability
from lindung.core.routes import object_view, route_examples

from . import charts, exports, indicators, selectors, services, sources, tasks
from .budget import SpendNotConfirmed
from .disclosure import DisclosureError, NoData
from .forms import ReleaseForm, SettingsForm, TableForm
from .models import Release
from .tables import ProtectedTable, current_fingerprint, protected_table

TABLE_ERRORS = (DisclosureError, indicators.UnknownIndicator, sources.SourceUnavailable)


def _require_viewer(user):
    policy.require_capability(user, Capability.VIEW_STATS)


def _indicator_or_404(indicator_id):
    try:
        return indicators.get(indicator_id)
    except indicators.UnknownIndicator as exc:
        raise Http404(str(exc)) from exc


def _table_form(request, indicator, data):
    settings = selectors.effective_settings(request.user)
    can_dp = policy.has_capability(request.user, Capability.PUBLISH_STATS)
    return TableForm(data, indicator=indicator, settings=settings, can_use_dp=can_dp)


def _table_from(request, indicator, data, *, spend=False):
    """(form, table or None, error message or None) for the query in ``data``. Privacy budget is
    spent only with ``spend`` (after the user confirmed); otherwise the error is SpendNotConfirmed."""
    asked = any(key != "indicator" for key in data)
    form = _table_form(request, indicator, data if asked else None)
    if not asked:
        options = {"by": list(indicator.default_by)}
    elif form.is_valid():
        options = form.options()
    else:
        return form, None, None
    try:
        return form, protected_table(request.user, indicator.id, **options, spend=spend), None
    except TABLE_ERRORS as exc:
        return form, None, exc


@login_required
def dashboard(request):
    _require_viewer(request.user)
    groups: dict = {}
    for indicator in indicators.all_indicators():
        groups.setdefault(indicator.theme, []).append(
            {"indicator": indicator, "available": indicator.source_adapter.available()}
        )
    can_publish = policy.has_capability(request.user, Capability.PUBLISH_STATS)
    return render(request, "stats/dashboard.html", {"groups": groups, "perms_publish": can_publish})


def _table_context(table: ProtectedTable, query: str, download_url) -> dict:
    return {
        "table": table,
        "chart": charts.bar_chart(table),
        "downloads": [(fmt, download_url(fmt)) for fmt in exports.FORMATS],
        "query": query,
    }


@login_required
@route_examples(indicator_id="presumed_victims")
def indicator_page(request, indicator_id):
    """GET: the table asked for; a differentially private table that would spend privacy budget is
    first a confirmation page, whose confirmed POST spends it and comes back to the table."""
    _require_viewer(request.user)
    indicator = _indicator_or_404(indicator_id)
    table_url = f"{request.path}?{request.GET.urlencode()}"
    if request.method == "POST":
        if confirmed(request):
            _table_from(request, indicator, request.GET, spend=True)
        return redirect(table_url)
    form, table, error = _table_from(request, indicator, request.GET)
    if isinstance(error, SpendNotConfirmed):
        return _confirm_spending(request, indicator, error, table_url)
    no_data = isinstance(error, NoData)
    query = request.GET.urlencode()
    context = {
        "indicator": indicator,
        "form": form,
        "error": error,
        "no_data": no_data,
        "release_form": ReleaseForm(),
        "query": query,
        "can_publish": policy.has_capability(request.user, Capability.PUBLISH_STATS),
    }
    if table is not None:
        context["item"] = _table_context(table, query, lambda fmt: f"{request.path}download/{fmt}/?{query}")
    return render(request, "stats/indicator.html", context, status=400 if error and not no_data else 200)


def _confirm_spending(request, indicator, asked: SpendNotConfirmed, table_url):
    return confirmation_page(
        request,
        title=_("Are you sure you want to spend privacy budget on this table?"),
        consequences=[
            _("add differentially private noise to “%(name)s” with epsilon %(e)s;")
            % {"name": indicator.name, "e": f"{asked.epsilon:g}"},
            _("spend epsilon %(e)s of your organisation's privacy budget for this year, leaving %(left)s;")
            % {"e": f"{asked.epsilon:g}", "left": f"{max(asked.remaining - asked.epsilon, 0):g}"},
            _("record the spending in the budget ledger. Asking for the same table again spends nothing."),
        ],
        confirm_label=_("Yes, spend the budget"),
        back_url=request.path,
        action=table_url,
    )


@login_required
@route_examples(indicator_id="presumed_victims", fmt="csv")
def indicator_download(request, indicator_id, fmt):
    _require_viewer(request.user)
    indicator = _indicator_or_404(indicator_id)
    if fmt not in exports.FORMATS:
        raise Http404
    form, table, error = _table_from(request, indicator, request.GET)
    if table is None:
        message = str(error) if error else "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    return _file_response(table, fmt)


def _file_response(table, fmt):
    content, content_type, name = exports.render(table, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


DRAFT_KEY = "stats_release_draft"
MAX_RELEASE_TABLES = 20


def _tables_for(request, queries):
    """Protected tables for table queries ("indicator=...&first=..."), with an error per bad one."""
    tables, errors = [], []
    for query in queries[:MAX_RELEASE_TABLES]:
        data = QueryDict(query)
        try:
            indicator = indicators.get(data.get("indicator", ""))
        except indicators.UnknownIndicator as exc:
            errors.append(str(exc))
            continue
        _form, table, error = _table_from(request, indicator, data)
        if table is None:
            errors.append(str(error) if error else _("The table options are not valid."))
        else:
            tables.append(table)
    return tables, errors


def _draft(request) -> list[tuple[str, str]]:
    """The session's release draft: (table query, digest of the table shown) pairs."""
    return [tuple(entry) for entry in request.session.get(DRAFT_KEY, []) if isinstance(entry, list | tuple)]


def _changed_links(exc: ValidationError, queries) -> list[dict]:
    """For a ``table_changed`` refusal: the tables to look at again, with a link to each."""
    links = []
    for error in exc.error_list:
        position = (error.params or {}).get("position")
        if error.code == "table_changed" and position is not None and position < len(queries):
            links.append({"name": error.params["name"], "url": _table_url(queries[position])})
    return links


def _table_url(query: str) -> str:
    """The indicator page showing the table of ``query``."""
    return reverse("stats:indicator", args=[QueryDict(query).get("indicator", "")]) + "?" + query


@login_required
@require_POST
def release_draft_add(request):
    """Keep a table in the session's release draft, to freeze several tables as one release."""
    policy.require_capability(request.user, Capability.PUBLISH_STATS)
    query = request.POST.get("table", "")
    digest = request.POST.get("digest", "")
    draft = _draft(request)
    tables, errors = _tables_for(request, [query])
    if not errors:
        try:
            services.check_tables_shown(tables, [digest])
        except ValidationError as exc:
            errors = exc.messages
    if errors:
        messages.error(request, "; ".join(errors))
    elif len(draft) >= MAX_RELEASE_TABLES:
        messages.error(request, _("A release holds at most %(n)s tables.") % {"n": MAX_RELEASE_TABLES})
    elif query not in [q for q, _d in draft]:
        request.session[DRAFT_KEY] = [*draft, (query, digest)]
        messages.success(request, _("Table added to the release draft."))
    return redirect("stats:release_create")


@login_required
def release_create(request):
    """GET: the release draft; POST: freeze the tables posted (the draft, or one table) as a release,
    if each is still the table that was shown (its parameters' digest is posted with it)."""
    policy.require_capability(request.user, Capability.PUBLISH_STATS)
    draft = _draft(request)
    if request.method != "POST":
        tables, errors = _tables_for(request, [q for q, _d in draft])
        rows = [(q, d, t) for (q, d), t in zip(draft, tables, strict=False)]
        return render(
            request, "stats/release_draft.html", {"form": ReleaseForm(), "draft": rows, "errors": errors}
        )
    form = ReleaseForm(request.POST)
    if request.POST.get("clear"):
        request.session[DRAFT_KEY] = []
        return redirect("stats:release_create")
    queries = request.POST.getlist("table")
    tables, errors = _tables_for(request, queries)
    changed, codes = [], []
    if not queries:
        errors.append(_("A release needs at least one table."))
    if form.is_valid() and not errors and not confirmed(request):
        try:
            services.check_tables_shown(tables, request.POST.getlist("digest"))
        except ValidationError as exc:
            errors += exc.messages
            changed = _changed_links(exc, queries)
            codes = [error.code for error in exc.error_list]
        else:
            return _confirm_release(request, form.cleaned_data["title"], tables, queries)
    if form.is_valid() and not errors:
        try:
            release = services.release_create(
                acting_user=request.user,
                title=form.cleaned_data["title"],
                notes=form.cleaned_data["notes"],
                tables=tables,
                shown_digests=request.POST.getlist("digest"),
            )
        except ValidationError as exc:
            errors += exc.messages
            changed = _changed_links(exc, queries)
            codes = [error.code for error in exc.error_list]
        else:
            request.session[DRAFT_KEY] = [(q, d) for q, d in draft if q not in queries]
            messages.success(request, _("Release %(id)s frozen.") % {"id": release.identifier})
            return redirect(release)
    context = {"form": form, "errors": errors, "changed": changed, "codes": codes}
    return render(request, "stats/release_refused.html", context, status=400)


def _confirm_release(request, title, tables, queries):
    epsilon = sum((t.dp or {}).get("epsilon", 0.0) for t in tables)
    consequences = [
        ngettext(
            "freeze %(n)s table as the release “%(title)s”, exactly as shown, with today's date, the rules "
            "applied and a fingerprint of the source data;",
            "freeze %(n)s tables as the release “%(title)s”, exactly as shown, with today's date, the rules "
            "applied and a fingerprint of the source data;",
            len(tables),
        )
        % {"n": len(tables), "title": title},
        _(
            "give it a permanent identifier and citation. A release can never be changed or deleted: a "
            "correction is a new release."
        ),
    ]
    if epsilon:
        consequences.append(
            _("record in the release the privacy budget its tables spent (epsilon %(e)s).")
            % {"e": f"{epsilon:g}"}
        )
    single = len(queries) == 1 and (request.POST.get("from_draft") != "1")
    back_url = _table_url(queries[0]) if single else reverse("stats:release_create")
    return confirmation_page(
        request,
        title=_("Are you sure you want to freeze this release?"),
        consequences=consequences,
        confirm_label=_("Yes, freeze the release"),
        back_url=back_url,
        hidden=posted_fields(request, ["title", "notes", "table", "digest", "from_draft"]),
        action=reverse("stats:release_create"),
    )


@login_required
def release_list(request):
    _require_viewer(request.user)
    return render(request, "stats/release_list.html", {"releases": selectors.releases_visible(request.user)})


@login_required
@object_view(Release)
def release_detail(request, pk):
    release = get_object_or_404(selectors.releases_visible(request.user), pk=pk)
    items = []
    for stored in selectors.release_tables(request.user, release):
        table = ProtectedTable.from_release(stored)
        unchanged = current_fingerprint(request.user, table) == stored.fingerprint
        context = _table_context(
            table,
            "",
            lambda fmt, position=stored.position: f"{release.get_absolute_url()}tables/{position}/{fmt}/",
        )
        items.append({**context, "unchanged": unchanged})
    return render(request, "stats/release_detail.html", {"release": release, "items": items})


@login_required
@object_view(Release)
@route_examples(position=0, fmt="csv")
def release_download(request, pk, position, fmt):
    release = get_object_or_404(selectors.releases_visible(request.user), pk=pk)
    stored = selectors.release_tables(request.user, release).filter(position=position).first()
    if stored is None or fmt not in exports.FORMATS:
        raise Http404
    return _file_response(ProtectedTable.from_release(stored), fmt)


@login_required
@require_POST
@object_view(Release)
def release_bundle(request, pk):
    """Queue the release's files as one ZIP for a worker; its job's page offers the download."""
    release = get_object_or_404(selectors.releases_visible(request.user), pk=pk)
    job = jobs.submit(
        tasks.release_bundle,
        kind="stats.release_bundle",
        subject=release,
        organisation=release.organisation,
        created_by=request.user,
        params={"release": release.pk},
    )
    return redirect(job)


@login_required
def settings_page(request):
    organisation = selectors.stats_organisations(request.user, Capability.PUBLISH_STATS).first()
    if organisation is None:
        raise PermissionDenied
    current = selectors.settings_of(organisation)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(acting_user=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Disclosure settings saved."))
            return redirect("stats:settings")
    context = {
        "form": form,
        "organisation": organisation,
        "spent": selectors.budget_spent(organisation),
        "remaining": selectors.budget_remaining(organisation),
        "ledger": selectors.budget_entries(request.user).filter(organisation=organisation)[:50],
    }
    return render(request, "stats/settings.html", context)
