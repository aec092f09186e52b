"""Request id, security headers, session time limits and the account gate (second factor,
password change)."""

import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from . import assurance
from .audit import audit_record
from .audit_actions import AuditAction
from .context import client_ip_var, request_id_var

# No inline script or style anywhere: every asset comes from this site.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        # Accept a proxy's id only when it looks like one; never echo arbitrary text into logs.
        rid = (
            incoming
            if incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum()
            else uuid.uuid4().hex
        )
        request.request_id = rid
        token = request_id_var.set(rid)
        ip_token = client_ip_var.set(request.META.get("REMOTE_ADDR", ""))
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
            client_ip_var.reset(ip_token)
        response["X-Request-ID"] = rid
        return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with personal data must not linger in shared computers' caches.
            response.setdefault("Cache-Control", "no-store")
        return response


class SessionTimeoutMiddleware:
    """Ends a session after 30 idle minutes or 12 hours, whichever comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.setdefault("lindung_started", now)
            last_seen = request.session.get("lindung_seen", now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                user = request.user
                logout(request)
                audit_record(action=AuditAction.SESSION_EXPIRED, actor=user)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            # Written once a minute at most, not on every request: a session write is a committed
            # UPDATE per page view (SQLite serialises them); the idle limit gains at most a minute.
            if "lindung_seen" not in request.session or now - last_seen >= settings.SESSION_SEEN_EVERY:
                request.session["lindung_seen"] = now
        return self.get_response(request)


class AccountGateMiddleware:
    """Before anything else: the second factor where it is required, then a password change an
    administrator's reset made due (see core.assurance.gate). Only the pages that do these and
    signing out stay open; the API refuses such users itself (core.api_auth)."""

    open_prefixes = ("/static/", "/i18n/", "/healthz", "/api/")
    destination = {
        assurance.SECOND_FACTOR_REQUIRED: "core:otp_verify",
        assurance.PASSWORD_CHANGE_REQUIRED: "core:password_change",
    }
    always_open = ("core:login", "core:logout", "core:otp_verify")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.open_prefixes):
            code = assurance.gate(user, assurance.session_assurance(user))
            if code is not None:
                target = reverse(self.destination[code])
                if request.path != target and request.path not in {reverse(n) for n in self.always_open}:
                    return redirect(f"{target}?next={request.path}")
        return self.get_response(request)
