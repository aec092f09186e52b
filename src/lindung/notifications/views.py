"""Pages: the inbox, preferences, and analysts' watch rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.core import policy
from lindung.core import selectors as core_selectors
from lindung.core.forms import add_service_errors
from lindung.core.roles import Capability
from lindung.core.routes import object_view

from . import forms, selectors, services
from .models import Event, Notification, WatchRule


@login_required
def inbox(request):
    unread_only = request.GET.get("show") == "unread"
    # An unknown event is no filter rather than an empty inbox that looks like "nothing happened".
    event = request.GET.get("event", "")
    event = event if event in Event.values else ""
    notifications = selectors.notifications_of(request.user, unread_only=unread_only, event=event)
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread_only": unread_only, "event_label": Event(event).label if event else ""},
    )


@login_required
@require_POST
@object_view(Notification)
def notification_open(request, pk):
    """Mark read, then go to the object's page (which applies the policy again)."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notification_mark_read(acting_user=request.user, notification=notification)
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
@object_view(Notification)
def notification_read(request, pk):
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notification_mark_read(acting_user=request.user, notification=notification)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request):
    count = services.notifications_mark_all_read(acting_user=request.user)
    messages.success(request, _("%(n)s notifications marked as read.") % {"n": count})
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    form = forms.PreferencesForm(request.POST or None, channels=selectors.channels_of(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_save(acting_user=request.user, channels=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "rows": [(form[event], label) for event, label in Event.choices]},
    )


# watch rules ---------------------------------------------------------------------------------


def _organisations(user):
    return list(core_selectors.organisations_with_capability(user, Capability.VIEW_INCIDENTS))


@login_required
def watch_rule_list(request):
    policy.require_capability(request.user, Capability.VIEW_INCIDENTS)
    return render(
        request, "notifications/watch_rule_list.html", {"rules": selectors.watch_rules_of(request.user)}
    )


def _rule_fields(data):
    return {k: v for k, v in data.items() if k != "organisation"}


def _rule_page(request, form, title):
    return render(
        request,
        "notifications/watch_rule_form.html",
        {"form": form, "title": title, "area_names": selectors.area_names(request.user)},
    )


@login_required
def watch_rule_create(request):
    policy.require_capability(request.user, Capability.VIEW_INCIDENTS)
    organisations = _organisations(request.user)
    form = forms.WatchRuleForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = next(o for o in organisations if o.pk == form.cleaned_data["organisation"])
        try:
            services.watch_rule_save(
                acting_user=request.user, organisation=organisation, **_rule_fields(form.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Watch rule saved. Matching incidents will appear in your inbox."))
            return redirect("notifications:watch_rule_list")
    return _rule_page(request, form, _("New watch rule"))


@login_required
@object_view(WatchRule)
def watch_rule_edit(request, pk):
    rule = get_object_or_404(selectors.watch_rules_of(request.user), pk=pk)
    initial = {name: getattr(rule, name) for name in services.WATCH_RULE_FIELDS}
    form = forms.WatchRuleForm(
        request.POST or None,
        initial={**initial, "organisation": rule.organisation_id},
        organisations=[rule.organisation],
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.watch_rule_save(acting_user=request.user, rule=rule, **_rule_fields(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Watch rule saved."))
            return redirect("notifications:watch_rule_list")
    return _rule_page(request, form, _("Edit watch rule"))


@login_required
@object_view(WatchRule)
def watch_rule_delete(request, pk):
    rule = get_object_or_404(selectors.watch_rules_of(request.user), pk=pk)
    if request.method == "POST":
        services.watch_rule_delete(acting_user=request.user, rule=rule)
        messages.success(request, _("Watch rule deleted."))
        return redirect("notifications:watch_rule_list")
    return render(request, "notifications/watch_rule_delete.html", {"rule": rule})
