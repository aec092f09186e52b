"""Named roles as capability sets.

A capability is one thing a person may do; a role is the set a job needs. The access policy only
ever asks about capabilities, so a new role is a new line here, not a change across the code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Capability(models.TextChoices):
    VIEW_CASES = "view_cases", _("View cases and persons (pseudonymised)")
    MANAGE_CASES = "manage_cases", _("Register persons and manage cases")
    VIEW_IDENTITY = "view_identity", _("See identities (names, documents, contacts)")
    SUPERVISE_CASES = "supervise_cases", _("Assign cases, approve closures and transfers")
    MANAGE_SCREENING = "manage_screening", _("Run screenings and edit instruments")
    SEND_REFERRALS = "send_referrals", _("Refer persons to services")
    RECEIVE_REFERRALS = "receive_referrals", _("Answer referrals and record services given")
    MANAGE_DIRECTORY = "manage_directory", _("Maintain the directory of services")
    VIEW_INCIDENTS = "view_incidents", _("View incidents at sea")
    MANAGE_INCIDENTS = "manage_incidents", _("Record incidents at sea")
    MANAGE_SHARING = "manage_sharing", _("Manage sharing groups, agreements and peers")
    MANAGE_STANDARD = "manage_standard", _("Validate and import data against the standard")
    VIEW_STATS = "view_stats", _("View statistics")
    PUBLISH_STATS = "publish_stats", _("Publish statistical releases")
    VIEW_FRAMEWORKS = "view_frameworks", _("Read the frameworks knowledge base")
    MANAGE_FRAMEWORKS = "manage_frameworks", _("Edit the frameworks knowledge base")
    MANAGE_ENGAGEMENT = "manage_engagement", _("Run lived-experience engagement")
    VIEW_PARTICIPANT_CONTACT = "view_participant_contact", _("See participants' contact details")
    MANAGE_ORGANISATION = "manage_organisation", _("Manage users and roles of the organisation")
    VIEW_AUDIT = "view_audit", _("Read the audit log")


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    CASEWORKER = "caseworker", _("Caseworker")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    ANALYST = "analyst", _("Analyst")
    DATA_MANAGER = "data_manager", _("Data manager")
    RESEARCHER = "researcher", _("Researcher")
    ENGAGEMENT_COORDINATOR = "engagement_coordinator", _("Engagement coordinator")
    AUDITOR = "auditor", _("Auditor")


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset({C.MANAGE_ORGANISATION, C.MANAGE_SHARING, C.VIEW_STATS, C.VIEW_FRAMEWORKS}),
    Role.SUPERVISOR: frozenset(
        {
            C.VIEW_CASES,
            C.MANAGE_CASES,
            C.VIEW_IDENTITY,
            C.SUPERVISE_CASES,
            C.MANAGE_SCREENING,
            C.SEND_REFERRALS,
            C.RECEIVE_REFERRALS,
            C.VIEW_STATS,
            C.VIEW_FRAMEWORKS,
        }
    ),
    Role.CASEWORKER: frozenset(
        {
            C.VIEW_CASES,
            C.MANAGE_CASES,
            C.VIEW_IDENTITY,
            C.MANAGE_SCREENING,
            C.SEND_REFERRALS,
            C.VIEW_FRAMEWORKS,
        }
    ),
    Role.SERVICE_PROVIDER: frozenset({C.RECEIVE_REFERRALS, C.MANAGE_DIRECTORY, C.VIEW_FRAMEWORKS}),
    Role.ANALYST: frozenset({C.VIEW_INCIDENTS, C.MANAGE_INCIDENTS, C.VIEW_STATS, C.VIEW_FRAMEWORKS}),
    Role.DATA_MANAGER: frozenset({C.MANAGE_STANDARD, C.VIEW_STATS, C.PUBLISH_STATS, C.VIEW_FRAMEWORKS}),
    Role.RESEARCHER: frozenset({C.VIEW_FRAMEWORKS, C.MANAGE_FRAMEWORKS, C.VIEW_STATS}),
    Role.ENGAGEMENT_COORDINATOR: frozenset(
        {C.MANAGE_ENGAGEMENT, C.VIEW_PARTICIPANT_CONTACT, C.VIEW_FRAMEWORKS, C.SEND_REFERRALS}
    ),
    Role.AUDITOR: frozenset({C.VIEW_AUDIT, C.VIEW_CASES, C.VIEW_STATS}),
}

# Roles whose capabilities include identities must use a second factor (when the site requires it).
IDENTITY_CAPABILITIES = frozenset({C.VIEW_IDENTITY, C.VIEW_PARTICIPANT_CONTACT})


def capabilities_of(roles) -> frozenset[str]:
    caps: set[str] = set()
    for role in roles:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)
