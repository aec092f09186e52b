"""API authentication: hashed bearer tokens with expiry, and sessions that passed 2FA."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .audit import audit_record
from .audit_actions import AuditAction
from .middleware import needs_second_factor
from .models import ApiToken
from .services import hash_token


class HashedTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] not in (self.keyword, "Token"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header: use 'Bearer <token>'."))
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(header[1])).first()
        if token is None or not token.is_active or not token.user.is_active:
            audit_record(
                action=AuditAction.TOKEN_REFUSED,
                actor=token.user if token else None,
                detail={"reason": "expired or revoked" if token else "unknown"},
            )
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """A browser session reaches the API only after the second factor, where one is required."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result and needs_second_factor(result[0]) and not result[0].is_verified():
            raise exceptions.PermissionDenied(_("Complete two-factor sign-in first."))
        return result


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "lindung.core.api_auth.HashedTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


class VerifiedSessionScheme(SessionScheme):
    target_class = "lindung.core.api_auth.VerifiedSessionAuthentication"
