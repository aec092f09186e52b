"""Writes of the core app. Each runs in one transaction with its audit entry."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import assurance, jobs, policy
from .actors import user_of
from .audit import audit_record
from .audit_actions import AuditAction
from .countries import is_country
from .models import ApiToken, Job, Membership, ObjectShare, Organisation, SharingGroup, SignInFailure, User
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
        _set_password(user, password)
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


def _set_password(user, password) -> None:
    """Every password goes through the site's validators (AUTH_PASSWORD_VALIDATORS): length,
    common passwords, similarity to the user's own names and address, digits only."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc
    user.set_password(password)


def user_password_change(*, acting_user, new_password) -> None:
    """A user's change of their own password; the caller has checked the current one."""
    if acting_user.check_password(new_password):
        # After a reset the administrator knows the current password: keeping it changes nothing.
        raise ValidationError(
            {
                "password": ValidationError(
                    _("Choose a password other than the current one."), code="password_unchanged"
                )
            }
        )
    with transaction.atomic():
        _set_password(acting_user, new_password)
        acting_user.must_change_password = False
        acting_user.save(update_fields=["password", "must_change_password"])
        audit_record(action=AuditAction.PASSWORD_CHANGED, actor=acting_user, obj=acting_user)


def user_password_change_refused(*, acting_user) -> None:
    """Records a wrong current password on the change page (guessing it there is seen too)."""
    audit_record(action=AuditAction.PASSWORD_CHANGE_FAILED, actor=acting_user, obj=acting_user)


def user_password_reset(*, acting_user, user, new_password) -> None:
    """An administrator sets a temporary password; the user must change it at the next sign-in.

    Only an administrator of every organisation the user works for may do it: otherwise an
    administrator of one organisation could take over roles held in another."""
    organisation_ids = set(user.memberships.values_list("organisation_id", flat=True))
    if not organisation_ids:
        raise policy.PermissionDenied
    for organisation_id in sorted(organisation_ids):
        _require_admin_of(acting_user, organisation_id)
    with transaction.atomic():
        _set_password(user, new_password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit_record(action=AuditAction.PASSWORD_RESET, actor=acting_user, obj=user)


def sign_in_failure_record(*, address) -> None:
    """Counts a failed sign-in against its address, and forgets failures older than the window."""
    if not address:
        return
    now = timezone.now()
    with transaction.atomic():
        SignInFailure.objects.filter(
            at__lt=now - timedelta(seconds=settings.LINDUNG_ADDRESS_FAILURE_WINDOW)
        ).delete()
        SignInFailure.objects.create(address=address[:45], at=now)


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


def api_token_create(
    *, acting_user, name, days=None, assurance_level=ApiToken.Assurance.PASSWORD
) -> tuple[ApiToken, str]:
    """Returns the token and its secret; the secret is never stored or shown again.

    ``assurance_level`` is that of the request making the token (core.assurance.request_assurance),
    which the token keeps: a user who must use a second factor makes tokens only after it."""
    assurance.require_second_factor(acting_user, assurance_level)
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
            assurance=assurance_level,
        )
        audit_record(
            action=AuditAction.TOKEN_CREATED,
            actor=acting_user,
            obj=token,
            detail={"days": days, "assurance": assurance_level},
        )
    return token, secret


def api_token_revoke(*, acting_user, token) -> None:
    if token.user_id != acting_user.pk:
        raise policy.PermissionDenied
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=AuditAction.TOKEN_REVOKED, actor=acting_user, obj=token)


def job_may_retry(user, job: Job) -> bool:
    """Its creator, or an administrator of its organisation, may queue a failed job again."""
    if job.created_by_id is not None and job.created_by_id == getattr(user, "pk", None):
        return True
    return policy.has_capability(user, Capability.MANAGE_ORGANISATION, job.organisation_id)


def job_retry(*, acting_user, job: Job) -> Job:
    """Queue a failed job of a retryable task again, as first submitted (its upload was kept).
    Refusals: ``job_not_failed`` (queued, running or done: nothing to retry, a second click
    included), ``job_not_retryable`` (its task may not run twice on request)."""
    if not job_may_retry(acting_user, job):
        policy.require_capability(
            acting_user, Capability.MANAGE_ORGANISATION, job.organisation_id, purpose="job retry"
        )
    if not jobs.is_retryable(job):
        raise ValidationError(_("This kind of job cannot be retried."), code="job_not_retryable")
    with transaction.atomic():
        # Locked and read again: two people clicking "Retry" at once queue it once.
        job = Job.objects.select_for_update().defer("payload", "output").get(pk=job.pk)
        if job.status != Job.Status.FAILED:
            raise ValidationError(_("Only a failed job can be retried."), code="job_not_failed")
        failed_with, runs = job.error_code, job.attempts
        jobs.requeue(job)
        audit_record(
            action=AuditAction.JOB_RETRIED,
            actor=acting_user,
            organisation_id=job.organisation_id,
            object_type="core.job",
            object_id=str(job.pk),
            detail={"kind": job.kind, "error_code": failed_with, "attempts": runs},
        )
    return job
