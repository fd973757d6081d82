"""The public registry's cache (issue #8): its pages, exports and API answers, per state of the registry.

`registry_version()` names the current state: a counter in the shared cache (Redis in production), bumped by
signals on every label, suspension, withdrawal, attestation, service, site or body change (registry/apps.py), plus
today's date (labels expire by their dates). Every key holds it, so a change makes every entry stale at once and
nothing has to be deleted.

Two tiers: the shared cache, and a small bounded memory in each process in front of it. A process reads the shared
version at most every `REGISTRY_VERSION_CHECK_SECONDS` (2 s in production, 0 in tests): another process's change
reaches every worker within that delay; the process that made it sees it at once. A cached answer then costs no
round trip at all, which is what brings a cached registry page close to a trivial view (`make bench`).

Whole pages (`shared_page`) are shared only between visitors who carry no session and no message: the page is
then the same for all of them except for the CSP nonce, stored as a placeholder and filled in afresh for each
response. A page that holds a CSRF token (a POST form) is never shared; nor is anything of a logged-in user's page.
"""

import contextlib
import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

VERSION_KEY = "registry:version"
# The memory tier: at most this many entries per process, none larger than LOCAL_MAX_BYTES (the exports, several
# megabytes with 20,000 services, stay in the shared tier only).
LOCAL_MAX_ENTRIES = 256
LOCAL_MAX_BYTES = 512 * 1024
# The placeholder of the per-request CSP nonce in a shared page; it cannot occur in a rendered page by chance.
NONCE_SLOT = "labelsp-csp-nonce-9f2c47d1e0b3"

_lock = threading.Lock()
_local: OrderedDict = OrderedDict()
_version_memo: tuple[str, float] | None = None


def _shared_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A random start: after a flush of the shared cache, no process may take an old entry of its memory tier
        # (kept under an old counter value) for a current one.
        cache.add(VERSION_KEY, secrets.randbelow(2**40), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def registry_version() -> str:
    """The registry's current state, for cache keys: the shared counter (read at most every
    REGISTRY_VERSION_CHECK_SECONDS by a process) and today's date."""
    global _version_memo
    now = time.monotonic()
    memo = _version_memo
    if memo is None or now - memo[1] >= settings.REGISTRY_VERSION_CHECK_SECONDS:
        memo = (f"{_shared_version()}:{timezone.localdate():%Y%m%d}", now)
        _version_memo = memo
    return memo[0]


def registry_changed(**_kwargs) -> None:
    """Signal receiver: something the registry shows changed; every cached page and export is stale."""
    global _version_memo
    with contextlib.suppress(ValueError):  # no version yet (or evicted): the next read starts one
        cache.incr(VERSION_KEY)
    _version_memo = None  # this process sees its own change at once


def local_clear() -> None:
    """Empty this process's memory tier (tests start from nothing)."""
    global _version_memo
    with _lock:
        _local.clear()
    _version_memo = None


def cache_get(key: str):
    """A cached registry value, or None; always None when the cache is turned off (REGISTRY_CACHE_SECONDS=0), so
    that entries written before it was turned off are not served either. `key` must hold `registry_version()`."""
    if settings.REGISTRY_CACHE_SECONDS <= 0:
        return None
    with _lock:
        value = _local.get(key)
        if value is not None:
            _local.move_to_end(key)
            return value
    value = cache.get(key)
    if value is not None:
        _remember(key, value)
    return value


def cache_set(key: str, value) -> None:
    if settings.REGISTRY_CACHE_SECONDS > 0:
        cache.set(key, value, settings.REGISTRY_CACHE_SECONDS)
        _remember(key, value)


def _size(value) -> int:
    if isinstance(value, bytes | str):
        return len(value)
    if isinstance(value, tuple):
        return sum(_size(item) for item in value)
    return 0


def _remember(key: str, value) -> None:
    if _size(value) > LOCAL_MAX_BYTES:
        return
    with _lock:
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > LOCAL_MAX_ENTRIES:
            _local.popitem(last=False)


# --- Whole pages ----------------------------------------------------------------------------------------------------


def shareable(request) -> bool:
    """Whether `request` would get the same page as any other anonymous visitor's: no session (no login, no
    per-visitor state) and no pending message; GET or HEAD only."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def shared_page(request, key: str, render) -> HttpResponse:
    """The page `render()` returns for `request`, shared between anonymous visitors under `key` (with the
    registry's version and the language). Only complete 200 answers that set no cookie and hold no CSRF token are
    shared; their CSP nonce is replaced by the request's own."""
    if settings.REGISTRY_CACHE_SECONDS <= 0 or not shareable(request):
        return render()
    full_key = f"registry:page:{registry_version()}:{translation.get_language()}:{key}"
    entry = cache_get(full_key)
    if entry is None:
        response = render()
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a token was rendered: it is this visitor's own
        ):
            return response
        content = response.content.decode(response.charset)
        nonce = getattr(request, "_csp_nonce", None)
        if isinstance(nonce, str):
            content = content.replace(nonce, NONCE_SLOT)
        entry = (content, response["Content-Type"])
        cache_set(full_key, entry)
    content, content_type = entry
    if NONCE_SLOT in content:
        content = content.replace(NONCE_SLOT, str(request.csp_nonce))
    response = HttpResponse(content, content_type=content_type)
    # What a logged-in visitor gets differs: no shared cache on the way may answer them with this page.
    patch_vary_headers(response, ("Cookie",))
    return response
