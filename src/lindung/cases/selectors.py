"""Every read of the cases app that leaves it, starting from ``policy.accessible``.

Other apps use: ``has_consent(person, purpose)``, ``persons_visible(user)``,
``person_get(user, pk)``, ``cases_visible(user)``, ``cases_of_person(user, person)`` and, for
statistics, ``cases_for_statistics(user)`` / ``persons_for_statistics(user)`` which return
non-identifying columns only.
"""

import datetime

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils import timezone

from lindung.core import crypto, policy
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry, Membership, User
from lindung.core.roles import ROLE_CAPABILITIES, Capability

from . import hooks, identifiers, list_columns
from .choices import RiskDecision, RiskResult
from .models import (
    Attachment,
    Case,
    CaseTransition,
    Consent,
    Person,
    PersonIdentifier,
    PersonVulnerability,
    ReturnRiskAssessment,
    Task,
    TransferAgreement,
)
from .workflows.base import CLOSED, CLOSURE, TRANSFERRED

# Columns that identify nobody on their own; statistics get these and nothing else.
CASE_STAT_FIELDS = (
    "id",
    "organisation_id",
    "case_type",
    "state",
    "opened_on",
    "closed_on",
    "person__sex",
    "person__age_group",
    "person__majority_status",
    "person__citizenship",
    "person__is_stateless",
    "person__disability_status",
    "person__legal_status",
)
PERSON_STAT_FIELDS = (
    "id",
    "organisation_id",
    "sex",
    "gender",
    "age_group",
    "majority_status",
    "citizenship",
    "is_stateless",
    "disability_status",
    "legal_status",
)


def roles_with(capability) -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]


# consent -------------------------------------------------------------------------------------


def active_consents():
    today = timezone.localdate()
    return Consent.objects.filter(withdrawn_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def has_consent(person, purpose: str) -> bool:
    """True while the person has an active, unwithdrawn consent for ``purpose``. Ask at the moment
    of use: a withdrawal counts from its commit."""
    person_id = person.pk if isinstance(person, Person) else person
    return active_consents().filter(person_id=person_id, purpose=purpose).exists()


def consents_of(user, person):
    return policy.accessible(user, Consent.objects.filter(person=person)).order_by("-obtained_on", "-id")


# persons -------------------------------------------------------------------------------------


def persons_visible(user):
    return policy.accessible(user, Person.objects.select_related("organisation"))


def person_get(user, pk) -> Person:
    return persons_visible(user).get(pk=pk)


def display_name(user, person) -> str:
    """The person's name for users who may see identities, else the pseudonymous reference."""
    if policy.can_see_identity(user, person) and person.anonymised_at is None:
        return person.full_name or person.reference
    return person.reference


def read_person(user, person, *, purpose: str) -> bool:
    """Log a read of the person's identity and say whether it may be shown. Every page or API
    response that shows identity fields calls this once per person shown."""
    if not policy.can_see_identity(user, person):
        return False
    policy.record_personal_read(user, person, purpose=purpose, fields=Person.IDENTITY_FIELDS)
    return True


def _exact_identity_matches(orgs, *, name: str, document: str) -> dict[int, set[str]]:
    """Blind-index matches: the whole name (case and spacing do not count) and the document
    number (only its letters and digits count; an index written before that rule is also read)."""
    wanted = []
    if name.strip():
        wanted.append((PersonIdentifier.Kind.NAME, "name", [name]))
    if identifiers.document_key(document):
        wanted.append(
            (PersonIdentifier.Kind.DOCUMENT, "document", {identifiers.document_key(document), document})
        )
    match = Q(pk__in=[])
    code_of = {}
    for org in orgs:
        for kind, code, values in wanted:
            for value in values:
                digest = crypto.blind_index(value, organisation_id=org, kind=kind)
                match |= Q(organisation_id=org, kind=kind, digest=digest)
                code_of[(kind, digest)] = code
    found: dict[int, set[str]] = {}
    if wanted:
        for person_id, kind, digest in PersonIdentifier.objects.filter(match).values_list(
            "person_id", "kind", "digest"
        ):
            found.setdefault(person_id, set()).add(code_of[(kind, digest)])
    return found


def identity_matches(user, *, name: str = "", document: str = "") -> dict[int, set[str]]:
    """{person id: what matched} for a name or a document number, in the organisations where the user
    may see identities: the exact blind index, then what the apps above add (linkage: parts of names
    and their spellings in other scripts). The search itself is audited, never what was looked for."""
    orgs = policy.organisations_with(user, Capability.VIEW_IDENTITY)
    found = _exact_identity_matches(orgs, name=name, document=document)
    if orgs:
        for extend in hooks.person_search_extenders:
            identifiers.merge(found, extend(user, name=name, document=document))
    audit_record(
        action=AuditAction.PERSONAL_DATA_SEARCHED,
        actor=user,
        purpose="person search",
        detail={"by": [k for k, v in (("name", name), ("document", document)) if v.strip()]},
    )
    return found


def persons_search_matches(
    user,
    *,
    name: str = "",
    document: str = "",
    citizenship: str = "",
    sex: str = "",
    age_group: str = "",
    reference: str = "",
):
    """(persons, {person id: what matched}): names by whole name, part or spelling, document numbers
    whatever their spacing and case (identity holders only), plus filters on non-identifying fields.
    Identity searches are audited."""
    persons = persons_visible(user)
    matches: dict[int, set[str]] = {}
    if name or document:
        matches = identity_matches(user, name=name, document=document)
        persons = persons.filter(pk__in=list(matches))
    if reference:
        persons = persons.filter(reference__icontains=reference.strip())
    if citizenship:
        persons = persons.filter(citizenship=citizenship)
    if sex:
        persons = persons.filter(sex=sex)
    if age_group:
        persons = persons.filter(age_group=age_group)
    return persons.order_by("-registered_at", "-id"), matches


def persons_search(user, **filters):
    """The persons of ``persons_search_matches`` without what matched."""
    return persons_search_matches(user, **filters)[0]


# What a line of the person list shows: the reference, the name (to identity holders answering an
# identity search), sex, age group, citizenship and date of registration. Aliases, dates of birth,
# documents, contacts and photos are neither loaded nor decrypted for a list.
PERSON_LIST_FIELDS = (
    "id",
    "organisation_id",
    "reference",
    "given_name",
    "family_name",
    "sex",
    "age_group",
    "citizenship",
    "registered_at",
    "anonymised_at",
)


def person_list(user, **filters):
    """The person list page: ``persons_search_matches`` loading only what a line shows."""
    persons, matches = persons_search_matches(user, **filters)
    return persons.select_related(None).only(*PERSON_LIST_FIELDS), matches


# cases ---------------------------------------------------------------------------------------


def cases_visible(user):
    return policy.accessible(user, Case.objects.select_related("person", "organisation", "owner"))


def case_get(user, pk) -> Case:
    return cases_visible(user).get(pk=pk)


def cases_of_person(user, person):
    return cases_visible(user).filter(person=person)


# What a line of the case list (page or API) shows: the case without its personal step data, the
# person's reference, the organisation's name and the owner's username. Loading no more keeps
# personal data encrypted and a page of 25 cheap.
LIST_FIELDS = (
    *(f.name for f in Case._meta.concrete_fields if f.name != "step_personal"),
    "person__reference",
    "organisation__name",
    "organisation__short_name",
    "owner__username",
)


def case_list(
    user,
    *,
    case_type="",
    state="",
    organisation=None,
    overdue=False,
    vulnerability="",
    owner=None,
    open_only=False,
    reference="",
    awaiting_approval=False,
):
    """The filtered case list of the UI and the API, newest first."""
    cases = closures_awaiting_approval(user) if awaiting_approval else cases_visible(user)
    if case_type:
        cases = cases.filter(case_type=case_type)
    if state:
        cases = cases.filter(state=state)
    if organisation:
        cases = cases.filter(organisation_id=organisation)
    if owner:
        cases = cases.filter(owner=owner)
    if open_only:
        cases = cases.exclude(state__in=(CLOSED, TRANSFERRED))
    if reference:
        cases = cases.filter(reference__icontains=reference.strip())
    if overdue:
        cases = cases.filter(list_columns.overdue_q(timezone.localdate()))
    if vulnerability:
        cases = cases.filter(list_columns.vulnerability_q(vulnerability))
    return cases.only(*LIST_FIELDS).order_by("-opened_on", "-id")


def cases_for_statistics(user):
    """One row per visible case with non-identifying columns only (see CASE_STAT_FIELDS)."""
    return policy.accessible(user, Case.objects.all()).values(*CASE_STAT_FIELDS).order_by("id")


def persons_for_statistics(user):
    return policy.accessible(user, Person.objects.all()).values(*PERSON_STAT_FIELDS).order_by("id")


def vulnerabilities_for_statistics(user):
    """(person id, category) pairs of visible persons."""
    persons = policy.accessible(user, Person.objects.all()).values("pk")
    return PersonVulnerability.objects.filter(person_id__in=persons).values("person_id", "category")


def closures_awaiting_approval(user):
    """Closures asked for in the organisations ``user`` supervises, but not by ``user``: who asked
    for a closure may not approve it (services.transition_refusal)."""
    orgs = policy.organisations_with(user, Capability.SUPERVISE_CASES)
    asked_by = (
        CaseTransition.objects.filter(case=OuterRef("pk"), to_state=CLOSURE)
        .order_by("-pk")
        .values("by_id")[:1]
    )
    return (
        cases_visible(user)
        .filter(state=CLOSURE, organisation_id__in=orgs)
        .annotate(closure_asked_by=Subquery(asked_by))
        .filter(Q(closure_asked_by__isnull=True) | ~Q(closure_asked_by=user.pk))
    )


# tasks, agreements, timeline -----------------------------------------------------------------


def tasks_visible(user):
    return policy.accessible(user, Task.objects.select_related("case", "assignee"))


def open_tasks_of_person(user, person):
    """The open tasks of the person's cases the user may see, soonest due first."""
    return tasks_visible(user).filter(case__person=person, done_at__isnull=True).order_by("due_on", "id")


def overdue_tasks(user, today=None):
    today = today or timezone.localdate()
    return tasks_visible(user).filter(done_at__isnull=True, due_on__lt=today).order_by("due_on", "id")


TASK_DUE_WINDOWS = {"overdue", "today", "week"}


def task_list(user, *, due="", assignee=None, today=None):
    """Open tasks, soonest first: ``due`` is "overdue" (before today), "today", or "week" (today
    and the six days after); ``assignee`` keeps one user's."""
    today = today or timezone.localdate()
    tasks = tasks_visible(user).filter(done_at__isnull=True)
    if due == "overdue":
        tasks = tasks.filter(due_on__lt=today)
    elif due == "today":
        tasks = tasks.filter(due_on=today)
    elif due == "week":
        tasks = tasks.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=6))
    if assignee is not None:
        tasks = tasks.filter(assignee=assignee)
    return tasks.order_by("due_on", "id")


def consents_expiring(user, *, within_days: int, today=None):
    """Active consents whose validity ends within ``within_days`` days from today (today included),
    soonest first: they must be renewed or the work that rests on them stops."""
    today = today or timezone.localdate()
    consents = policy.accessible(user, Consent.objects.select_related("person")).filter(
        withdrawn_at__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=within_days),
    )
    fields = (
        "id",
        "organisation_id",
        "person_id",
        "person__reference",
        "purpose",
        "obtained_on",
        "valid_until",
    )
    return consents.only(*fields).order_by("valid_until", "id")


def agreements_visible(user):
    return policy.accessible(user, TransferAgreement.objects.select_related("partner", "organisation"))


def agreements_for_case(user, case):
    today = timezone.localdate()
    return (
        agreements_visible(user)
        .filter(organisation_id=case.organisation_id, valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    )


def case_timeline(user, case) -> list[dict]:
    """Everything that happened in a case, oldest first: steps, needs, services, notes, files,
    tasks, placements, visits, check-ins, and audit entries (reads, assignments, transfers)."""
    policy.require(user, policy.VIEW, case)

    def at(value):
        if isinstance(value, datetime.datetime):
            return value
        return datetime.datetime.combine(value, datetime.time.min, tzinfo=datetime.UTC)

    events = [{"at": at(t.at), "kind": "transition", "obj": t, "by": t.by} for t in case.transitions.all()]
    events += [
        {"at": at(n.recorded_at), "kind": "need", "obj": n, "by": n.recorded_by} for n in case.needs.all()
    ]
    events += [
        {"at": at(s.provided_on), "kind": "service", "obj": s, "by": s.recorded_by}
        for s in case.services.all()
    ]
    events += [{"at": at(n.created_at), "kind": "note", "obj": n, "by": n.author} for n in case.notes.all()]
    events += [
        {"at": at(a.uploaded_at), "kind": "attachment", "obj": a, "by": a.uploaded_by}
        for a in case.attachments.all()
    ]
    events += [
        {"at": at(t.created_at), "kind": "task", "obj": t, "by": t.created_by} for t in case.tasks.all()
    ]
    events += [
        {"at": at(p.recorded_at), "kind": "placement", "obj": p, "by": p.recorded_by}
        for p in case.placements.all()
    ]
    events += [
        {"at": at(v.visit_on), "kind": "visit", "obj": v, "by": v.recorded_by}
        for v in case.monitoring_visits.all()
    ]
    events += [
        {"at": at(c.check_on), "kind": "checkin", "obj": c, "by": c.recorded_by} for c in case.checkins.all()
    ]
    own = {
        "cases.case_opened",
        "cases.case_assigned",
        "cases.legal_hold",
        "cases.transferred_out",
        "cases.transferred_in",
        "personal.viewed",
        "policy.denied",
    }
    entries = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk), action__in=own)
    entries = entries.filter(organisation_id=case.organisation_id).order_by("id")
    events += [{"at": e.at, "kind": "audit", "obj": e, "by": e.actor_username} for e in entries[:500]]
    return sorted(events, key=lambda e: e["at"])


def attachments_visible(user):
    return policy.accessible(user, Attachment.objects.select_related("case"))


def case_owners(case):
    """Users who may own the case: members of its organisation who manage cases."""
    members = Membership.objects.filter(
        organisation_id=case.organisation_id, role__in=roles_with(Capability.MANAGE_CASES)
    ).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("username")


# return safeguards ---------------------------------------------------------------------------

RISK_NOTE_FIELDS = (
    *(f"{factor}_notes" for factor, _label in ReturnRiskAssessment.FACTORS),
    "decision_reasons",
)


def risk_assessments_of(user, case):
    """The case's risk-on-return assessments the user may see, newest first."""
    return policy.accessible(
        user,
        ReturnRiskAssessment.objects.filter(case=case).select_related(
            "assessed_by", "signed_off_by", "decided_by"
        ),
    ).order_by("-assessed_at", "-pk")


def read_risk_notes(user, assessment, *, purpose: str) -> bool:
    """Log a read of an assessment's notes and reasons (personal data) and say whether they may be
    shown: to those who may see the person's identity."""
    if not policy.can_see_identity(user, assessment):
        return False
    policy.record_personal_read(user, assessment, purpose=purpose, fields=RISK_NOTE_FIELDS)
    return True


def risk_summary(user) -> dict:
    """Counts of the risk-on-return assessments the user may see, identifying no one: per overall
    result, how many are signed off and how many await sign-off; per decision on a risk found, how
    many were taken, and how many signed-off risks still await one."""
    assessments = policy.accessible(user, ReturnRiskAssessment.objects.all())
    counted = {
        (row["result"], row["signed_off"]): row["n"]
        for row in assessments.annotate(
            signed_off=ExpressionWrapper(Q(signed_off_at__isnull=False), output_field=BooleanField())
        )
        .values("result", "signed_off")
        .annotate(n=Count("pk"))
        .order_by()
    }
    decided = dict(
        assessments.exclude(decision="").values_list("decision").annotate(n=Count("pk")).order_by()
    )
    return {
        "results": [
            (value, label, counted.get((value, True), 0), counted.get((value, False), 0))
            for value, label in RiskResult.choices
        ],
        "decisions": [(value, label, decided.get(value, 0)) for value, label in RiskDecision.choices],
        "awaiting_decision": assessments.filter(
            result=RiskResult.RISK_FOUND, signed_off_at__isnull=False, decision=""
        ).count(),
        "total": sum(counted.values()),
    }
