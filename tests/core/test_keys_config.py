"""The master key at start (issue 13, findings 9 and 13): refused when missing outside the demo,
malformed or wrong, with the setting and the key named; files in var/ for the owner only; the
demo's banner says where its key is."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lindung.core import checks, crypto
from lindung.core.models import DataKey

OTHER_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
SRC = Path(__file__).resolve().parents[2] / "src"


def _ids(errors):
    return [error.id for error in errors if error.is_serious()]


def test_no_key_outside_the_demo_is_refused_and_none_is_generated(settings, tmp_path):
    settings.LINDUNG_MASTER_KEY = ""
    settings.LINDUNG_DEMO = False
    settings.LINDUNG_MASTER_KEY_FILE = tmp_path / "master.key"
    with pytest.raises(ImproperlyConfigured, match="LINDUNG_MASTER_KEY"):
        crypto.master_keys()
    assert not settings.LINDUNG_MASTER_KEY_FILE.exists()
    assert _ids(checks.check_keys()) == ["lindung.E001"]


def test_the_demo_generates_its_key_for_the_owner_only(settings, tmp_path):
    settings.LINDUNG_MASTER_KEY = ""
    settings.LINDUNG_DEMO = True
    settings.LINDUNG_MASTER_KEY_FILE = tmp_path / "master.key"
    assert len(crypto.master_keys()) == 1
    assert settings.LINDUNG_MASTER_KEY_FILE.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("key", ["YWJj", "not base64 !", f"{OTHER_KEY},YWJj"])
def test_check_refuses_a_malformed_key(settings, key):
    settings.LINDUNG_MASTER_KEY = key
    assert _ids(checks.check_keys()) == ["lindung.E001"]


@pytest.mark.django_db
def test_check_refuses_a_malformed_audit_key(settings):
    settings.LINDUNG_AUDIT_KEY = "YWJj"
    assert "lindung.E002" in _ids(checks.check_keys())


@pytest.mark.django_db
def test_a_wrong_key_is_named_with_the_data_keys_it_cannot_unwrap(settings, org_a):
    crypto.encrypt("x", organisation_id=org_a.pk, context="c")
    key = DataKey.objects.get(organisation=org_a)
    assert _ids(checks.check_keys()) == []

    settings.LINDUNG_MASTER_KEY = OTHER_KEY
    crypto.forget_cached_keys()
    errors = checks.check_keys()
    assert _ids(errors) == ["lindung.E003"]
    assert f"data key {key.pk} of organisation" in errors[0].msg
    assert f"(id {org_a.pk})" in errors[0].msg
    with pytest.raises(ImproperlyConfigured, match="lindung.E003"):
        checks.require_keys()


@pytest.mark.django_db
def test_a_value_under_a_wrong_key_is_not_blamed_on_the_value(settings, org_a):
    token = crypto.encrypt("x", organisation_id=org_a.pk, context="c")
    settings.LINDUNG_MASTER_KEY = OTHER_KEY
    crypto.forget_cached_keys()
    with pytest.raises(crypto.CryptoError, match="not in LINDUNG_MASTER_KEY"):
        crypto.decrypt(token, context="c")


@pytest.mark.django_db
def test_the_demo_banner_says_where_the_key_is(client, settings, tmp_path):
    settings.LINDUNG_DEMO = True
    settings.LINDUNG_MASTER_KEY = ""
    settings.LINDUNG_MASTER_KEY_FILE = tmp_path / "master.key"
    page = client.get("/account/login/").content.decode()
    assert 'class="demo-banner"' in page
    assert str(tmp_path / "master.key") in page
    settings.LINDUNG_DEMO = False
    assert 'class="demo-banner"' not in client.get("/account/login/").content.decode()


def test_check_warns_of_files_others_can_read(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.LINDUNG_MASTER_KEY_FILE = tmp_path / "master.key"
    settings.LINDUNG_MASTER_KEY_FILE.write_text("x")
    tmp_path.chmod(0o700)
    settings.LINDUNG_MASTER_KEY_FILE.chmod(0o644)
    warnings = [w for w in checks._loose_files() if w.id == "lindung.W001"]
    assert [w.hint for w in warnings] == [f"chmod 600 {settings.LINDUNG_MASTER_KEY_FILE}"]


def _lindung(tmp_path, *args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LINDUNG_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "lindung.cli", *args],
        env={**clean, "PYTHONPATH": str(SRC), "LINDUNG_VAR_DIR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_outside_the_demo_commands_refuse_to_start_without_a_valid_key(tmp_path):
    database = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    done = _lindung(tmp_path, "check", DATABASE_URL=database)
    assert done.returncode == 1
    assert "lindung.E001" in done.stderr and "LINDUNG_MASTER_KEY is not set" in done.stderr
    done = _lindung(tmp_path, "check", DATABASE_URL=database, LINDUNG_MASTER_KEY="YWJj")
    assert done.returncode == 1
    assert "lindung.E001" in done.stderr and "decodes to 3 bytes" in done.stderr
    assert not (tmp_path / "var" / "master.key").exists()


def test_the_demo_migrates_an_empty_database_into_an_owner_only_var(tmp_path):
    done = _lindung(tmp_path, "migrate", "--noinput")
    assert done.returncode == 0, done.stderr
    var = tmp_path / "var"
    assert var.stat().st_mode & 0o777 == 0o700
    for name in ("lindung.sqlite3", "master.key", "secret.key"):
        assert (var / name).stat().st_mode & 0o777 == 0o600, name
    assert _lindung(tmp_path, "check").returncode == 0
