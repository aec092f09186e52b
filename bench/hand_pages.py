"""The case list and person search pages with their queries written by hand, for bench_cases.

Each view does what the real one does (``lindung.cases.views.case_list`` and ``person_list``): the
same form, the same template and context, the same audit entries, but reads with hand-written SQL
and without ``core.policy``: the user's organisations come from one query on memberships, as
hand-written code would have to find them. Audit entries are appended by hand as well (the
chain's lock and head in one call, as Lindung takes them, then the insert), so the chain stays
verifiable. The bench serves them beside Lindung's own URLs.
"""

import json

from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.shortcuts import render
from django.urls import include, path
from django.utils import timezone

from lindung.cases.forms import CaseFilterForm, PersonSearchForm
from lindung.cases.models import Case, Person
from lindung.cases.views import _state_choices
from lindung.core import crypto
from lindung.core.audit import GENESIS, entry_hash
from lindung.core.context import request_id_var
from lindung.core.models import AuditEntry, Organisation, User

PAGE = 25

CASE_PAGE_SQL = """
WITH page AS (
  SELECT c.id, c.opened_on FROM cases_case c WHERE c.organisation_id = ANY(%(orgs)s) {where}
  ORDER BY c.opened_on DESC, c.id DESC LIMIT 25 OFFSET %(offset)s)
SELECT c.id, c.reference, c.case_type, c.state, c.opened_on, c.open_task_due_on, p.reference, o.name,
       o.short_name, u.username
FROM page JOIN cases_case c ON c.id = page.id JOIN cases_person p ON p.id = c.person_id
JOIN core_organisation o ON o.id = c.organisation_id LEFT JOIN core_user u ON u.id = c.owner_id
ORDER BY page.opened_on DESC, page.id DESC
"""
CASE_COUNT_SQL = "SELECT count(*) FROM cases_case c WHERE c.organisation_id = ANY(%(orgs)s) {where}"
CASE_FILTERS = {
    "case_type": "c.case_type = %(case_type)s",
    "state": "c.state = %(state)s",
    "vulnerability": "c.vulnerability_codes LIKE %(vulnerability_like)s",
    "overdue": "c.open_task_due_on < %(today)s",
}
NAME_MATCH = """p.organisation_id = ANY(%(orgs)s) AND p.id IN (
    SELECT i.person_id FROM cases_personidentifier i
    WHERE i.organisation_id = ANY(%(orgs)s) AND i.kind = 'name' AND i.digest = ANY(%(digests)s))"""
PERSON_PAGE_SQL = f"""
SELECT p.id, p.organisation_id, p.reference, p.given_name, p.family_name, p.sex, p.age_group,
       p.citizenship, p.registered_at
FROM cases_person p WHERE {NAME_MATCH} ORDER BY p.registered_at DESC, p.id DESC LIMIT 25
"""
PERSON_COUNT_SQL = f"SELECT count(*) FROM cases_person p WHERE {NAME_MATCH}"
AUDIT_COLUMNS = (
    "at, actor_id, actor_username, organisation_id, action, object_type, object_id, purpose, "
    "request_id, detail, prev_hash, hash"
)


def _organisations(user) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT organisation_id FROM core_membership WHERE user_id = %s", [user.pk])
        return [row[0] for row in cursor.fetchall()]


def _audit(user, action, *, organisation_id=None, object_type="", object_id="", purpose="", detail=None):
    """Append one entry to the hash chain: lock and read the head, insert, commit."""
    entry = AuditEntry(
        actor_id=user.pk,
        actor_username=user.username,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        request_id=request_id_var.get(),
        detail=detail or {},
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT lindung_audit_chain_head()")  # the chain's lock and head, as Lindung's
        entry.prev_hash = cursor.fetchone()[0] or GENESIS
        entry.at = timezone.now()
        entry.hash = entry_hash(entry)
        cursor.execute(
            f"INSERT INTO core_auditentry ({AUDIT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s)",  # noqa: E501
            [
                entry.at,
                entry.actor_id,
                entry.actor_username,
                entry.organisation_id,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.purpose,
                entry.request_id,
                json.dumps(entry.detail),
                entry.prev_hash,
                entry.hash,
            ],
        )


def _page(rows, number, count):
    """A page of ``rows`` that already are the page, for a list of ``count``."""
    return Page(rows, number, Paginator(range(count), PAGE))


def case_list(request):
    orgs = _organisations(request.user)
    form = CaseFilterForm(
        request.GET or None,
        organisations=Organisation.objects.filter(pk__in=orgs),
        states=_state_choices(request.GET.get("case_type", "")),
    )
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    where = "".join(f" AND {sql}" for name, sql in CASE_FILTERS.items() if filters.get(name))
    number = int(request.GET.get("page") or 1)
    params = {
        "orgs": orgs,
        "offset": (number - 1) * PAGE,
        "case_type": filters.get("case_type"),
        "state": filters.get("state"),
        "vulnerability_like": f"% {filters.get('vulnerability')} %",
        "today": timezone.localdate(),
    }
    with connection.cursor() as cursor:
        cursor.execute(CASE_PAGE_SQL.format(where=where), params)
        found = cursor.fetchall()
        cursor.execute(CASE_COUNT_SQL.format(where=where), params)
        count = cursor.fetchone()[0]
    rows = []
    for pk, reference, case_type, state, opened_on, due, person_ref, org_name, short, username in found:
        case = Case(pk=pk, reference=reference, case_type=case_type, state=state, opened_on=opened_on)
        case.open_task_due_on = due
        case.person = Person(reference=person_ref)
        case.organisation = Organisation(name=org_name, short_name=short)
        case.owner = User(username=username) if username else None
        rows.append(case)
    return render(request, "cases/case_list.html", {"form": form, "page": _page(rows, number, count)})


def person_list(request):
    form = PersonSearchForm(request.POST or None)
    filters = form.cleaned_data if form.is_valid() else {}
    name = filters.get("name", "")
    orgs = _organisations(request.user)
    digests = [crypto.blind_index(name, organisation_id=org, kind="name") for org in orgs]
    _audit(request.user, "personal.searched", purpose="person search", detail={"by": ["name"]})
    params = {"orgs": orgs, "digests": digests}
    with connection.cursor() as cursor:
        cursor.execute(PERSON_PAGE_SQL, params)
        found = cursor.fetchall()
        count = len(found)
        if count == PAGE:
            cursor.execute(PERSON_COUNT_SQL, params)
            count = cursor.fetchone()[0]
    rows = []
    for pk, org, reference, given, family, sex, age_group, citizenship, registered_at in found:
        person = Person(pk=pk, organisation_id=org, reference=reference, sex=sex, age_group=age_group)
        person.citizenship, person.registered_at = citizenship, registered_at
        full_name = " ".join(
            crypto.decrypt(token, context=f"cases.person.{field}")
            for token, field in ((given, "given_name"), (family, "family_name"))
            if token
        )
        _audit(
            request.user,
            "personal.viewed",
            organisation_id=org,
            object_type="cases.person",
            object_id=str(pk),
            purpose="person search",
            detail={"fields": sorted(Person.IDENTITY_FIELDS)},
        )
        rows.append((person, full_name))
    context = {
        "search_form": form,
        "page": _page(rows, 1, count),
        "rows": rows,
        "can_register": True,
        "posted": True,
    }
    return render(request, "cases/person_list.html", context)


urlpatterns = [
    path("bench/hand/cases/", case_list),
    path("bench/hand/persons/", person_list),
    path("", include("lindung.urls")),
]
