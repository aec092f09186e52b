"""Pages: who may open them, the unread count in every page's header, marking read, preferences,
and watch rules created, changed and deleted through their forms."""

import pytest
from django.test import Client
from django.urls import reverse

from lindung.core.roles import Role
from lindung.notifications import services
from lindung.notifications.models import Channel, Event, Notification, Preference, WatchRule
from tests.roles import ALL_ROLES, assert_roles, others

pytestmark = pytest.mark.django_db
READERS = [Role.ANALYST]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _notify(user, reference="R-AAAAA-BBBBB", link="/referrals/"):
    return services.notify(event=Event.REFERRAL_RECEIVED, recipients=[user], reference=reference, link=link)[
        0
    ]


def test_who_may_open_the_pages(client_for, org_a):
    for name in ("inbox", "preferences"):
        assert_roles(client_for, org_a, reverse(f"notifications:{name}"), allowed=ALL_ROLES, refused=[])
    for name in ("watch_rule_list", "watch_rule_create"):
        url = reverse(f"notifications:{name}")
        assert_roles(client_for, org_a, url, allowed=READERS, refused=others(*READERS))


def test_anonymous_is_sent_to_sign_in():
    response = Client().get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_unread_count_in_the_header_and_marking_read(org_a, make_user):
    user = make_user(org_a, Role.CASEWORKER)
    first, second = _notify(user, "R-FIRST-00001"), _notify(user, "R-SECND-00002")
    client = _client(user)
    page = client.get(reverse("core:home")).content.decode()
    assert 'id="unread-count">2<' in page
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "R-FIRST-00001" in inbox and "R-SECND-00002" in inbox
    response = client.post(reverse("notifications:notification_open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/referrals/"
    assert 'id="unread-count">1<' in client.get(reverse("core:home")).content.decode()
    unread = client.get(reverse("notifications:inbox") + "?show=unread").content.decode()
    assert "R-SECND-00002" in unread and "R-FIRST-00001" not in unread
    client.post(reverse("notifications:read_all"))
    assert 'id="unread-count"' not in client.get(reverse("core:home")).content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert second.pk  # both read now


def test_someone_elses_notification_is_not_found(org_a, make_user):
    owner, other = make_user(org_a, Role.CASEWORKER), make_user(org_a, Role.CASEWORKER)
    notification = _notify(owner)
    for name in ("notification_open", "notification_read"):
        response = _client(other).post(reverse(f"notifications:{name}", args=[notification.pk]))
        assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_outside_link_is_never_followed(org_a, make_user):
    user = make_user(org_a, Role.CASEWORKER)
    notification = _notify(user, link="https://elsewhere.example/phish")
    response = _client(user).post(reverse("notifications:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_preferences_form(org_a, make_user):
    user = make_user(org_a, Role.CASEWORKER)
    client = _client(user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Referral received" in page and "Incident matching a watch rule" in page
    data = dict.fromkeys(Event.values, Channel.INBOX)
    data[Event.TASK_OVERDUE] = Channel.DIGEST
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    assert Preference.objects.get(user=user, event=Event.TASK_OVERDUE).channel == Channel.DIGEST
    data[Event.TASK_OVERDUE] = "pigeon"
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 200 and response.context["form"].errors[Event.TASK_OVERDUE]


def test_watch_rule_create_edit_delete(org_a, make_user):
    analyst = make_user(org_a, Role.ANALYST)
    client = _client(analyst)
    form = {
        "organisation": org_a.pk,
        "name": "Channel deaths",
        "active": "on",
        "area_name": "Mozambique Channel",
        "min_dead_and_missing": "1",
        "tlp": ["green", "amber"],
    }
    response = client.post(reverse("notifications:watch_rule_create"), form)
    assert response.status_code == 302
    rule = WatchRule.objects.get()
    assert (rule.owner, rule.organisation, rule.tlp) == (analyst, org_a, ["green", "amber"])
    listing = client.get(reverse("notifications:watch_rule_list")).content.decode()
    assert "Channel deaths" in listing and "At least 1 dead and missing" in listing

    bad = {**form, "min_latitude": "-5", "max_latitude": "-10", "min_longitude": "1", "max_longitude": "2"}
    response = client.post(reverse("notifications:watch_rule_edit", args=[rule.pk]), bad)
    assert response.status_code == 200 and "max_latitude" in response.context["form"].errors
    response = client.post(
        reverse("notifications:watch_rule_edit", args=[rule.pk]), {**form, "name": "Renamed"}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Renamed"

    other = make_user(org_a, Role.ANALYST)
    assert _client(other).get(reverse("notifications:watch_rule_edit", args=[rule.pk])).status_code == 404
    assert _client(other).post(reverse("notifications:watch_rule_delete", args=[rule.pk])).status_code == 404
    assert client.get(reverse("notifications:watch_rule_delete", args=[rule.pk])).status_code == 200
    assert client.post(reverse("notifications:watch_rule_delete", args=[rule.pk])).status_code == 302
    assert not WatchRule.objects.exists()


def test_a_rule_cannot_be_made_in_an_organisation_where_one_reads_no_incidents(org_a, org_b, make_user):
    analyst = make_user(org_a, Role.ANALYST)
    response = _client(analyst).post(
        reverse("notifications:watch_rule_create"), {"organisation": org_b.pk, "name": "Theirs"}
    )
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    assert not WatchRule.objects.exists()
