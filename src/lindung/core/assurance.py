"""How strongly a request's user has proved who they are, and what they must do before anything else.

Users whose roles see identities must pass a second factor when the site requires it
(``LINDUNG_REQUIRE_2FA``); a user whose password an administrator reset must choose their own.
Pages (core.middleware.AccountGateMiddleware) and the API (core.api_auth) ask ``gate`` the same
question, so neither can be a way around the other. API tokens carry the assurance of the sign-in
that made them, and a token made with the password only does not stand in for the second factor.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied

from . import policy
from .models import ApiToken
from .roles import IDENTITY_CAPABILITIES

SECOND_FACTOR_REQUIRED = "second_factor_required"
PASSWORD_CHANGE_REQUIRED = "password_change_required"


class SecondFactorRequired(PermissionDenied):
    code = SECOND_FACTOR_REQUIRED


def needs_second_factor(user) -> bool:
    if not settings.LINDUNG_REQUIRE_2FA or not user.is_authenticated:
        return False
    return bool(policy.all_capabilities(user) & IDENTITY_CAPABILITIES)


def session_assurance(user) -> str:
    """A browser session's assurance: django_otp marks the user verified after the second factor."""
    is_verified = getattr(user, "is_verified", None)
    return ApiToken.Assurance.SECOND_FACTOR if is_verified and is_verified() else ApiToken.Assurance.PASSWORD


def request_assurance(request) -> str:
    """The assurance behind a request: its API token's when it came with one, else its session's."""
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken):
        return token.assurance
    return session_assurance(request.user)


def gate(user, assurance: str) -> str | None:
    """What ``user`` must do before anything else, as a code, or None: the second factor first
    (only its pages and signing out are open before it), then a password change if one is due."""
    if needs_second_factor(user) and assurance != ApiToken.Assurance.SECOND_FACTOR:
        return SECOND_FACTOR_REQUIRED
    if getattr(user, "must_change_password", False):
        return PASSWORD_CHANGE_REQUIRED
    return None


def require_second_factor(user, assurance: str) -> None:
    if needs_second_factor(user) and assurance != ApiToken.Assurance.SECOND_FACTOR:
        raise SecondFactorRequired
