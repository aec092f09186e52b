"""Core pages: sign-in, two-factor, home, languages, organisations and users, tokens, audit log."""

import io

import qrcode
import qrcode.image.svg
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import assurance, jobs, policy, scheduler, selectors, services
from .audit import audit_record
from .audit_actions import AuditAction
from .forms import (
    AuditFilterForm,
    OrganisationForm,
    OtpForm,
    RoleGrantForm,
    TokenForm,
    UserCreateForm,
    add_service_errors,
)
from .home import panels_for
from .models import ApiToken, Job, Membership, Organisation, User
from .roles import Capability, Role
from .routes import object_view


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Spraying one guess over many usernames never trips the per-username lockout: past the
        # address's limit, no sign-in from it is even checked until the window has passed.
        failures = selectors.sign_in_failures_from(get_client_ip_address(request) or "")
        if failures >= settings.LINDUNG_ADDRESS_FAILURE_LIMIT:
            audit_record(
                action=AuditAction.LOGIN_THROTTLED,
                detail={"reason": "address_failures", "failures": failures},
            )
            return render(
                request,
                "registration/throttled.html",
                {"minutes": settings.LINDUNG_ADDRESS_FAILURE_WINDOW // 60},
                status=429,
            )
        return super().post(request, *args, **kwargs)


def healthz(request):
    """Database, workers and queue, as JSON for load balancers and monitoring. 503 when the database
    does not answer; "degraded" (still 200: the web part serves) when no worker is alive or the
    queue is stuck."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "down", "database": "error"}, status=503)
    background = jobs.health()
    ok = background["workers_alive"] > 0 and not background["stuck"]
    return JsonResponse({"status": "ok" if ok else "degraded", "database": "ok", **background})


def csrf_failure(request, reason=""):
    audit_record(
        action=AuditAction.CSRF_REFUSED,
        actor=getattr(request, "user", None),
        detail={"path": request.path[:200]},
    )
    return HttpResponseForbidden(
        render(
            request,
            "core/error.html",
            {
                "title": _("Form expired"),
                "message": _(
                    "This form could not be accepted because its security check failed. "
                    "Reload the page and try again."
                ),
            },
        ).content
    )


@require_POST
def set_language(request):
    """Like Django's, but an unknown language is a clear 400 rather than a silent no-op."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES) or not check_for_language(code):
        return HttpResponseBadRequest(
            _("Unknown language: choose one of %(codes)s.") % {"codes": ", ".join(dict(settings.LANGUAGES))}
        )
    if request.user.is_authenticated and request.user.preferred_language != code:
        request.user.preferred_language = code
        request.user.save(update_fields=["preferred_language"])
    return django_set_language(request)


def _safe_next(request, default):
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def otp_verify(request):
    """Verify a TOTP code; a user without a device is shown one to enrol first."""
    if request.user.is_verified() or not assurance.needs_second_factor(request.user):
        return redirect(_safe_next(request, reverse("core:home")))
    device = TOTPDevice.objects.filter(user=request.user).first()
    enrolling = device is None or not device.confirmed
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="default", confirmed=False)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(action=AuditAction.OTP_DEVICE_ADDED, actor=request.user)
            otp_login(request, device)
            audit_record(action=AuditAction.OTP_VERIFIED, actor=request.user)
            return redirect(_safe_next(request, reverse("core:home")))
        audit_record(action=AuditAction.OTP_FAILED, actor=request.user)
        form.add_error("code", _("That code is not valid now. Check your device's clock and try again."))
    qr_svg = ""
    if enrolling:
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
        buffer = io.BytesIO()
        image.save(buffer)
        qr_svg = buffer.getvalue().decode()
    return render(
        request,
        "core/otp_verify.html",
        {
            "form": form,
            "enrolling": enrolling,
            "qr_svg": qr_svg,
            "secret": device.bin_key.hex() if enrolling else "",
        },
    )


@login_required
def password_change(request):
    """Change one's own password: always open once the second factor is passed, and the only page
    open after an administrator's reset."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.user_password_change(
                    acting_user=request.user, new_password=form.cleaned_data["new_password1"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                update_session_auth_hash(request, request.user)  # this session stays signed in
                messages.success(request, _("Your password has been changed."))
                return redirect(_safe_next(request, reverse("core:home")))
        elif form.has_error("old_password"):
            services.user_password_change_refused(acting_user=request.user)
    intro = (
        _("An administrator set your password: choose your own to go on.")
        if request.user.must_change_password
        else ""
    )
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Change your password"),
            "intro": intro,
            "submit_label": _("Change password"),
        },
    )


@login_required
def home(request):
    memberships = request.user.memberships.select_related("organisation")
    recent = (
        selectors.audit_entries(request.user)[:10]
        if policy.has_capability(request.user, Capability.VIEW_AUDIT)
        else []
    )
    panels = panels_for(request.user)
    return render(request, "core/home.html", {"memberships": memberships, "recent": recent, "panels": panels})


@login_required
def organisation_list(request):
    orgs = selectors.organisations_visible(request.user)
    can_create = policy.has_capability(request.user, Capability.MANAGE_ORGANISATION)
    return render(request, "core/organisation_list.html", {"organisations": orgs, "can_create": can_create})


@login_required
def organisation_create(request):
    policy.require_capability(request.user, Capability.MANAGE_ORGANISATION)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Organisation created."))
            return redirect(org)
    return render(request, "core/form_page.html", {"form": form, "title": _("New organisation")})


@login_required
@object_view(Organisation)
def organisation_detail(request, pk):
    org = get_object_or_404(selectors.organisations_visible(request.user), pk=pk)
    members = selectors.members_of(request.user, org)
    can_manage = policy.can(request.user, policy.CHANGE, org)
    member_rows = [
        (user, [m for m in user.memberships.all() if m.organisation_id == org.pk]) for user in members
    ]
    return render(
        request,
        "core/organisation_detail.html",
        {"org": org, "member_rows": member_rows, "can_manage": can_manage, "role_choices": Role.choices},
    )


@login_required
@object_view(Organisation)
def user_create(request, pk):
    org = get_object_or_404(Organisation, pk=pk)
    policy.require(request.user, policy.CHANGE, org)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_create(acting_user=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("User created."))
            return redirect(org)
    return render(
        request, "core/form_page.html", {"form": form, "title": _("New user in %(org)s") % {"org": org}}
    )


@login_required
@require_POST
@object_view(Membership)
def membership_revoke(request, pk):
    membership = get_object_or_404(selectors.managed_memberships(request.user), pk=pk)
    services.membership_revoke(acting_user=request.user, membership=membership)
    messages.success(request, _("Role removed."))
    return redirect(membership.organisation)


@login_required
@require_POST
@object_view(Organisation, user_pk=User)
def membership_grant(request, pk, user_pk):
    org = get_object_or_404(Organisation, pk=pk)
    policy.require(request.user, policy.CHANGE, org)
    user = get_object_or_404(selectors.members_of(request.user, org), pk=user_pk)
    form = RoleGrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a known role."))
    else:
        services.membership_grant(
            acting_user=request.user, user=user, organisation=org, role=form.cleaned_data["role"]
        )
        messages.success(request, _("Role granted."))
    return redirect(org)


@login_required
@object_view(Organisation, user_pk=User)
def user_password_reset(request, pk, user_pk):
    org = get_object_or_404(Organisation, pk=pk)
    policy.require(request.user, policy.CHANGE, org)
    user = get_object_or_404(selectors.members_of(request.user, org), pk=user_pk)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_reset(
                acting_user=request.user, user=user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Password reset: the user must change it at the next sign-in."))
            return redirect(org)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Reset the password of %(user)s") % {"user": user.get_username()},
            "intro": _(
                "Give the user this temporary password in person; they must change it when they sign in."
            ),
            "submit_label": _("Reset password"),
        },
    )


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.api_token_create(
            acting_user=request.user,
            assurance_level=assurance.request_assurance(request),
            **form.cleaned_data,
        )
        form = TokenForm()
    return render(
        request,
        "core/tokens.html",
        {"tokens": selectors.tokens_of(request.user), "form": form, "secret": secret},
    )


@login_required
@require_POST
@object_view(public_id=ApiToken)
def token_revoke(request, public_id):
    token = get_object_or_404(selectors.tokens_of(request.user), public_id=public_id)
    services.api_token_revoke(acting_user=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("core:tokens")


@login_required
def audit_log(request):
    policy.require_capability(request.user, Capability.VIEW_AUDIT, purpose="audit review")
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.audit_entries(request.user, **filters), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"form": form, "page": page, "roles": Role})


def permission_denied(request, exception=None):
    return HttpResponse(
        render(
            request,
            "core/error.html",
            {
                "title": _("Not allowed"),
                "message": _(
                    "Your roles do not allow this. Ask an administrator of your organisation if you need it."
                ),
            },
        ).content,
        status=403,
    )


def not_found(request, exception=None):
    return HttpResponse(
        render(
            request,
            "core/error.html",
            {
                "title": _("Page not found"),
                "message": _("There is nothing here, or nothing you may see."),
            },
        ).content,
        status=404,
    )


@login_required
def operations(request):
    """For administrators: periodic jobs (last run, outcome, next run), the queue, the workers'
    heartbeats and their organisations' recent jobs. A stuck queue is said at the top."""
    policy.require_capability(request.user, Capability.MANAGE_ORGANISATION, purpose="operations")
    recent = policy.accessible(request.user, Job.objects.defer("payload"))[:30]
    return render(
        request,
        "core/operations.html",
        {
            "health": jobs.health(),
            "periodic": scheduler.overview(),
            "schedulers": scheduler.schedulers(),
            "workers": jobs.workers(),
            "recent": recent,
        },
    )
