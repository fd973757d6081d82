import pytest
from django.core.cache import cache

pytest_plugins = ["tests.browser_support"]


@pytest.fixture(autouse=True)
def _isolate(settings, tmp_path):
    """Each test starts with an empty cache (rate limits, the registry's memory tier), its own private media folder
    and signing keys."""
    from registry.cache import local_clear

    cache.clear()
    local_clear()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    settings.SIGNING_KEYS_DIR = tmp_path / "signing-keys"
    yield
    cache.clear()
    local_clear()


@pytest.fixture
def login(client):
    """Log `user` in, with a second factor already set up when the role requires one."""
    from tests.accounts.factories import give_totp

    def _login(user):
        if user.requires_mfa:
            give_totp(user)
        client.force_login(user)
        return client

    return _login
