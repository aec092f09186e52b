"""Writes of the core app. Each runs in one transaction with its audit entry."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policy
from .actors import user_of
from .audit import audit_record
from .audit_actions import AuditAction
from .countries import is_country
from .models import ApiToken, Membership, ObjectShare, Organisation, SharingGroup, User
from .roles import Capability, Role


def _require_admin_of(acting_user, organisation_id):
    policy.require_capability(acting_user, Capability.MANAGE_ORGANISATION, organisation_id)


def organisation_create(*, acting_user, name, kind, country, short_name="") -> Organisation:
    # Any administrator may register a partner organisation; it starts with no members.
    policy.require_capability(acting_user, Capability.MANAGE_ORGANISATION)
    if not is_country(country):
        raise ValidationError({"country": _("Use an ISO 3166-1 alpha-3 country code.")})
    if Organisation.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("An organisation with this name exists already.")})
    with transaction.atomic():
        org = Organisation(name=name.strip(), kind=kind, country=country, short_name=short_name)
        org.full_clean()
        org.save()
        audit_record(
            action=AuditAction.ORGANISATION_CREATED, actor=acting_user, obj=org, organisation_id=org.pk
        )
    return org


def user_create(
    *, acting_user, organisation, username, password, role, email="", first_name="", last_name=""
) -> User:
    _require_admin_of(acting_user, organisation.pk)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    with transaction.atomic():
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        Membership.objects.create(user=user, organisation=organisation, role=role)
        audit_record(
            action=AuditAction.USER_CREATED,
            actor=acting_user,
            obj=user,
            organisation_id=organisation.pk,
            detail={"role": role},
        )
    return user


def membership_grant(*, acting_user, user, organisation, role) -> Membership:
    _require_admin_of(acting_user, organisation.pk)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
        if created:
            audit_record(
                action=AuditAction.MEMBERSHIP_GRANTED,
                actor=acting_user,
                obj=user,
                organisation_id=organisation.pk,
                detail={"role": role},
            )
    return membership


def membership_revoke(*, acting_user, membership) -> None:
    _require_admin_of(acting_user, membership.organisation_id)
    with transaction.atomic():
        audit_record(
            action=AuditAction.MEMBERSHIP_REVOKED,
            actor=acting_user,
            obj=membership.user,
            organisation_id=membership.organisation_id,
            detail={"role": membership.role},
        )
        membership.delete()


def sharing_group_create(*, acting_user, name, organisations, description="") -> SharingGroup:
    policy.require_capability(acting_user, Capability.MANAGE_SHARING)
    with transaction.atomic():
        group = SharingGroup.objects.create(name=name, description=description)
        group.organisations.set(organisations)
        audit_record(
            action=AuditAction.SHARING_GROUP_CREATED,
            actor=acting_user,
            obj=group,
            detail={"organisations": sorted(o.pk for o in organisations)},
        )
    return group


def object_share(
    *, acting_user, obj, purpose, organisation=None, sharing_group=None, expires_at=None
) -> ObjectShare:
    """Share one record for reading. Only someone who may change it may share it."""
    policy.require(acting_user, policy.CHANGE, obj, purpose=purpose)
    if (organisation is None) == (sharing_group is None):
        raise ValidationError(_("Share with exactly one organisation or one sharing group."))
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say why the record is shared.")})
    with transaction.atomic():
        share = ObjectShare.objects.create(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            organisation=organisation,
            sharing_group=sharing_group,
            purpose=purpose,
            granted_by=user_of(acting_user),
            expires_at=expires_at,
        )
        audit_record(
            action=AuditAction.OBJECT_SHARED,
            actor=acting_user,
            obj=obj,
            organisation_id=policy.owner_id(obj),
            purpose=purpose,
            detail={
                "organisation": organisation.pk if organisation else None,
                "sharing_group": sharing_group.pk if sharing_group else None,
            },
        )
    return share


def object_share_revoke(*, acting_user, share) -> None:
    obj = share.content_type.get_object_for_this_type(pk=share.object_id)
    policy.require(acting_user, policy.CHANGE, obj)
    with transaction.atomic():
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.OBJECT_SHARE_REVOKED, actor=acting_user, obj=obj, detail={"share": share.pk}
        )


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, acting_user, name, days=None) -> tuple[ApiToken, str]:
    """Returns the token and its secret; the secret is never stored or shown again."""
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name.")})
    days = days or settings.API_TOKEN_LIFETIME_DAYS
    if not 1 <= days <= 366:
        raise ValidationError({"days": _("A token lives between 1 and 366 days.")})
    secret = "lnd_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=acting_user,
            name=name.strip(),
            key_hash=hash_token(secret),
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_record(action=AuditAction.TOKEN_CREATED, actor=acting_user, obj=token, detail={"days": days})
    return token, secret


def api_token_revoke(*, acting_user, token) -> None:
    if token.user_id != acting_user.pk:
        raise policy.PermissionDenied
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=AuditAction.TOKEN_REVOKED, actor=acting_user, obj=token)
