"""The referrals app's panels of the home page (see core/home.py): what the user sent that waits
for an answer, what their service must answer, and, for supervisors, what is overdue."""

from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.home import Count, Panel, list_url
from lindung.core.roles import Capability

from . import selectors
from .models import Referral

WAITING = Referral.Status.SENT


def panels(user) -> list[Panel]:
    found = []
    if policy.has_capability(user, Capability.SEND_REFERRALS):
        found.append(sent_waiting(user))
    if policy.has_capability(user, Capability.RECEIVE_REFERRALS):
        found.append(to_answer(user))
    if policy.has_capability(user, Capability.SUPERVISE_CASES):
        found.append(overdue(user))
    return found


def sent_waiting(user) -> Panel:
    mine = selectors.referrals_filtered(selectors.referrals_sent(user), status=WAITING, sent_by=user)
    counts = [
        Count(
            _("Received, waiting for an answer"),
            mine.count(),
            list_url("referrals:referral_list", status=WAITING, mine="on"),
        )
    ]
    return Panel("referrals-sent", _("My referrals"), counts)


def to_answer(user) -> Panel:
    waiting = selectors.referrals_filtered(selectors.referrals_received(user), status=WAITING)
    counts = [
        Count(
            _("Waiting for your answer"), waiting.count(), list_url("referrals:received_list", status=WAITING)
        )
    ]
    return Panel("referrals-received", _("Referrals to accept"), counts)


def overdue(user) -> Panel:
    counts = [
        Count(
            _("Past their answer time"),
            selectors.overdue_referrals(user).count(),
            list_url("referrals:overdue_list"),
        )
    ]
    return Panel("referrals-overdue", _("Overdue referrals"), counts)
