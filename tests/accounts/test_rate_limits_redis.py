"""Login rate limits hold across processes: in production they live in Redis, shared by every gunicorn worker."""

import os
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def redis_cache():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL is not set: run the suite with `make test`, which starts a throwaway Redis.")
    prefix = f"ratelimit-test-{uuid.uuid4().hex[:8]}"
    config = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=config):
        cache = caches["default"]
        yield cache
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def test_failed_logins_are_counted_in_redis_and_lock_the_address(client, redis_cache):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "mauvais-mot-de-passe"})
    raw = redis_cache._cache.get_client(write=False)
    assert any(True for _ in raw.scan_iter(f"{redis_cache.key_prefix}:*")), "no rate-limit key in Redis"

    # A fresh client (another browser, another gunicorn worker): the counter is shared through Redis.
    other_client = client.__class__()
    response = other_client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "_auth_user_id" not in other_client.session
