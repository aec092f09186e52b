"""Every write of the notifications app: making notifications (who is told about what), reading
them, preferences and watch rules.

The other apps never call this module: they send signals (their ``events.py``) that
``receivers.py`` turns into calls of the ``on_*`` functions here, and the periodic scans and the
watch-rule matching run as tasks (``tasks.py``). Each recipient is told about an object only when
``core.policy`` lets them see it, checked for that recipient when the notification is made.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.cases.models import Case, Task
from lindung.cases.workflows.base import CLOSURE
from lindung.core import policy
from lindung.core.actors import is_system
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.markings import TLP
from lindung.core.roles import ROLE_CAPABILITIES, Capability
from lindung.maritime.models import Incident
from lindung.referrals.models import Referral
from lindung.standard import registry
from lindung.standard.models import ImportBatch

from .models import Channel, Event, Notification, Preference, WatchRule, default_channel

# How many days ahead a readmission answer deadline is announced.
READMISSION_WARNING_DAYS = 7
OPEN_REFERRAL = (Referral.Status.SENT, Referral.Status.ACCEPTED)


def incident_reference(incident) -> str:
    """An incident has no reference of its own; its number here names it without saying anything."""
    return f"I-{incident.pk}"


# who ------------------------------------------------------------------------------------------


def members_with(capability: str, organisation_id) -> list:
    """Active users holding ``capability`` in the organisation."""
    roles = [role for role, held in ROLE_CAPABILITIES.items() if capability in held]
    return list(
        get_user_model()
        .objects.filter(
            is_active=True, memberships__organisation_id=organisation_id, memberships__role__in=roles
        )
        .distinct()
        .order_by("pk")
    )


def channel_for(user, event: str) -> str:
    chosen = Preference.objects.filter(user=user, event=event).values_list("channel", flat=True).first()
    return chosen or default_channel(event)


def notify(
    *, event, recipients, obj=None, reference, link="", detail=None, watch_rule=None, actor=None, once=False
) -> list[Notification]:
    """Tell each of ``recipients`` about ``obj``, as their preferences say, and return the
    notifications made. Skipped: inactive users, the ``actor`` (nobody is told what they did
    themselves), whoever the policy does not let see ``obj``, and with ``once`` whoever was already
    told this (same event, object and detail)."""
    detail = detail or {}
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    object_id = str(obj.pk) if obj is not None else ""
    if not link and obj is not None and hasattr(obj, "get_absolute_url"):
        link = obj.get_absolute_url()
    made, seen = [], set()
    for user in recipients:
        if (
            user is None
            or user.pk in seen
            or not user.is_active
            or (actor is not None and user.pk == actor.pk)
        ):
            continue
        seen.add(user.pk)
        if obj is not None and not policy.can(user, policy.VIEW, obj):
            continue
        channel = channel_for(user, event)
        if channel == Channel.OFF:
            continue
        if (
            once
            and Notification.objects.filter(
                recipient=user, event=event, content_type=content_type, object_id=object_id, detail=detail
            ).exists()
        ):
            continue
        made.append(
            Notification(
                recipient=user,
                event=event,
                content_type=content_type,
                object_id=object_id,
                reference=reference[:64],
                link=link[:300],
                detail=detail,
                watch_rule=watch_rule,
                channel=channel,
            )
        )
    if not made:
        return []
    with transaction.atomic():
        Notification.objects.bulk_create(made)
        audit_record(
            action=AuditAction.NOTIFICATIONS_CREATED,
            organisation_id=policy.owner_id(obj) if obj is not None else None,
            object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
            object_id=object_id,
            detail={"event": event, "recipients": sorted(n.recipient_id for n in made)},
        )
    return made


# events of the other apps ------------------------------------------------------------------


def on_referral_sent(referral, actor) -> list[Notification]:
    return notify(
        event=Event.REFERRAL_RECEIVED,
        recipients=members_with(Capability.RECEIVE_REFERRALS, referral.receiving_organisation_id),
        obj=referral,
        reference=referral.reference,
        actor=actor,
        once=True,
    )


def on_referral_answered(referral, actor, answer) -> list[Notification]:
    return notify(
        event=Event.REFERRAL_ANSWERED,
        recipients=[referral.sent_by, getattr(referral.case, "owner", None)],
        obj=referral,
        reference=referral.reference,
        detail={"answer": answer},
        actor=actor,
        once=True,
    )


def on_case_transitioned(case, to_state, actor) -> list[Notification]:
    if to_state != CLOSURE:
        return []
    return notify(
        event=Event.CLOSURE_REQUESTED,
        recipients=members_with(Capability.SUPERVISE_CASES, case.organisation_id),
        obj=case,
        reference=case.reference,
        actor=actor,
    )


def on_case_transferred(target, actor) -> list[Notification]:
    return notify(
        event=Event.TRANSFER_RECEIVED,
        recipients=members_with(Capability.SUPERVISE_CASES, target.organisation_id),
        obj=target,
        reference=target.reference,
        actor=actor,
        once=True,
    )


def on_consent_withdrawn(consent, actor) -> list[Notification]:
    """Those whose work the withdrawal changes: owners of the person's open cases and of their open
    tasks, the referrers and receivers of the person's open referrals. Told once per consent."""
    detail = {"purpose": consent.purpose, "consent": consent.pk}
    made = []
    for case in Case.objects.filter(person_id=consent.person_id, closed_on__isnull=True).select_related(
        "owner"
    ):
        assignees = [t.assignee for t in case.tasks.filter(done_at__isnull=True).select_related("assignee")]
        made += notify(
            event=Event.CONSENT_WITHDRAWN,
            recipients=[case.owner, *assignees],
            obj=case,
            reference=case.reference,
            detail=detail,
            once=True,
            actor=actor,
        )
    for referral in Referral.objects.filter(person_id=consent.person_id, status__in=OPEN_REFERRAL):
        receivers = members_with(Capability.RECEIVE_REFERRALS, referral.receiving_organisation_id)
        made += notify(
            event=Event.CONSENT_WITHDRAWN,
            recipients=[referral.sent_by, *receivers],
            obj=referral,
            reference=referral.reference,
            detail=detail,
            once=True,
            actor=actor,
        )
    return made


def on_standard_import(batch) -> list[Notification]:
    recipients = (
        [batch.created_by]
        if batch.created_by
        else members_with(Capability.MANAGE_STANDARD, batch.organisation_id)
    )
    if batch.status == ImportBatch.Status.DONE:
        event, detail = Event.IMPORT_FINISHED, {"imported": batch.imported}
    else:
        event, detail = Event.IMPORT_FAILED, {"status": batch.status}
    return notify(
        event=event, recipients=recipients, obj=batch, reference=f"IMP-{batch.pk}", detail=detail, once=True
    )


def on_maritime_import(organisation, actor, summary: dict) -> list[Notification]:
    """A public data set imported (or refused) into ``organisation``'s incidents. There is no one
    object: the reference names the file's format and the link the incident list."""
    person = None if actor is None or is_system(actor) else actor
    # A file imported by the operator's command (the system) is told to the organisation's analysts.
    recipients = [person] if person else members_with(Capability.MANAGE_INCIDENTS, organisation.pk)
    if not summary.get("refused_whole"):
        # A partial import that left rows out still finished: the detail says how many.
        event = Event.IMPORT_FINISHED
        detail = {"imported": summary.get("imported", 0), "refused": summary.get("refused", 0)}
    else:
        event, detail = Event.IMPORT_FAILED, {"status": "refused"}
    return notify(
        event=event,
        recipients=recipients,
        reference=str(summary.get("format", "")).upper() or "import",
        link=reverse("maritime:incident_list"),
        detail=detail,
    )


# watch rules -------------------------------------------------------------------------------


def incidents_match(incident_ids) -> list[Notification]:
    """Alert the owners of the active watch rules that these (new or received) incidents match;
    one alert per owner and incident, however many of their rules match it. Rules are matched in
    Python against the few incidents that arrived (a query per rule cost far more), then the
    policy decides for each owner in ``notify``. One transaction: one commit for the lot."""
    incidents = list(Incident.objects.filter(pk__in=list(incident_ids)).order_by("pk"))
    made = []
    with transaction.atomic():
        for rule in WatchRule.objects.filter(active=True).select_related("owner").order_by("pk"):
            if not policy.has_capability(rule.owner, Capability.VIEW_INCIDENTS, rule.organisation_id):
                continue  # the owner no longer reads incidents there: the rule sleeps
            for incident in filter(rule.matches, incidents):
                made += notify(
                    event=Event.WATCH_MATCH,
                    recipients=[rule.owner],
                    obj=incident,
                    reference=incident_reference(incident),
                    watch_rule=rule,
                    once=True,
                )
    return made


def _clean_rule(fields: dict) -> dict:
    errors = {}
    box = [fields.get(n) for n in ("min_latitude", "max_latitude", "min_longitude", "max_longitude")]
    if any(v is not None for v in box) and None in box:
        errors["max_longitude"] = [
            ValidationError(_("Give all four edges of the box, or none."), code="box_incomplete")
        ]
    elif None not in box and box[0] > box[1]:
        errors["max_latitude"] = [
            ValidationError(_("The northern edge must be north of the southern edge."), code="box_inverted")
        ]
    if fields.get("route") and not registry.is_valid("migration_route", fields["route"]):
        errors["route"] = [ValidationError(_("Choose a route from the list."), code="unknown_code")]
    if fields.get("incident_type") and not registry.is_valid("incident_type", fields["incident_type"]):
        errors["incident_type"] = [
            ValidationError(_("Choose a type of incident from the list."), code="unknown_code")
        ]
    wrong = [code for code in fields.get("tlp") or [] if code not in TLP.values]
    if wrong:
        errors["tlp"] = [
            ValidationError(
                _("Unknown TLP markings: %(codes)s") % {"codes": ", ".join(map(str, wrong))},
                code="unknown_code",
            )
        ]
    if not str(fields.get("name", "")).strip():
        errors["name"] = [ValidationError(_("Give the rule a name."), code="required")]
    if errors:
        raise ValidationError(errors)
    return fields


WATCH_RULE_FIELDS = (
    "name",
    "active",
    "min_latitude",
    "max_latitude",
    "min_longitude",
    "max_longitude",
    "area_name",
    "route",
    "incident_type",
    "min_dead_and_missing",
    "tlp",
)


def watch_rule_save(*, acting_user, rule: WatchRule | None = None, organisation=None, **fields) -> WatchRule:
    """Create a rule of ``acting_user`` in ``organisation`` (where they read incidents), or change
    ``rule``. Refused (and logged) when they may not."""
    unknown = set(fields) - set(WATCH_RULE_FIELDS)
    if unknown:
        raise ValidationError(
            {
                "__all__": [
                    ValidationError(
                        _("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}, code="unknown_field"
                    )
                ]
            }
        )
    if rule is None:
        organisation_id = getattr(organisation, "pk", None)
        policy.require_capability(acting_user, Capability.VIEW_INCIDENTS, organisation_id)
        rule = WatchRule(owner=acting_user, organisation_id=organisation_id)
    else:
        policy.require(acting_user, policy.CHANGE, rule)
    merged = {name: getattr(rule, name) for name in WATCH_RULE_FIELDS if rule.pk}
    merged.update(fields)
    merged["tlp"] = list(dict.fromkeys(merged.get("tlp") or []))
    for name in ("area_name", "route", "incident_type"):
        merged[name] = (merged.get(name) or "").strip()
    _clean_rule(merged)
    for name, value in merged.items():
        setattr(rule, name, value)
    rule.full_clean(exclude=["owner", "organisation"])
    with transaction.atomic():
        created = rule.pk is None
        rule.save()
        audit_record(
            action=AuditAction.WATCH_RULE_CREATED if created else AuditAction.WATCH_RULE_UPDATED,
            actor=acting_user,
            obj=rule,
            detail={"fields": sorted(fields)},
        )
    return rule


def watch_rule_delete(*, acting_user, rule: WatchRule) -> None:
    policy.require(acting_user, policy.DELETE, rule)
    with transaction.atomic():
        audit_record(action=AuditAction.WATCH_RULE_DELETED, actor=acting_user, obj=rule)
        rule.delete()


# reading and preferences -------------------------------------------------------------------


def notification_mark_read(*, acting_user, notification: Notification) -> Notification:
    policy.require(acting_user, policy.CHANGE, notification)
    if notification.read_at is None:
        with transaction.atomic():
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            audit_record(action=AuditAction.NOTIFICATIONS_READ, actor=acting_user, obj=notification)
    return notification


def notifications_mark_all_read(*, acting_user) -> int:
    with transaction.atomic():
        count = Notification.objects.filter(recipient=acting_user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if count:
            audit_record(
                action=AuditAction.NOTIFICATIONS_READ,
                actor=acting_user,
                object_type="notifications.notification",
                detail={"count": count},
            )
    return count


def preferences_save(*, acting_user, channels: dict) -> None:
    """``channels``: {event: channel}. Events not named keep their current choice."""
    errors = {}
    for event, channel in channels.items():
        if event not in Event.values:
            errors[str(event)[:40]] = [ValidationError(_("Unknown event."), code="unknown_code")]
        elif channel not in Channel.values:
            errors[event] = [
                ValidationError(_("Choose inbox, e-mail, daily digest or off."), code="unknown_code")
            ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for event, channel in channels.items():
            Preference.objects.update_or_create(user=acting_user, event=event, defaults={"channel": channel})
        audit_record(
            action=AuditAction.NOTIFICATION_PREFERENCES_SAVED,
            actor=acting_user,
            object_type="notifications.preference",
            detail={"channels": {e: channels[e] for e in sorted(channels)}},
        )


# periodic scans ----------------------------------------------------------------------------


def scan_due(*, now=None) -> list[Notification]:
    """Referrals past their answer date, tasks due today or overdue, readmission answers due
    within READMISSION_WARNING_DAYS. Each is announced once to each recipient (a readmission
    deadline again when it is moved), so the scan can run every hour."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    made = []
    overdue = Referral.objects.filter(status=Referral.Status.SENT, due_at__lt=now).select_related("sent_by")
    for referral in overdue.order_by("pk"):
        receivers = members_with(Capability.RECEIVE_REFERRALS, referral.receiving_organisation_id)
        made += notify(
            event=Event.REFERRAL_OVERDUE,
            recipients=[referral.sent_by, *receivers],
            obj=referral,
            reference=referral.reference,
            once=True,
        )
    tasks = (
        Task.objects.filter(done_at__isnull=True, due_on__lte=today, case__closed_on__isnull=True)
        .select_related("assignee", "case__owner")
        .order_by("pk")
    )
    for task in tasks:
        made += notify(
            event=Event.TASK_DUE if task.due_on == today else Event.TASK_OVERDUE,
            recipients=[task.assignee or task.case.owner],
            obj=task,
            reference=task.case.reference,
            link=task.case.get_absolute_url(),
            once=True,
        )
    horizon = today + datetime.timedelta(days=READMISSION_WARNING_DAYS)
    waiting = Case.objects.filter(case_type="readmission", state="request_sent").select_related("owner")
    for case in waiting.order_by("pk"):
        due = (case.step_data or {}).get("response_deadline")
        if not due or not today.isoformat() <= due <= horizon.isoformat():
            continue
        made += notify(
            event=Event.READMISSION_DEADLINE,
            recipients=[case.owner, *members_with(Capability.SUPERVISE_CASES, case.organisation_id)],
            obj=case,
            reference=case.reference,
            detail={"due": due},
            once=True,
        )
    return made
