"""Addresses a browser or a person reaches without a link: the icon, an action's address."""

import pytest

from lindung.core.roles import Role

pytestmark = pytest.mark.django_db


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO signature


def test_action_address_opened_directly_gets_a_page(client_for, org_a):
    client = client_for(org_a, Role.CASEWORKER)
    response = client.get("/screening/interviews/1/link/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert b"<h1>" in response.content
    assert b"<main" in response.content


def test_api_keeps_its_json_answer_to_a_wrong_method(client_for, org_a):
    client = client_for(org_a, Role.CASEWORKER)
    response = client.delete("/api/v1/schema/")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/")
