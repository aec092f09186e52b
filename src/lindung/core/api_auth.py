"""API authentication: hashed bearer tokens with expiry, and sessions; both pass the account gate
(the second factor where required, then a password change that is due; see core.assurance)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import assurance
from .audit import audit_record
from .audit_actions import AuditAction
from .models import ApiToken
from .services import hash_token

GATE_MESSAGES = {
    assurance.SECOND_FACTOR_REQUIRED: gettext_lazy("Complete two-factor sign-in first."),
    assurance.PASSWORD_CHANGE_REQUIRED: gettext_lazy(
        "Change your password first (an administrator reset it)."
    ),
}


def _refuse_at_gate(code):
    """403 with the code when the user must do something first, whatever they ask of the API."""
    if code is not None:
        raise exceptions.PermissionDenied({"detail": GATE_MESSAGES[code], "code": code})


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
        code = assurance.gate(token.user, token.assurance)
        if code == assurance.SECOND_FACTOR_REQUIRED:
            # Made with the password only (or before tokens recorded it): not a second factor.
            audit_record(action=AuditAction.TOKEN_REFUSED, actor=token.user, detail={"reason": code})
        _refuse_at_gate(code)
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """A browser session reaches the API only past the account gate, as pages do."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result:
            _refuse_at_gate(assurance.gate(result[0], assurance.session_assurance(result[0])))
        return result


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "lindung.core.api_auth.HashedTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


class VerifiedSessionScheme(SessionScheme):
    target_class = "lindung.core.api_auth.VerifiedSessionAuthentication"
