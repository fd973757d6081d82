"""A small fixed-window rate limit per client address, in the Django cache (Redis in production)."""

from django.core.cache import cache
from django.utils.crypto import salted_hmac


def over_limit(request, *, scope: str, limit: int, window: int) -> bool:
    """Count this request in `scope`; True once the client sent more than `limit` in `window` seconds.

    REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it, and no setting says
    one does. Keyed with SECRET_KEY so the stored hash cannot be reversed by trying every address."""
    client = salted_hmac(scope, request.META.get("REMOTE_ADDR", ""), algorithm="sha256")
    key = f"ratelimit:{scope}:{client.hexdigest()}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
