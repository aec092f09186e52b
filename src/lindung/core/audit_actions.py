"""The one enumerated list of audit actions, for every app.

Adding an action is a one-line change here; the audit log refuses any action not listed, so the
log stays searchable by a closed vocabulary.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # authentication and access
    LOGIN = "auth.login", _("Signed in")
    LOGIN_FAILED = "auth.login_failed", _("Failed sign-in")
    LOCKED_OUT = "auth.locked_out", _("Locked out after failed sign-ins")
    LOGOUT = "auth.logout", _("Signed out")
    SESSION_EXPIRED = "auth.session_expired", _("Session expired")
    OTP_DEVICE_ADDED = "auth.otp_added", _("Two-factor device added")
    OTP_VERIFIED = "auth.otp_verified", _("Two-factor code accepted")
    OTP_FAILED = "auth.otp_failed", _("Two-factor code refused")
    TOKEN_CREATED = "auth.token_created", _("API token created")
    TOKEN_REVOKED = "auth.token_revoked", _("API token revoked")
    TOKEN_REFUSED = "auth.token_refused", _("API token refused")
    CSRF_REFUSED = "auth.csrf_refused", _("Request refused: CSRF check failed")
    LOGIN_THROTTLED = "auth.login_throttled", _("Sign-in refused: too many failures from one address")
    PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
    PASSWORD_CHANGE_FAILED = (
        "auth.password_change_failed",
        _("Password change refused: wrong current password"),
    )
    PASSWORD_RESET = "auth.password_reset", _("Password reset by an administrator")
    DIGEST_REPLAY_REFUSED = "auth.digest_replayed", _("Phone sign-in refused: a Digest answer replayed")
    ACCESS_DENIED = "policy.denied", _("Access refused by the policy")
    # organisations, users, roles, keys
    ORGANISATION_CREATED = "org.created", _("Organisation created")
    ORGANISATION_UPDATED = "org.updated", _("Organisation updated")
    USER_CREATED = "user.created", _("User created")
    USER_UPDATED = "user.updated", _("User updated")
    MEMBERSHIP_GRANTED = "user.role_granted", _("Role granted")
    MEMBERSHIP_REVOKED = "user.role_revoked", _("Role revoked")
    SHARING_GROUP_CREATED = "sharing.group_created", _("Sharing group created")
    SHARING_GROUP_UPDATED = "sharing.group_updated", _("Sharing group updated")
    OBJECT_SHARED = "sharing.object_shared", _("Record shared")
    OBJECT_SHARE_REVOKED = "sharing.share_revoked", _("Record sharing revoked")
    KEYS_ROTATED = "keys.rotated", _("Encryption keys rotated")
    DEMO_LOADED = "demo.loaded", _("Demo data loaded")
    AUDIT_PURGED = "audit.purged", _("Old audit entries removed under the retention period")
    JOB_RETRIED = "core.job_retried", _("Failed background job queued again")
    # personal data
    PERSONAL_DATA_VIEWED = "personal.viewed", _("Personal data viewed")
    PERSONAL_DATA_EXPORTED = "personal.exported", _("Personal data exported")
    PERSONAL_DATA_SEARCHED = "personal.searched", _("Personal data searched")
    # standard (issue 3): add below this line
    STANDARD_VALIDATED = "standard.validated", _("File validated against the data standard")
    STANDARD_IMPORTED = "standard.imported", _("File imported into the standard's records")
    STANDARD_IMPORT_REJECTED = "standard.import_rejected", _("Import refused: the file has errors")
    STANDARD_IMPORT_FAILED = "standard.import_failed", _("Import failed")
    STANDARD_RECORDS_EXPORTED = "standard.records_exported", _("Standard records exported")
    # cases (issue 4): add below this line
    PERSON_REGISTERED = "cases.person_registered", _("Person registered")
    PERSON_UPDATED = "cases.person_updated", _("Person updated")
    PERSON_VULNERABILITIES_ADDED = (
        "cases.person_vulnerabilities_added",
        _("Vulnerabilities added to a person"),
    )
    PERSON_ERASED = "cases.person_erased", _("Person erased on request")
    CASE_OPENED = "cases.case_opened", _("Case opened")
    CASE_UPDATED = "cases.case_updated", _("Case updated")
    CASE_TRANSITIONED = "cases.case_transitioned", _("Case moved to another step")
    CASE_ASSIGNED = "cases.case_assigned", _("Case assigned")
    CASE_LEGAL_HOLD = "cases.legal_hold", _("Case legal hold changed")
    CONSENT_RECORDED = "cases.consent_recorded", _("Consent recorded")
    CONSENT_WITHDRAWN = "cases.consent_withdrawn", _("Consent withdrawn")
    CASE_NEED_RECORDED = "cases.need_recorded", _("Need recorded")
    CASE_SERVICE_RECORDED = "cases.service_recorded", _("Service given recorded")
    CASE_NOTE_ADDED = "cases.note_added", _("Case note added")
    CASE_ATTACHMENT_ADDED = "cases.attachment_added", _("Attachment added")
    CASE_TASK_CREATED = "cases.task_created", _("Task created")
    CASE_TASK_DONE = "cases.task_done", _("Task completed")
    CASE_PLACEMENT_RECORDED = "cases.placement_recorded", _("Placement recorded")
    CHILD_DETENTION_REFUSED = "cases.child_detention_refused", _("Detention of a child refused")
    CASE_VISIT_RECORDED = "cases.visit_recorded", _("Monitoring visit recorded")
    CASE_CHECKIN_RECORDED = "cases.checkin_recorded", _("Compliance check-in recorded")
    RISK_ASSESSMENT_RECORDED = "cases.risk_assessment_recorded", _("Risk-on-return assessment recorded")
    RISK_ASSESSMENT_SIGNED_OFF = "cases.risk_assessment_signed_off", _("Risk-on-return assessment signed off")
    RISK_DECISION_RECORDED = "cases.risk_decision_recorded", _("Decision on a risk on return recorded")
    RETURN_DEPARTURE_REFUSED = (
        "cases.return_departure_refused",
        _("Departure refused by the return safeguards"),
    )
    TRANSFER_AGREEMENT_CREATED = "cases.agreement_created", _("Transfer agreement created")
    CASE_TRANSFERRED_OUT = "cases.transferred_out", _("Case transferred to another organisation")
    CASE_TRANSFERRED_IN = "cases.transferred_in", _("Case received from another organisation")
    RETENTION_ANONYMISED = "cases.retention_anonymised", _("Case anonymised at the end of retention")
    RETENTION_DELETED = "cases.retention_deleted", _("Case deleted at the end of retention")
    RETENTION_RUN = "cases.retention_run", _("Retention job run")
    # screening and referrals (issue 5): add below this line
    SCREENING_INSTRUMENT_IMPORTED = (
        "screening.instrument_imported",
        _("Screening instrument imported (XLSForm)"),
    )
    SCREENING_INSTRUMENT_EXPORTED = (
        "screening.instrument_exported",
        _("Screening instrument exported (XLSForm)"),
    )
    SCREENING_INSTRUMENT_EDITED = "screening.instrument_edited", _("Screening instrument draft edited")
    SCREENING_INSTRUMENT_PUBLISHED = (
        "screening.instrument_published",
        _("Screening instrument version published"),
    )
    SCREENING_INTERVIEW_STARTED = "screening.interview_started", _("Screening interview started")
    SCREENING_INTERVIEW_SAVED = "screening.interview_saved", _("Screening interview answers saved")
    SCREENING_INTERVIEW_COMPLETED = (
        "screening.interview_completed",
        _("Screening completed and profile computed"),
    )
    SCREENING_INTERVIEW_LINKED = "screening.interview_linked", _("Screening interview linked to a person")
    SCREENING_SUBMISSION_RECEIVED = "screening.submission_received", _("OpenRosa submission received")
    SCREENING_SUBMISSION_REFUSED = "screening.submission_refused", _("OpenRosa submission refused")
    SCREENING_OPENROSA_CREDENTIAL_SET = "screening.openrosa_secret_set", _("OpenRosa (phone) secret set")
    DIRECTORY_SERVICE_SAVED = "referrals.service_saved", _("Directory service saved")
    DIRECTORY_EXPORTED = "referrals.directory_exported", _("Directory of services exported (CSV, HXL)")
    REFERRAL_SENT = "referrals.sent", _("Referral sent")
    REFERRAL_REFUSED = "referrals.refused", _("Referral refused (consent or service mismatch)")
    REFERRAL_ACCEPTED = "referrals.accepted", _("Referral accepted")
    REFERRAL_DECLINED = "referrals.declined", _("Referral declined")
    REFERRAL_SERVICE_RECORDED = "referrals.service_recorded", _("Service given for a referral recorded")
    REFERRAL_WITHDRAWN = "referrals.withdrawn", _("Referral withdrawn")
    REFERRAL_PRINTED = "referrals.printed", _("Referral form printed (PDF)")
    # maritime and sharing (issue 6): add below this line
    SHARING_PEER_CREATED = "sharing.peer_created", _("Peer node registered")
    SHARING_PEER_UPDATED = "sharing.peer_updated", _("Peer node updated")
    SHARING_AGREEMENT_CREATED = "sharing.agreement_created", _("Sharing agreement recorded")
    SHARING_AGREEMENT_REVOKED = "sharing.agreement_revoked", _("Sharing agreement revoked")
    SHARING_EXCHANGE_SERVED = "sharing.exchange_served", _("Objects served to a peer node")
    SHARING_EXCHANGE_RECEIVED = "sharing.exchange_received", _("Objects received from a peer node")
    SHARING_EXCHANGE_REFUSED = "sharing.exchange_refused", _("Exchange with a peer node refused")
    SHARING_STIX_EXPORTED = "sharing.stix_exported", _("STIX bundle exported")
    SHARING_RETENTION_PURGED = "sharing.retention_purged", _("Received objects past retention deleted")
    INCIDENT_CREATED = "maritime.incident_created", _("Incident at sea recorded")
    INCIDENT_UPDATED = "maritime.incident_updated", _("Incident at sea updated")
    INCIDENT_REFUSED = "maritime.incident_refused", _("Incident refused: invalid input")
    INCIDENTS_IMPORTED = "maritime.incidents_imported", _("Public incident data imported")
    INCIDENTS_IMPORT_REFUSED = "maritime.import_refused", _("Incident data file refused")
    INCIDENTS_EXPORTED = "maritime.incidents_exported", _("Incidents exported (GeoJSON, CSV)")
    VESSEL_CREATED = "maritime.vessel_created", _("Vessel recorded")
    VESSEL_UPDATED = "maritime.vessel_updated", _("Vessel updated")
    INCIDENT_ATTACHMENT_ADDED = "maritime.attachment_added", _("Attachment added to an incident")
    SCREENING_BATCH_OPENED = "maritime.screening_batch_opened", _("Screenings opened for persons on board")
    INCIDENT_EVENT_MERGED = "maritime.event_merged", _("Incident reports merged as one event")
    INCIDENT_EVENT_KEPT_APART = "maritime.event_kept_apart", _("Incident reports kept apart")
    # stats (issue 7): add below this line
    STATS_SETTINGS_UPDATED = "stats.settings_updated", _("Disclosure settings changed")
    STATS_RELEASE_CREATED = "stats.release_created", _("Statistical release frozen")
    STATS_PRIVACY_BUDGET_SPENT = "stats.privacy_budget_spent", _("Privacy budget spent on a noisy table")
    STATS_MICRODATA_EXPORTED = "stats.microdata_exported", _("k-anonymised records exported")
    # frameworks (issue 8): add below this line
    FRAMEWORK_INSTRUMENT_CREATED = "frameworks.instrument_created", _("Framework instrument created")
    FRAMEWORK_INSTRUMENT_UPDATED = "frameworks.instrument_updated", _("Framework instrument updated")
    FRAMEWORK_INSTRUMENT_VERIFIED = "frameworks.instrument_verified", _("Framework instrument verified")
    FRAMEWORK_PARTY_STATUS_RECORDED = "frameworks.party_status", _("Country status in an instrument recorded")
    FRAMEWORK_DOCUMENT_ATTACHED = "frameworks.document_attached", _("Document attached to an instrument")
    FRAMEWORK_PROVISION_SAVED = "frameworks.provision_saved", _("Provision saved")
    FRAMEWORK_RECOMMENDATION_SAVED = "frameworks.recommendation_saved", _("Recommendation or practice saved")
    FRAMEWORK_INSTRUMENTS_IMPORTED = "frameworks.imported", _("Framework instruments imported")
    FRAMEWORK_EXPORTED = "frameworks.exported", _("Framework matrix or report exported")
    FRAMEWORK_REFERENCE_LOADED = "frameworks.reference_loaded", _("Framework reference data loaded")
    # engagement (issue 9): add below this line
    ENGAGEMENT_SAVED = "engagement.saved", _("Engagement saved")
    ENGAGEMENT_SESSION_SAVED = "engagement.session_saved", _("Engagement session saved")
    ENGAGEMENT_CHECKLIST_UPDATED = "engagement.checklist_updated", _("Pre-session checklist updated")
    ENGAGEMENT_SESSION_STARTED = "engagement.session_started", _("Engagement session started")
    ENGAGEMENT_SESSION_DEBRIEFED = "engagement.session_debriefed", _("Engagement session debriefed")
    ENGAGEMENT_PARTICIPANT_SAVED = "engagement.participant_saved", _("Participant saved")
    ENGAGEMENT_CASE_LINKED = "engagement.case_linked", _("Participant linked to a case")
    ENGAGEMENT_CONSENT_GIVEN = "engagement.consent_given", _("Engagement consent given")
    ENGAGEMENT_CONSENT_WITHDRAWN = "engagement.consent_withdrawn", _("Engagement consent withdrawn")
    ENGAGEMENT_CONTRIBUTION_SAVED = "engagement.contribution_saved", _("Contribution recorded")
    ENGAGEMENT_CONTRIBUTION_CLEARED = "engagement.contribution_cleared", _("Contribution cleared for use")
    ENGAGEMENT_CONTRIBUTION_WITHDRAWN = "engagement.contribution_withdrawn", _("Contribution withdrawn")
    ENGAGEMENT_OUTCOME_SAVED = "engagement.outcome_saved", _("'You said, we did' outcome recorded")
    ENGAGEMENT_SAFEGUARDING_RECORDED = "engagement.safeguarding", _("Safeguarding record made")
    ENGAGEMENT_COMPENSATION_RECORDED = "engagement.compensation", _("Participant compensation recorded")
    ENGAGEMENT_DOCUMENT_SAVED = "engagement.document_saved", _("Guideline or guidance version saved")
    ENGAGEMENT_EXPORTED = "engagement.exported", _("Engagement report or document exported")
    ENGAGEMENT_REFUSED = "engagement.refused", _("Engagement action refused (safeguard or consent)")
    # linkage (issue 17): add below this line
    PERSONS_LINKED = "linkage.linked", _("Two records linked as the same person")
    PERSONS_UNLINKED = "linkage.unlinked", _("Link between two records undone")
    PERSONS_NOT_SAME = "linkage.not_same", _("Two records marked as not the same person")
    LINKAGE_REFUSED = "linkage.refused", _("Link refused (other organisation without agreement)")
    LINKAGE_INDEXED = "linkage.indexed", _("Duplicate-check keys rebuilt")
    # privacy-preserving linkage (issue 17.4)
    PPRL_AGREEMENT_SAVED = "linkage.pprl_agreement_saved", _("Linkage agreement saved")
    PPRL_ENCODED = "linkage.pprl_encoded", _("Bloom-filter encodings exported for linkage")
    PPRL_MATCHED = "linkage.pprl_matched", _("Two parties' encodings matched")
    PPRL_RESOLVED = "linkage.pprl_resolved", _("Matched pseudonymous references resolved to own persons")
    PPRL_REFUSED = "linkage.pprl_refused", _("Privacy-preserving linkage refused")
    # batch deduplication (issue 17.3)
    DEDUPE_RUN = "linkage.dedupe_run", _("Batch deduplication run")
    DEDUPE_ACCEPTED = "linkage.dedupe_accepted", _("Proposed duplicate accepted")
    DEDUPE_REJECTED = "linkage.dedupe_rejected", _("Proposed duplicate rejected")
    # notifications (issue 15): add below this line
    NOTIFICATIONS_CREATED = "notifications.created", _("Notifications made for an event")
    NOTIFICATIONS_READ = "notifications.read", _("Notifications marked as read")
    NOTIFICATION_PREFERENCES_SAVED = "notifications.preferences_saved", _("Notification preferences saved")
    WATCH_RULE_CREATED = "notifications.watch_rule_created", _("Watch rule created")
    WATCH_RULE_UPDATED = "notifications.watch_rule_updated", _("Watch rule changed")
    WATCH_RULE_DELETED = "notifications.watch_rule_deleted", _("Watch rule deleted")
    # generic writes, for apps whose writes need no finer word
    RECORD_CREATED = "record.created", _("Record created")
    RECORD_UPDATED = "record.updated", _("Record updated")
    RECORD_DELETED = "record.deleted", _("Record deleted")
