import pytest
from django.db import transaction

from lindung.core import crypto
from lindung.core.models import DataKey


@pytest.mark.django_db
def test_encrypt_roundtrip_and_wrong_context(org_a):
    token = crypto.encrypt("Siti Rahmawati", organisation_id=org_a.pk, context="cases.person.name")
    assert "Siti" not in token
    assert crypto.decrypt(token, context="cases.person.name") == "Siti Rahmawati"
    # A value moved to another column must not decrypt.
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(token, context="cases.person.alias")


@pytest.mark.django_db
def test_tampered_ciphertext_is_refused(org_a):
    token = crypto.encrypt("secret", organisation_id=org_a.pk, context="x.y")
    prefix, key_id, blob = token.split(":")
    flipped = blob[:-4] + ("AAAA" if blob[-4:] != "AAAA" else "BBBB")
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(f"{prefix}:{key_id}:{flipped}", context="x.y")


@pytest.mark.django_db
def test_organisations_have_separate_keys(org_a, org_b):
    crypto.encrypt("a", organisation_id=org_a.pk, context="c")
    crypto.encrypt("b", organisation_id=org_b.pk, context="c")
    keys = DataKey.objects.filter(purpose="data")
    assert keys.values("organisation").distinct().count() == 2
    # Only wrapped keys are stored: no row holds 32 raw bytes in the clear.
    for key in keys:
        assert crypto.unwrap_key(key.wrapped) not in key.wrapped.encode()


@pytest.mark.django_db
def test_blind_index_normalises_and_is_keyed_per_organisation(org_a, org_b):
    a1 = crypto.blind_index("  NURUL  Huda ", organisation_id=org_a.pk, kind="name")
    a2 = crypto.blind_index("nurul huda", organisation_id=org_a.pk, kind="name")
    b1 = crypto.blind_index("nurul huda", organisation_id=org_b.pk, kind="name")
    doc = crypto.blind_index("nurul huda", organisation_id=org_a.pk, kind="document")
    assert a1 == a2
    assert a1 != b1
    assert a1 != doc


@pytest.mark.django_db
def test_pseudonyms_differ_per_purpose(org_a):
    p1 = crypto.pseudonym("42", organisation_id=org_a.pk, purpose="agreement:1")
    p2 = crypto.pseudonym("42", organisation_id=org_a.pk, purpose="agreement:2")
    assert p1 == crypto.pseudonym("42", organisation_id=org_a.pk, purpose="agreement:1")
    assert p1 != p2
    assert p1.startswith("P-")


@pytest.mark.django_db
def test_wrong_master_key_cannot_unwrap(org_a, settings):
    token = crypto.encrypt("x", organisation_id=org_a.pk, context="c")
    settings.LINDUNG_MASTER_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    crypto.forget_cached_keys()
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(token, context="c")


@pytest.mark.django_db
def test_a_key_created_in_a_rolled_back_transaction_is_never_used(org_a):
    """The first value of an organisation creates its data key. If that transaction rolls back, the
    key is gone with it: the next value must be sealed with a key that exists, or nothing will ever
    decrypt it (issue 14)."""
    with pytest.raises(RuntimeError), transaction.atomic():
        crypto.encrypt("first try", organisation_id=org_a.pk, context="c")
        assert DataKey.objects.filter(organisation=org_a).exists()
        raise RuntimeError("the write fails after its value was encrypted")
    assert not DataKey.objects.filter(organisation=org_a).exists()

    token = crypto.encrypt("Amina", organisation_id=org_a.pk, context="c")
    assert DataKey.objects.filter(pk=crypto.token_key_id(token), organisation=org_a).exists()
    assert crypto.decrypt(token, context="c") == "Amina"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_key_is_not_cached_after_a_real_rollback(org_a):
    """The same at the outermost level, where the database really rolls back (and SQLite hands the
    rolled-back key's id to the next key)."""
    with pytest.raises(RuntimeError), transaction.atomic():
        crypto.encrypt("first try", organisation_id=org_a.pk, context="c")
        raise RuntimeError
    token = crypto.encrypt("Amina", organisation_id=org_a.pk, context="c")
    assert DataKey.objects.filter(pk=crypto.token_key_id(token), organisation=org_a).exists()
    crypto.forget_cached_keys()
    assert crypto.decrypt(token, context="c") == "Amina"


@pytest.mark.django_db
def test_keys_created_in_an_open_transaction_are_used_by_it(org_a, django_assert_max_num_queries):
    """Until it commits, a transaction that created a key uses it without a query per value."""
    with transaction.atomic():
        first = crypto.encrypt("a", organisation_id=org_a.pk, context="c")
        with django_assert_max_num_queries(0):
            for _ in range(20):
                assert crypto.token_key_id(crypto.encrypt("b", organisation_id=org_a.pk, context="c")) == (
                    crypto.token_key_id(first)
                )
