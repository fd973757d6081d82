"""The public registry (issue #8): the labelled services as anyone may read them, and the habilitated bodies.

`registry_labels` is the one query behind the list page, the service pages, the exports, the API and the feed:
labels in force on a date (active or suspended; withdrawn and expired ones are absent), filtered by search and
facets. `registry_version` names the current state of the registry for caches: it changes whenever a label, a
suspension, a withdrawal, a service, a site or a body changes (signals in registry/apps.py), and each day (labels
expire by their dates).
"""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

VERSION_KEY = "registry:version"


@dataclass(frozen=True)
class RegistryFilters:
    q: str = ""  # name or city
    tier: str = ""
    region: str = ""
    departement: str = ""
    kind: str = ""  # a LocalServiceKind, or "central" for central services
    network: int | None = None  # a central service's id: its network's locals and itself
    body: int | None = None  # a certification body's id


def registry_labels(on: datetime.date | None = None, filters: RegistryFilters | None = None):
    """Labels on the public list on `on` (today): in force, no withdrawal effective by then; `is_suspended` tells a
    suspension running that day. Ordered by service name, with what every public page shows."""
    from decisions.services_lifecycle import public_labels

    filters = filters or RegistryFilters()
    labels = public_labels(on).select_related(
        "local_service", "local_service__parent", "central_service", "certification_body"
    )
    if filters.q:
        words = filters.q.split()[:8]
        for word in words:
            labels = labels.filter(
                Q(local_service__name__icontains=word)
                | Q(local_service__city__icontains=word)
                | Q(central_service__name__icontains=word)
            )
    if filters.tier:
        labels = labels.filter(tier=filters.tier)
    if filters.region:
        labels = labels.filter(local_service__region=filters.region)
    if filters.departement:
        labels = labels.filter(local_service__departement=filters.departement)
    if filters.kind == "central":
        labels = labels.filter(central_service__isnull=False)
    elif filters.kind:
        labels = labels.filter(local_service__kind=filters.kind)
    if filters.network:
        labels = labels.filter(
            Q(local_service__parent_id=filters.network) | Q(central_service_id=filters.network)
        )
    if filters.body:
        labels = labels.filter(certification_body_id=filters.body)
    return labels.order_by("local_service__name", "central_service__name", "pk")


def registry_version() -> str:
    """The registry's current state, for cache keys: a counter bumped on every change, and today's date."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY) or 1
    return f"{version}:{timezone.localdate():%Y%m%d}"


def registry_changed(**_kwargs) -> None:
    """Signal receiver: something the registry shows changed; every cached page and export is stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or evicted): the next read starts one
        cache.add(VERSION_KEY, 2, timeout=None)


def cache_get(key: str):
    """A cached registry value, or None; always None when the cache is turned off (REGISTRY_CACHE_SECONDS=0), so
    that entries written before it was turned off are not served either."""
    from django.conf import settings

    return cache.get(key) if settings.REGISTRY_CACHE_SECONDS > 0 else None


def cache_set(key: str, value) -> None:
    from django.conf import settings

    if settings.REGISTRY_CACHE_SECONDS > 0:
        cache.set(key, value, settings.REGISTRY_CACHE_SECONDS)
