"""Listeners on the other apps' signals (their ``events.py``). Signals arrive after the write
committed; each listener makes the notifications (policy checked per recipient in services) and
queues the e-mails. Matching watch rules is queued as a task: a pull can bring thousands of
incidents, and the puller should not wait for the alerts."""

from django.dispatch import receiver

from lindung.cases import events as cases_events
from lindung.maritime import events as maritime_events
from lindung.referrals import events as referrals_events
from lindung.standard import events as standard_events

from . import services, tasks
from .models import WatchRule


@receiver(referrals_events.referral_sent, dispatch_uid="notifications_referral_sent")
def referral_sent(sender, referral, actor, **kwargs):
    tasks.email_soon(services.on_referral_sent(referral, actor))


@receiver(referrals_events.referral_answered, dispatch_uid="notifications_referral_answered")
def referral_answered(sender, referral, actor, answer, **kwargs):
    tasks.email_soon(services.on_referral_answered(referral, actor, answer))


@receiver(cases_events.case_transitioned, dispatch_uid="notifications_case_transitioned")
def case_transitioned(sender, case, to_state, actor, **kwargs):
    tasks.email_soon(services.on_case_transitioned(case, to_state, actor))


@receiver(cases_events.case_transferred, dispatch_uid="notifications_case_transferred")
def case_transferred(sender, target, actor, **kwargs):
    tasks.email_soon(services.on_case_transferred(target, actor))


@receiver(cases_events.consent_withdrawn, dispatch_uid="notifications_consent_withdrawn")
def consent_withdrawn(sender, consent, actor, **kwargs):
    tasks.email_soon(services.on_consent_withdrawn(consent, actor))


@receiver(standard_events.import_finished, dispatch_uid="notifications_standard_import")
def standard_import(sender, batch, **kwargs):
    tasks.email_soon(services.on_standard_import(batch))


@receiver(maritime_events.incidents_imported, dispatch_uid="notifications_maritime_import")
def maritime_import(sender, organisation, actor, summary, **kwargs):
    tasks.email_soon(services.on_maritime_import(organisation, actor, summary))


@receiver(maritime_events.incidents_arrived, dispatch_uid="notifications_incidents_arrived")
def incidents_arrived(sender, incident_ids, **kwargs):
    if incident_ids and WatchRule.objects.filter(active=True).exists():
        tasks.match_watch_rules.enqueue(list(incident_ids))
