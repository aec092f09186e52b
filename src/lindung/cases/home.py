"""The cases app's panels of the home page (see core/home.py): a caseworker's cases, tasks and
consents, a supervisor's approvals, the team's overdue work and caseload. Every count is read
through the selector the linked list uses, with the same filters, so the list shows that many rows."""

from django.db.models import Count as Counted
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.home import Count, Panel, list_url
from lindung.core.roles import Capability

from . import selectors, workflows

# How far ahead the home page looks for consents that are about to end (a window of the list page).
CONSENT_WINDOW_DAYS = 30


def panels(user) -> list[Panel]:
    found = []
    if policy.has_capability(user, Capability.MANAGE_CASES):
        found += [my_cases(user), my_tasks(user), consents_ending(user)]
    if policy.has_capability(user, Capability.SUPERVISE_CASES):
        found += [approvals(user), team_overdue(user), caseload(user)]
    return found


def my_cases(user) -> Panel:
    labels = dict(workflows.state_choices())
    by_state = dict(
        selectors.case_list(user, owner=user, open_only=True)
        .order_by()
        .values_list("state")
        .annotate(n=Counted("pk"))
    )
    total = sum(by_state.values())
    counts = [Count(_("All my open cases"), total, list_url("cases:case_list", mine="on", open_only="on"))]
    counts += [
        Count(str(labels.get(state, state)), n, list_url("cases:case_list", mine="on", state=state))
        for state, n in sorted(by_state.items(), key=lambda item: -item[1])
    ]
    return Panel("my-cases", _("My open cases by step"), counts)


def my_tasks(user) -> Panel:
    windows = (
        ("overdue", _("Overdue")),
        ("today", _("Due today")),
        ("week", _("Due in the next seven days")),
    )
    counts = [
        Count(
            label,
            selectors.task_list(user, due=due, assignee=user).count(),
            list_url("cases:task_list", due=due, mine="on"),
        )
        for due, label in windows
    ]
    return Panel("my-tasks", _("My tasks"), counts)


def consents_ending(user) -> Panel:
    n = selectors.consents_expiring(user, within_days=CONSENT_WINDOW_DAYS).count()
    counts = [
        Count(
            _("Ending within %(days)s days") % {"days": CONSENT_WINDOW_DAYS},
            n,
            list_url("cases:consent_expiring", expiring=CONSENT_WINDOW_DAYS),
        )
    ]
    return Panel("consents", _("Consents about to end"), counts)


def approvals(user) -> Panel:
    n = selectors.case_list(user, awaiting_approval=True).count()
    counts = [
        Count(_("Closures waiting for approval"), n, list_url("cases:case_list", awaiting_approval="on"))
    ]
    return Panel("approvals", _("Waiting for your approval"), counts)


def team_overdue(user) -> Panel:
    counts = [
        Count(
            _("Cases with overdue tasks"),
            selectors.case_list(user, overdue=True).count(),
            list_url("cases:case_list", overdue="on"),
        ),
        Count(
            _("Overdue tasks"),
            selectors.task_list(user, due="overdue").count(),
            list_url("cases:task_list", due="overdue"),
        ),
    ]
    return Panel("team-overdue", _("Overdue across the team"), counts)


def caseload(user) -> Panel:
    rows = (
        selectors.case_list(user, open_only=True)
        .filter(owner__isnull=False)
        .order_by()
        .values_list("owner_id", "owner__username")
        .annotate(n=Counted("pk"))
    )
    counts = [
        Count(username, n, list_url("cases:case_list", owner=owner_id, open_only="on"))
        for owner_id, username, n in sorted(rows, key=lambda row: (-row[2], row[1]))
    ]
    return Panel("caseload", _("Open cases per worker"), counts)
