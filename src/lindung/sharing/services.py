"""Writes of the sharing app: peers, agreements, sharing groups, the exchange log, retention.

Each write runs in one transaction with its audit entry. System jobs (the sharing command, the demo
loader) act as ``lindung.core.actors.SYSTEM``; ``None`` is refused.
"""

import hashlib
import hmac
import secrets

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core import services as core_services
from lindung.core.actors import require_actor, user_of
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.markings import TLP
from lindung.core.models import ObjectShare, SharingGroup
from lindung.core.roles import Capability

from . import stix
from .models import ExchangeLog, ImportedObject, Peer, SharingAgreement


def _require_manager(acting_user, organisation_id):
    policy.require_capability(acting_user, Capability.MANAGE_SHARING, organisation_id)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(peer: Peer, secret: str) -> bool:
    return bool(peer.incoming_secret_hash) and hmac.compare_digest(
        peer.incoming_secret_hash, hash_secret(secret)
    )


# peers --------------------------------------------------------------------------------------


def peer_create(
    *,
    acting_user,
    organisation,
    name,
    api_root_url,
    description="",
    outgoing_username="",
    outgoing_secret="",
    organisations=(),
    incoming_secret="",
) -> tuple[Peer, str]:
    """Register a peer node. Returns it and the secret it must use to sign in here (shown once).

    ``incoming_secret`` lets an administrator set the secret agreed out of band (the two-node
    set-up scripts do); otherwise a random one is generated.
    """
    _require_manager(acting_user, organisation.pk)
    if Peer.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A peer with this name exists already.")})
    secret = incoming_secret or secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise ValidationError({"incoming_secret": _("Use at least 16 characters.")})
    with transaction.atomic():
        peer = Peer(
            organisation=organisation,
            name=name,
            api_root_url=api_root_url,
            description=description,
            outgoing_username=outgoing_username,
            outgoing_secret=outgoing_secret or None,
            incoming_secret_hash=hash_secret(secret),
        )
        peer.full_clean(exclude=["outgoing_secret"])
        peer.save()
        peer.organisations.set(organisations)
        audit_record(
            action=AuditAction.SHARING_PEER_CREATED,
            actor=acting_user,
            obj=peer,
            detail={"name": name, "organisations": sorted(o.pk for o in organisations)},
        )
    return peer, secret


def peer_update(
    *,
    acting_user,
    peer,
    outgoing_username=None,
    outgoing_secret=None,
    rotate_incoming=False,
    active=None,
    sharing_groups=None,
) -> str:
    """Change a peer's credentials or state; returns the new incoming secret when rotated."""
    _require_manager(acting_user, peer.organisation_id)
    new_secret = ""
    changed = []
    with transaction.atomic():
        if outgoing_username is not None:
            peer.outgoing_username = outgoing_username
            changed.append("outgoing_username")
        if outgoing_secret:
            peer.outgoing_secret = outgoing_secret
            changed.append("outgoing_secret")
        if rotate_incoming:
            new_secret = secrets.token_urlsafe(32)
            peer.incoming_secret_hash = hash_secret(new_secret)
            changed.append("incoming_secret")
        if active is not None:
            peer.active = active
            changed.append("active")
        peer.save()
        if sharing_groups is not None:
            peer.sharing_groups.set(sharing_groups)
            changed.append("sharing_groups")
        audit_record(
            action=AuditAction.SHARING_PEER_UPDATED, actor=acting_user, obj=peer, detail={"changed": changed}
        )
    return new_secret


# agreements ---------------------------------------------------------------------------------


def _clean_agreement(
    *,
    organisation,
    peer,
    partner_organisations,
    categories,
    fields,
    tlp_ceiling,
    valid_from,
    valid_until,
    retention_days,
):
    errors = {}
    unknown = sorted(set(categories) - set(stix.CATEGORIES))
    if unknown or not categories:
        errors["categories"] = _("Choose categories from: %(known)s.") % {"known": ", ".join(stix.CATEGORIES)}
    outside = sorted(f for f in fields if stix.CATEGORY_OF.get(f) not in set(categories))
    if outside:
        errors["fields"] = _("These fields are unknown or outside the chosen categories: %(f)s.") % {
            "f": ", ".join(outside)
        }
    elif not fields:
        errors["fields"] = _("Name at least one field the agreement allows.")
    if tlp_ceiling not in TLP.values:
        errors["tlp_ceiling"] = _("Choose a TLP marking.")
    elif tlp_ceiling == TLP.RED:
        errors["tlp_ceiling"] = _("TLP:RED information never leaves its owner: choose a lower ceiling.")
    if valid_until is not None and valid_until <= valid_from:
        errors["valid_until"] = _("The end of validity must come after its start.")
    if not partner_organisations:
        errors["partner_organisations"] = _("Name at least one partner organisation.")
    elif organisation in partner_organisations:
        errors["partner_organisations"] = _("Our own party cannot also be a partner.")
    if retention_days is None or retention_days < 1:
        errors["retention_days"] = _("Retention must be at least one day.")
    if peer.organisation_id != organisation.pk:
        # Node credentials belong to the organisation administering the peer; only it may use them.
        errors["peer"] = _("This peer is administered by another organisation.")
    if errors:
        raise ValidationError(errors)


def agreement_create(
    *,
    acting_user,
    organisation,
    peer,
    partner_organisations,
    reference,
    title,
    purpose,
    categories,
    fields,
    tlp_ceiling,
    retention_days,
    valid_from=None,
    valid_until=None,
    sharing_group=None,
    peer_may_write=False,
) -> SharingAgreement:
    _require_manager(acting_user, organisation.pk)
    valid_from = valid_from or timezone.now()
    partner_organisations = list(partner_organisations)
    _clean_agreement(
        organisation=organisation,
        peer=peer,
        partner_organisations=partner_organisations,
        categories=categories,
        fields=fields,
        tlp_ceiling=tlp_ceiling,
        valid_from=valid_from,
        valid_until=valid_until,
        retention_days=retention_days,
    )
    if SharingAgreement.objects.filter(peer=peer, reference=reference).exists():
        raise ValidationError({"reference": _("An agreement with this peer and reference exists already.")})
    with transaction.atomic():
        agreement = SharingAgreement(
            organisation=organisation,
            peer=peer,
            reference=reference,
            title=title,
            purpose=purpose,
            categories=sorted(set(categories)),
            fields=sorted(set(fields)),
            tlp_ceiling=tlp_ceiling,
            retention_days=retention_days,
            valid_from=valid_from,
            valid_until=valid_until,
            sharing_group=sharing_group,
            peer_may_write=peer_may_write,
        )
        agreement.full_clean()
        agreement.save()
        agreement.partner_organisations.set(partner_organisations)
        audit_record(
            action=AuditAction.SHARING_AGREEMENT_CREATED,
            actor=acting_user,
            obj=agreement,
            detail={
                "reference": reference,
                "peer": peer.name,
                "partners": sorted(o.pk for o in partner_organisations),
                "fields": agreement.fields,
                "tlp_ceiling": tlp_ceiling,
            },
        )
    return agreement


def agreement_revoke(*, acting_user, agreement) -> None:
    """Stops every exchange under the agreement at once (both serving and pulling)."""
    _require_manager(acting_user, agreement.organisation_id)
    if agreement.revoked_at is not None:
        raise ValidationError(_("This agreement is already revoked."))
    with transaction.atomic():
        agreement.revoked_at = timezone.now()
        agreement.revoked_by = user_of(acting_user)
        agreement.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action=AuditAction.SHARING_AGREEMENT_REVOKED,
            actor=acting_user,
            obj=agreement,
            detail={"reference": agreement.reference},
        )


# sharing groups -----------------------------------------------------------------------------


def require_group_manager(user, group: SharingGroup) -> None:
    """A group is managed by the sharing managers of its member organisations (a new group with no
    member yet, by any sharing manager)."""
    members = set(group.organisations.values_list("pk", flat=True))
    managed = policy.organisations_with(require_actor(user), Capability.MANAGE_SHARING)
    if managed and (not members or members & managed):
        return
    audit_record(action=AuditAction.ACCESS_DENIED, actor=user, obj=group, detail={"attempted": "change"})
    raise policy.Refused


def sharing_group_update(*, acting_user, group: SharingGroup, organisations, peers=None, description=None):
    require_group_manager(acting_user, group)
    with transaction.atomic():
        group.organisations.set(organisations)
        if description is not None:
            group.description = description
            group.save(update_fields=["description"])
        if peers is not None:
            group.peers.set(peers)
        audit_record(
            action=AuditAction.SHARING_GROUP_UPDATED,
            actor=acting_user,
            obj=group,
            detail={
                "organisations": sorted(o.pk for o in organisations),
                "peers": sorted(p.pk for p in peers) if peers is not None else None,
            },
        )


# exchange log -------------------------------------------------------------------------------

_AUDIT_FOR = {
    ExchangeLog.Direction.SERVED: AuditAction.SHARING_EXCHANGE_SERVED,
    ExchangeLog.Direction.RECEIVED: AuditAction.SHARING_EXCHANGE_RECEIVED,
    ExchangeLog.Direction.PULLED: AuditAction.SHARING_EXCHANGE_RECEIVED,
}


def exchange_record(
    *,
    direction,
    operation,
    outcome,
    peer=None,
    agreement=None,
    http_status=None,
    object_count=0,
    message="",
    detail=None,
    status_id=None,
    request_id="",
    actor=None,
) -> ExchangeLog:
    """Log one exchange and audit it in the same transaction (the caller's, when it has one: what
    was received is stored in the same). ``actor``: the system for pulls and received objects; a
    request from a peer has no user. ``message`` never holds personal data."""
    organisation_id = agreement.organisation_id if agreement else (peer.organisation_id if peer else None)
    with transaction.atomic():
        entry = ExchangeLog.objects.create(
            organisation_id=organisation_id,
            peer=peer,
            agreement=agreement,
            direction=direction,
            operation=operation,
            outcome=outcome,
            http_status=http_status,
            object_count=object_count,
            message=message[:300],
            detail=detail or {},
            status_id=status_id,
            request_id=request_id,
        )
        action = (
            _AUDIT_FOR[direction]
            if outcome == ExchangeLog.Outcome.OK
            else AuditAction.SHARING_EXCHANGE_REFUSED
        )
        audit_record(
            action=action,
            actor=actor,
            organisation_id=organisation_id,
            object_type="sharing.exchangelog",
            object_id=str(entry.pk),
            detail={
                "direction": direction,
                "operation": operation,
                "peer": peer.name if peer else "",
                "agreement": agreement.reference if agreement else "",
                "objects": object_count,
                "status": http_status,
                "reason": message[:200],
            },
        )
    return entry


# retention ----------------------------------------------------------------------------------


def purge_expired_imports(*, now=None) -> int:
    """Delete received incidents whose retention at this node has passed."""
    from lindung.maritime.models import Incident

    now = now or timezone.now()
    expired = ImportedObject.objects.filter(retain_until__lte=now)
    incident_type = ContentType.objects.get_for_model(Incident)
    count = 0
    with transaction.atomic():
        for item in expired.select_related("agreement"):
            Incident.objects.filter(pk=item.object_id, origin_id=item.stix_id).delete()
            ObjectShare.objects.filter(content_type=incident_type, object_id=item.object_id).delete()
            count += 1
        expired.delete()
        if count:
            audit_record(action=AuditAction.SHARING_RETENTION_PURGED, detail={"incidents": count})
    return count


# named recipients of a marked record ---------------------------------------------------------


def recipient_add(*, acting_user, obj, purpose, organisation=None, sharing_group=None):
    """Name an organisation (or, below AMBER+STRICT, a sharing group) that may read a marked record
    on this node and, under an agreement, at its partners' nodes. The policy and the audit entry are
    core's ``object_share``; the marking rules are checked here."""
    if obj.tlp == TLP.RED:
        raise ValidationError(_("TLP:RED records stay with their owner: they cannot be shared."))
    if obj.tlp == TLP.AMBER_STRICT and sharing_group is not None:
        raise ValidationError(
            {"sharing_group": _("TLP:AMBER+STRICT records are shared with organisations by name only.")}
        )
    if organisation is not None and organisation.pk == obj.organisation_id:
        raise ValidationError({"organisation": _("The owner organisation sees its records already.")})
    return core_services.object_share(
        acting_user=acting_user,
        obj=obj,
        purpose=purpose,
        organisation=organisation,
        sharing_group=sharing_group,
    )
