"""The public registry (issue #8): the labelled services as anyone may read them, and the habilitated bodies.

`registry_labels` is the one query behind the list page, the service pages, the exports, the API and the feed:
labels in force on a date (active or suspended; withdrawn and expired ones are absent), filtered by search and
facets. Their cache: registry/cache.py.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q


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
    return labels.order_by("sort_name", "pk")
