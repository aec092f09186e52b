"""Every write of the engagement app: policy check, validation, one transaction, one audit entry.

Refusals that protect participants (a session started with its checklist incomplete, a quote used
without quote consent, a name attributed without attribution consent, a withdrawn contribution
reused, a case link without consent) are audited as ``engagement.refused`` with a reason code
and raised as a ValidationError naming the field and why. The refusal's audit entry is written
before the raise, outside any transaction of the refused write, so it survives.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import policy, uploads
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction as A
from lindung.core.roles import Capability
from lindung.referrals import selectors as referral_selectors
from lindung.standard import registry

from . import guidance_model
from .models import (
    Compensation,
    Consent,
    Contribution,
    Engagement,
    GuidanceDocument,
    GuidanceVersion,
    GuidelineDocument,
    GuidelineVersion,
    Incident,
    Notification,
    Outcome,
    Participant,
    SafeguardingConcern,
    Session,
    SessionParticipant,
    SupportPathway,
    SupportReferral,
)

Scope = Consent.Scope


def _may_manage(acting_user, organisation_id):
    policy.require_capability(acting_user, Capability.MANAGE_ENGAGEMENT, organisation_id)


def _may_change(acting_user, obj):
    policy.require(acting_user, policy.CHANGE, obj)


def _refuse(acting_user, obj, reason: str, field: str | None, message: str):
    audit_record(action=A.ENGAGEMENT_REFUSED, actor=acting_user, obj=obj, detail={"reason": reason})
    raise ValidationError({field: [message]} if field else [message])


def _same_org(obj, organisation_id, field):
    if obj is not None and obj.organisation_id != organisation_id:
        raise ValidationError({field: [_("Choose one of your organisation's records.")]})


def _check_languages(value: str, field: str = "languages") -> str:
    codes = [c.strip().lower() for c in value.split(",") if c.strip()]
    bad = [c for c in codes if not registry.is_valid("language", c)]
    if bad:
        raise ValidationError(
            {
                field: [
                    _("Not ISO 639-3 language codes: %(codes)s (e.g. tha, mya, eng).")
                    % {"codes": ", ".join(bad)}
                ]
            }
        )
    return ", ".join(codes)


def _save(obj, acting_user, action, **detail):
    obj.full_clean()
    obj.save()
    audit_record(action=action, actor=acting_user, obj=obj, detail=detail or None)
    return obj


def _assign(obj, fields: dict):
    for name, value in fields.items():
        setattr(obj, name, value)


# guidelines and the engagement model ---------------------------------------------------------


def guideline_save(*, acting_user, organisation, document=None, **fields) -> GuidelineDocument:
    document = document or GuidelineDocument(organisation=organisation)
    _may_manage(acting_user, document.organisation_id)
    with transaction.atomic():
        _assign(document, fields)
        return _save(document, acting_user, A.ENGAGEMENT_DOCUMENT_SAVED, kind="guideline")


def guideline_version_add(*, acting_user, document, version, published_on, changes) -> GuidelineVersion:
    _may_change(acting_user, document)
    uploads.check_dates(published_on=published_on)
    if document.versions.filter(version=version.strip()).exists():
        raise ValidationError({"version": [_("This document already has a version %(v)s.") % {"v": version}]})
    with transaction.atomic():
        obj = GuidelineVersion(
            organisation_id=document.organisation_id,
            document=document,
            version=version.strip(),
            published_on=published_on,
            changes=changes,
        )
        return _save(obj, acting_user, A.ENGAGEMENT_DOCUMENT_SAVED, kind="guideline_version")


def guidance_adopt(*, acting_user, organisation, key) -> GuidanceDocument:
    """Copy a document of the engagement model into the organisation, as version 1."""
    _may_manage(acting_user, organisation.pk)
    source = guidance_model.get(key)
    if source is None:
        raise ValidationError({"key": [_("The engagement model has no document %(key)s.") % {"key": key}]})
    with transaction.atomic():
        document = GuidanceDocument.objects.create(
            organisation=organisation, kind=source.kind, model_key=source.key, title=source.title("en")
        )
        for language, body in source.texts().items():
            GuidanceVersion.objects.create(
                organisation=organisation,
                document=document,
                number=1,
                language=language,
                title=source.title(language),
                body=body,
                change_note=_("Adopted from the engagement model"),
                created_by=acting_user,
            )
        audit_record(
            action=A.ENGAGEMENT_DOCUMENT_SAVED,
            actor=acting_user,
            obj=document,
            detail={"kind": "guidance_adopted", "model_key": key},
        )
    return document


def guidance_version_save(
    *, acting_user, document, language, title, body, change_note="", new_version=True
) -> GuidanceVersion:
    """A new version (an adaptation), or a translation of the latest version (``new_version=False``)."""
    _may_change(acting_user, document)
    latest = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    number = latest + 1 if new_version or latest == 0 else latest
    if document.versions.filter(number=number, language=language).exists():
        raise ValidationError(
            {
                "language": [
                    _("Version %(n)s already exists in this language: save a new version instead.")
                    % {"n": number}
                ]
            }
        )
    with transaction.atomic():
        version = GuidanceVersion(
            organisation_id=document.organisation_id,
            document=document,
            number=number,
            language=language,
            title=title,
            body=body,
            change_note=change_note,
            created_by=acting_user,
        )
        version.full_clean()
        version.save()
        if title != document.title and language == "en":
            document.title = title
            document.save(update_fields=["title"])
        audit_record(
            action=A.ENGAGEMENT_DOCUMENT_SAVED,
            actor=acting_user,
            obj=version,
            detail={"kind": "guidance_version", "number": number, "language": language},
        )
    return version


def export_recorded(*, acting_user, obj, what: str, fmt: str, count: int | None = None) -> None:
    """Audit an export or a produced report (ids, format and counts only)."""
    detail = {"what": what, "format": fmt}
    if count is not None:
        detail["count"] = count
    audit_record(action=A.ENGAGEMENT_EXPORTED, actor=acting_user, obj=obj, detail=detail)


def pathway_save(*, acting_user, organisation, pathway=None, **fields) -> SupportPathway:
    pathway = pathway or SupportPathway(organisation=organisation)
    _may_manage(acting_user, pathway.organisation_id)
    if fields.get("languages"):
        fields["languages"] = _check_languages(fields["languages"])
    service = fields.get("directory_service")
    if (
        service is not None
        and not referral_selectors.services_visible(acting_user).filter(pk=service.pk).exists()
    ):
        raise ValidationError(
            {"directory_service": [_("Choose a service of the referral directory you can see.")]}
        )
    with transaction.atomic():
        _assign(pathway, fields)
        return _save(pathway, acting_user, A.RECORD_UPDATED if pathway.pk else A.RECORD_CREATED)


# engagements and sessions --------------------------------------------------------------------


def engagement_save(*, acting_user, organisation, engagement=None, **fields) -> Engagement:
    engagement = engagement or Engagement(organisation=organisation)
    _may_manage(acting_user, engagement.organisation_id)
    _same_org(fields.get("guideline"), engagement.organisation_id, "guideline")
    lead = fields.get("safeguarding_lead")
    if lead is not None and not policy.has_capability(
        lead, Capability.MANAGE_ENGAGEMENT, engagement.organisation_id
    ):
        raise ValidationError(
            {
                "safeguarding_lead": [
                    _("The safeguarding lead must be an engagement coordinator of this organisation.")
                ]
            }
        )
    with transaction.atomic():
        _assign(engagement, fields)
        return _save(engagement, acting_user, A.ENGAGEMENT_SAVED)


def session_save(*, acting_user, engagement, session=None, facilitators=(), **fields) -> Session:
    session = session or Session(organisation_id=engagement.organisation_id, engagement=engagement)
    _may_change(acting_user, engagement)
    if session.status in (Session.Status.COMPLETED, Session.Status.CANCELLED):
        raise ValidationError(_("This session is closed and can no longer be changed."))
    fields["languages"] = _check_languages(fields.get("languages", ""))
    if not fields["languages"]:
        raise ValidationError({"languages": [_("Give at least one language of the session.")]})
    if fields.get("ends_at") and fields.get("starts_at") and fields["ends_at"] <= fields["starts_at"]:
        raise ValidationError({"ends_at": [_("The end must be after the start.")]})
    for user in facilitators:
        if not policy.has_capability(user, Capability.MANAGE_ENGAGEMENT, engagement.organisation_id):
            raise ValidationError(
                {"facilitators": [_("Facilitators must be engagement coordinators of this organisation.")]}
            )
    with transaction.atomic():
        _assign(session, fields)
        _save(session, acting_user, A.ENGAGEMENT_SESSION_SAVED)
        session.facilitators.set(facilitators)
    return session


def checklist_update(*, acting_user, session, support_pathways=(), **checks) -> Session:
    _may_change(acting_user, session)
    if session.status != Session.Status.PLANNED:
        raise ValidationError(_("The checklist is fixed once the session has started."))
    for pathway in support_pathways:
        _same_org(pathway, session.organisation_id, "support_pathways")
    known = {field for field, _label in Session.CHECKLIST}
    with transaction.atomic():
        for field, value in checks.items():
            if field not in known:
                raise ValidationError({field: [_("Not a checklist item.")]})
            setattr(session, field, bool(value))
        session.checklist_updated_by = acting_user
        session.checklist_updated_at = timezone.now()
        session.save()
        session.support_pathways.set(support_pathways)
        audit_record(
            action=A.ENGAGEMENT_CHECKLIST_UPDATED,
            actor=acting_user,
            obj=session,
            detail={"missing": len(session.checklist_missing())},
        )
    return session


def session_start(*, acting_user, session) -> Session:
    _may_change(acting_user, session)
    if session.status != Session.Status.PLANNED:
        raise ValidationError(_("Only a planned session can start."))
    missing = session.checklist_missing()
    if missing:
        _refuse(
            acting_user,
            session,
            "checklist_incomplete",
            None,
            _("The session cannot start: the pre-session checklist is incomplete (%(items)s).")
            % {"items": "; ".join(missing)},
        )
    with transaction.atomic():
        session.status = Session.Status.IN_PROGRESS
        session.started_at = timezone.now()
        session.save(update_fields=["status", "started_at"])
        if session.engagement.status == Engagement.Status.PLANNED:
            session.engagement.status = Engagement.Status.ACTIVE
            session.engagement.save(update_fields=["status"])
        audit_record(action=A.ENGAGEMENT_SESSION_STARTED, actor=acting_user, obj=session)
    return session


def session_debrief(*, acting_user, session, debrief) -> Session:
    _may_change(acting_user, session)
    if session.status != Session.Status.IN_PROGRESS:
        raise ValidationError(_("Only a session in progress can be debriefed and closed."))
    if not debrief.strip():
        raise ValidationError({"debrief": [_("Write the debrief: how it went, concerns, follow-up.")]})
    with transaction.atomic():
        session.debrief = debrief
        session.debriefed_at = timezone.now()
        session.ends_at = session.ends_at or session.debriefed_at
        session.status = Session.Status.COMPLETED
        session.save()
        audit_record(action=A.ENGAGEMENT_SESSION_DEBRIEFED, actor=acting_user, obj=session)
    return session


# participants and consent --------------------------------------------------------------------


def participant_save(*, acting_user, organisation, participant=None, **fields) -> Participant:
    participant = participant or Participant(organisation=organisation)
    _may_manage(acting_user, participant.organisation_id)
    if set(Participant.CONTACT_FIELDS) & set(fields):
        policy.require_capability(
            acting_user, Capability.VIEW_PARTICIPANT_CONTACT, participant.organisation_id
        )
    with transaction.atomic():
        _assign(participant, fields)
        return _save(participant, acting_user, A.ENGAGEMENT_PARTICIPANT_SAVED, fields=sorted(fields))


def participant_link_case(*, acting_user, participant, case_reference, case_organisation) -> Participant:
    _may_change(acting_user, participant)
    if not participant.has_consent(Scope.LINK_TO_CASE):
        _refuse(
            acting_user,
            participant,
            "no_link_to_case_consent",
            "case_reference",
            _("The participant has not consented to linking their participation to a case."),
        )
    with transaction.atomic():
        participant.case_reference = case_reference.strip()
        participant.case_organisation = case_organisation
        participant.save(update_fields=["case_reference", "case_organisation"])
        audit_record(
            action=A.ENGAGEMENT_CASE_LINKED,
            actor=acting_user,
            obj=participant,
            detail={"case_organisation": case_organisation.pk if case_organisation else None},
        )
    return participant


def consent_give(*, acting_user, participant, scope, information_sheet, method, given_on) -> Consent:
    _may_change(acting_user, participant)
    if scope not in Scope.values:
        raise ValidationError({"scope": [_("Unknown use.")]})
    if (
        information_sheet.organisation_id != participant.organisation_id
        or information_sheet.document.kind
        not in (GuidanceDocument.Kind.INFORMATION_SHEET, GuidanceDocument.Kind.CONSENT_FORM)
    ):
        raise ValidationError(
            {"information_sheet": [_("Choose one of your organisation's information sheets.")]}
        )
    uploads.check_dates(given_on=given_on)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": [_("Consent cannot be dated in the future.")]})
    if participant.has_consent(scope):
        raise ValidationError({"scope": [_("This consent is already given and not withdrawn.")]})
    if scope != Scope.PARTICIPATION and not participant.has_consent(Scope.PARTICIPATION):
        raise ValidationError({"scope": [_("Record consent to take part first.")]})
    with transaction.atomic():
        consent = Consent.objects.create(
            organisation_id=participant.organisation_id,
            participant=participant,
            scope=scope,
            information_sheet=information_sheet,
            method=method,
            given_on=given_on,
            recorded_by=acting_user,
        )
        audit_record(
            action=A.ENGAGEMENT_CONSENT_GIVEN,
            actor=acting_user,
            obj=consent,
            detail={"scope": scope, "participant": participant.pk},
        )
    return consent


def _erase(contributions, because: str) -> int:
    now = timezone.now()
    count = 0
    for contribution in contributions.exclude(status=Contribution.Status.WITHDRAWN):
        contribution.text = None
        contribution.public_text = None
        contribution.attribute_name = False
        contribution.status = Contribution.Status.WITHDRAWN
        contribution.withdrawn_at = now
        contribution.withdrawn_because = because
        contribution.save()
        count += 1
    return count


def consent_withdraw(*, acting_user, consent, withdrawn_on=None) -> dict:
    """Withdraw one consent and act on it everywhere; returns what changed (counts)."""
    _may_change(acting_user, consent)
    withdrawn_on = withdrawn_on or timezone.localdate()
    uploads.check_dates(withdrawn_on=withdrawn_on)
    if withdrawn_on < consent.given_on or withdrawn_on > timezone.localdate():
        raise ValidationError(
            {"withdrawn_on": [_("The withdrawal date must be between the consent date and today.")]}
        )
    participant = consent.participant
    with transaction.atomic():
        # Lock the row: two people withdrawing the same consent at once must not both act on it.
        if Consent.objects.select_for_update().get(pk=consent.pk).withdrawn_on is not None:
            raise ValidationError(_("This consent was already withdrawn."))
        # Withdrawing participation withdraws every other use as well.
        to_close = participant.consents.active()
        if consent.scope != Scope.PARTICIPATION:
            to_close = to_close.filter(pk=consent.pk)
        scopes = sorted(to_close.values_list("scope", flat=True))
        to_close.update(withdrawn_on=withdrawn_on, withdrawn_recorded_by=acting_user)
        consent.refresh_from_db()
        changes = _apply_withdrawal(participant, scopes)
        audit_record(
            action=A.ENGAGEMENT_CONSENT_WITHDRAWN,
            actor=acting_user,
            obj=consent,
            detail={"scopes": scopes, "participant": participant.pk, **changes},
        )
        _notify_withdrawal(participant, scopes, changes)
    return changes


def _apply_withdrawal(participant, scopes) -> dict:
    contributions = participant.contributions.all()
    changes = {"removed": 0, "anonymised": 0, "case_unlinked": False}
    if Scope.PARTICIPATION in scopes:
        changes["removed"] = _erase(contributions, Scope.PARTICIPATION)
    elif Scope.QUOTES in scopes:
        changes["removed"] = _erase(contributions.filter(kind=Contribution.Kind.QUOTE), Scope.QUOTES)
    if Scope.NAME_ATTRIBUTION in scopes:
        changes["anonymised"] = contributions.filter(attribute_name=True).update(attribute_name=False)
    if Scope.LINK_TO_CASE in scopes and participant.case_reference:
        participant.case_reference = ""
        participant.case_organisation = None
        participant.save(update_fields=["case_reference", "case_organisation"])
        changes["case_unlinked"] = True
    return changes


def _notify_withdrawal(participant, scopes, changes):
    labels = ", ".join(str(Scope(s).label) for s in scopes)
    parts = [
        _("Participant %(code)s withdrew consent: %(uses)s.") % {"code": participant.code, "uses": labels}
    ]
    if changes["removed"]:
        parts.append(
            _("%(n)s contribution(s) removed from every view, report and export.") % {"n": changes["removed"]}
        )
    if changes["anonymised"]:
        parts.append(_("%(n)s quote(s) no longer carry their name.") % {"n": changes["anonymised"]})
    if changes["case_unlinked"]:
        parts.append(_("The link to their case was removed; tell the case holder."))
    if Scope.RECORDING in scopes:
        parts.append(_("Delete their parts of any recording and transcript."))
    if Scope.FUTURE_CONTACT in scopes:
        parts.append(_("Do not contact them about future activities."))
    message = " ".join(parts)
    engagement_ids = set(participant.attendance.values_list("session__engagement_id", flat=True))
    for engagement_id in engagement_ids or {None}:
        Notification.objects.create(
            organisation_id=participant.organisation_id,
            engagement_id=engagement_id,
            kind=Notification.Kind.WITHDRAWAL,
            message=message,
        )


def attendance_add(*, acting_user, session, participant) -> SessionParticipant:
    _may_change(acting_user, session)
    _same_org(participant, session.organisation_id, "participant")
    if not participant.has_consent(Scope.PARTICIPATION):
        _refuse(
            acting_user,
            participant,
            "no_participation_consent",
            "participant",
            _("%(code)s has not consented to take part.") % {"code": participant.code},
        )
    if session.attendance.filter(participant=participant).exists():
        raise ValidationError(
            {"participant": [_("%(code)s is already in this session.") % {"code": participant.code}]}
        )
    with transaction.atomic():
        row = SessionParticipant.objects.create(
            organisation_id=session.organisation_id, session=session, participant=participant
        )
        audit_record(
            action=A.RECORD_CREATED,
            actor=acting_user,
            obj=row,
            detail={"session": session.pk, "participant": participant.pk},
        )
    return row


# contributions and outcomes ------------------------------------------------------------------


def contribution_record(*, acting_user, session, kind, text, theme="", participant=None) -> Contribution:
    _may_change(acting_user, session)
    if session.status != Session.Status.IN_PROGRESS and not (
        session.status == Session.Status.COMPLETED and kind == Contribution.Kind.NOTE
    ):
        raise ValidationError(_("Contributions are captured while the session is in progress."))
    if kind in (Contribution.Kind.FEEDBACK, Contribution.Kind.QUOTE) and not theme:
        raise ValidationError({"theme": [_("Tag feedback and quotes with a theme.")]})
    if kind == Contribution.Kind.QUOTE and participant is None:
        raise ValidationError(
            {"participant": [_("A quote needs the participant who said it (to check consent).")]}
        )
    if participant is not None:
        _same_org(participant, session.organisation_id, "participant")
        if not session.attendance.filter(participant=participant).exists():
            raise ValidationError(
                {"participant": [_("%(code)s is not in this session.") % {"code": participant.code}]}
            )
        if not participant.has_consent(Scope.PARTICIPATION):
            _refuse(
                acting_user,
                participant,
                "no_participation_consent",
                "participant",
                _("%(code)s has withdrawn consent to take part: nothing more can be recorded from them.")
                % {"code": participant.code},
            )
    if not text.strip():
        raise ValidationError({"text": [_("Write what was said.")]})
    with transaction.atomic():
        contribution = Contribution(
            organisation_id=session.organisation_id,
            session=session,
            participant=participant,
            kind=kind,
            theme=theme,
            text=text,
            recorded_by=acting_user,
        )
        return _save(contribution, acting_user, A.ENGAGEMENT_CONTRIBUTION_SAVED, kind=kind)


def _refuse_if_withdrawn(acting_user, contribution):
    if contribution.status == Contribution.Status.WITHDRAWN:
        _refuse(
            acting_user,
            contribution,
            "withdrawn_contribution",
            None,
            _("This contribution was withdrawn by the participant and cannot be used again."),
        )


def contribution_clear(
    *, acting_user, contribution, public_text, identifying_details_removed, attribute_name=False
) -> Contribution:
    """The review step: cleared wording, stripped of identifying details, checked against consent."""
    _may_change(acting_user, contribution)
    _refuse_if_withdrawn(acting_user, contribution)
    if contribution.kind == Contribution.Kind.NOTE:
        raise ValidationError(_("Notes are internal and are never cleared for use."))
    participant = contribution.participant
    if contribution.kind == Contribution.Kind.QUOTE and not participant.has_consent(Scope.QUOTES):
        _refuse(
            acting_user,
            contribution,
            "no_quote_consent",
            None,
            _("This quote cannot be used: %(code)s has not given (or has withdrawn) consent to be quoted.")
            % {"code": participant.code},
        )
    if attribute_name:
        if participant is None or contribution.kind != Contribution.Kind.QUOTE:
            raise ValidationError({"attribute_name": [_("Only a quote can be attributed to a person.")]})
        if not participant.has_consent(Scope.NAME_ATTRIBUTION):
            _refuse(
                acting_user,
                contribution,
                "no_attribution_consent",
                "attribute_name",
                _(
                    "The name cannot be attributed: %(code)s has not given (or has withdrawn) "
                    "consent to be named."
                )
                % {"code": participant.code},
            )
        if not participant.name:
            raise ValidationError(
                {
                    "attribute_name": [
                        _("%(code)s has no name recorded to attribute.") % {"code": participant.code}
                    ]
                }
            )
    if not identifying_details_removed:
        raise ValidationError(
            {
                "identifying_details_removed": [
                    _("Confirm that names, places, dates and other identifying details have been removed.")
                ]
            }
        )
    if not public_text.strip():
        raise ValidationError({"public_text": [_("Write the wording cleared for use.")]})
    with transaction.atomic():
        contribution.public_text = public_text
        contribution.attribute_name = attribute_name
        contribution.status = Contribution.Status.CLEARED
        contribution.reviewed_by = acting_user
        contribution.reviewed_at = timezone.now()
        contribution.save()
        audit_record(
            action=A.ENGAGEMENT_CONTRIBUTION_CLEARED,
            actor=acting_user,
            obj=contribution,
            detail={"kind": contribution.kind, "attribute_name": attribute_name},
        )
    return contribution


def contribution_withdraw(*, acting_user, contribution) -> Contribution:
    """Withdraw one contribution (the participant asked, or the reviewer rejects it)."""
    _may_change(acting_user, contribution)
    _refuse_if_withdrawn(acting_user, contribution)
    with transaction.atomic():
        _erase(type(contribution).objects.filter(pk=contribution.pk), "request")
        audit_record(action=A.ENGAGEMENT_CONTRIBUTION_WITHDRAWN, actor=acting_user, obj=contribution)
    contribution.refresh_from_db()
    return contribution


def outcome_record(
    *, acting_user, contribution, kind, description, decided_on, guideline_version=None
) -> Outcome:
    _may_change(acting_user, contribution)
    _refuse_if_withdrawn(acting_user, contribution)
    if contribution.kind == Contribution.Kind.NOTE:
        raise ValidationError(_("Link a feedback item or a quote, not an internal note."))
    if kind == Outcome.Kind.GUIDELINE_CHANGE and guideline_version is None:
        raise ValidationError(
            {"guideline_version": [_("Choose the guideline version that carries the change.")]}
        )
    if kind == Outcome.Kind.DECISION and guideline_version is not None:
        raise ValidationError(
            {"guideline_version": [_("A decision is not a guideline change: leave this empty.")]}
        )
    _same_org(guideline_version, contribution.organisation_id, "guideline_version")
    if decided_on > timezone.localdate() + datetime.timedelta(days=366):
        raise ValidationError({"decided_on": [_("Give the date of the decision (at most a year ahead).")]})
    with transaction.atomic():
        outcome = Outcome(
            organisation_id=contribution.organisation_id,
            contribution=contribution,
            kind=kind,
            description=description,
            guideline_version=guideline_version,
            decided_on=decided_on,
            recorded_by=acting_user,
        )
        return _save(
            outcome, acting_user, A.ENGAGEMENT_OUTCOME_SAVED, kind=kind, contribution=contribution.pk
        )


# safeguards ----------------------------------------------------------------------------------


def _notify_lead(engagement, kind, message):
    Notification.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        recipient=engagement.safeguarding_lead,
        kind=kind,
        message=message,
    )


def concern_record(
    *,
    acting_user,
    session,
    severity,
    description,
    action_taken,
    pathway,
    participant=None,
    session_paused=False,
    follow_up_on=None,
) -> SafeguardingConcern:
    """The distress protocol: record the concern and the referral to a support pathway together."""
    _may_change(acting_user, session)
    _same_org(participant, session.organisation_id, "participant")
    _same_org(pathway, session.organisation_id, "pathway")
    if session.status != Session.Status.IN_PROGRESS:
        raise ValidationError(_("The distress protocol applies during a session; use an incident otherwise."))
    with transaction.atomic():
        concern = SafeguardingConcern(
            organisation_id=session.organisation_id,
            session=session,
            participant=participant,
            severity=severity,
            description=description,
            action_taken=action_taken,
            session_paused=session_paused,
            raised_by=acting_user,
        )
        concern.full_clean()
        concern.save()
        referral = SupportReferral.objects.create(
            organisation_id=session.organisation_id,
            concern=concern,
            pathway=pathway,
            follow_up_on=follow_up_on,
        )
        audit_record(
            action=A.ENGAGEMENT_SAFEGUARDING_RECORDED,
            actor=acting_user,
            obj=concern,
            detail={"severity": severity, "referral": referral.pk},
        )
        _notify_lead(
            session.engagement,
            Notification.Kind.CONCERN,
            _("Safeguarding concern (%(severity)s) in session %(session)s; referral made to %(pathway)s.")
            % {"severity": concern.get_severity_display(), "session": session.title, "pathway": pathway.name},
        )
    return concern


def referral_update(*, acting_user, referral, status, follow_up_on=None) -> SupportReferral:
    """Follow-up of a referral made under the distress protocol."""
    _may_change(acting_user, referral)
    uploads.check_dates(follow_up_on=follow_up_on)
    if status not in SupportReferral.Status.values:
        raise ValidationError({"status": [_("Unknown referral status.")]})
    with transaction.atomic():
        referral.status = status
        referral.follow_up_on = follow_up_on
        referral.save(update_fields=["status", "follow_up_on"])
        audit_record(
            action=A.ENGAGEMENT_SAFEGUARDING_RECORDED,
            actor=acting_user,
            obj=referral,
            detail={"kind": "referral", "status": status},
        )
    return referral


def incident_report(*, acting_user, engagement, severity, description, occurred_on, session=None) -> Incident:
    _may_change(acting_user, engagement)
    if session is not None and session.engagement_id != engagement.pk:
        raise ValidationError({"session": [_("Choose a session of this engagement.")]})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": [_("An incident cannot be in the future.")]})
    uploads.check_dates(occurred_on=occurred_on)  # the future is refused above; this adds before 1900
    with transaction.atomic():
        incident = Incident(
            organisation_id=engagement.organisation_id,
            engagement=engagement,
            session=session,
            severity=severity,
            description=description,
            occurred_on=occurred_on,
            reported_by=acting_user,
            reported_to=engagement.safeguarding_lead,
        )
        _save(incident, acting_user, A.ENGAGEMENT_SAFEGUARDING_RECORDED, severity=severity, kind="incident")
        _notify_lead(
            engagement,
            Notification.Kind.INCIDENT,
            _("Incident reported (%(severity)s) on %(date)s: read it on the engagement page.")
            % {"severity": incident.get_severity_display(), "date": occurred_on.isoformat()},
        )
    return incident


def compensation_record(
    *, acting_user, session, participant, kind, amount, currency, method, paid_on
) -> Compensation:
    _may_change(acting_user, session)
    _same_org(participant, session.organisation_id, "participant")
    if not session.attendance.filter(participant=participant).exists():
        raise ValidationError(
            {"participant": [_("%(code)s is not in this session.") % {"code": participant.code}]}
        )
    currency = currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError({"currency": [_("Use a three-letter ISO 4217 currency code, e.g. THB.")]})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": [_("A payment cannot be in the future.")]})
    with transaction.atomic():
        row = Compensation(
            organisation_id=session.organisation_id,
            session=session,
            participant=participant,
            kind=kind,
            amount=amount,
            currency=currency,
            method=method,
            paid_on=paid_on,
            recorded_by=acting_user,
        )
        return _save(row, acting_user, A.ENGAGEMENT_COMPENSATION_RECORDED, kind=kind, currency=currency)


def notification_mark_read(*, acting_user, notification) -> Notification:
    _may_change(acting_user, notification)
    with transaction.atomic():
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(action=A.RECORD_UPDATED, actor=acting_user, obj=notification, detail={"read": True})
    return notification
