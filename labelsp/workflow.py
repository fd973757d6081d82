"""Workflows: a `TextChoices` of states, an explicit table of allowed transitions, an append-only log.

A view never sets a status: a service calls `transition()`, which checks the table, updates the row with a
conditional UPDATE (so two concurrent requests cannot both move the same object) and writes the log entry
(who, when, why) in the same transaction.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TransitionNotAllowed(Exception):
    """The object is not in a state from which this transition may be taken (or it moved meanwhile)."""


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str

    def __init__(self, name, sources, target):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)


class TransitionLog(models.Model):
    """One business event of a workflow. Never updated, never deleted."""

    transition = models.CharField(_("transition"), max_length=40)
    from_state = models.CharField(_("état de départ"), max_length=40)
    to_state = models.CharField(_("état d’arrivée"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    at = models.DateTimeField(_("date"), default=timezone.now)
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


def transition(
    obj,
    spec: Transition,
    *,
    actor,
    reason: str = "",
    extra_updates: dict | None = None,
    log_model,
    log_fk: str,
):
    """Move `obj` along `spec`, atomically; raises TransitionNotAllowed when `obj` is not in a source state."""
    if obj.status not in spec.sources:
        raise TransitionNotAllowed(f"{spec.name} is not allowed from {obj.status}")
    updates = {"status": spec.target, **(extra_updates or {})}
    with transaction.atomic():
        moved = type(obj).objects.filter(pk=obj.pk, status=obj.status).update(**updates)
        if not moved:
            raise TransitionNotAllowed(f"{obj!r} changed state meanwhile")
        log_model.objects.create(
            **{log_fk: obj},
            transition=spec.name,
            from_state=obj.status,
            to_state=spec.target,
            actor=actor,
            reason=reason,
        )
    for field, value in updates.items():
        setattr(obj, field, value)
    return obj
