"""Deadlines (rows swept by a periodic task, never Celery ETAs) and the notifications they send (issue #7)."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from labelsp.deadlines.enums import Actor, DeadlineKind, DeadlineStatus, Step


class DeadlineQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=DeadlineStatus.OPEN)

    def pending(self):
        """Open and overdue deadlines, overdue ones first then by due date, with what their pages show."""
        return (
            self.filter(status__in=(DeadlineStatus.OPEN, DeadlineStatus.OVERDUE))
            .select_related("local_service", "central_service", "certification_body")
            .annotate(
                overdue_first=models.Case(
                    models.When(status=DeadlineStatus.OVERDUE, then=models.Value(0)),
                    default=models.Value(1),
                    output_field=models.IntegerField(),
                )
            )
            .order_by("overdue_first", "due_on", "pk")
        )

    def for_user(self, user):
        """The deadlines of the organisations the user acts for (active memberships); the DITP sees them all."""
        from labelsp.accounts.enums import Role

        memberships = list(user.memberships.active()) if user.is_authenticated else []
        if any(m.role in (Role.DITP, Role.COMMISSION) for m in memberships):
            return self
        condition = Q(pk__in=[])
        for membership in memberships:
            if membership.local_service_id:
                condition |= Q(local_service_id=membership.local_service_id)
            if membership.central_service_id:
                condition |= Q(central_service_id=membership.central_service_id) | Q(
                    local_service__parent_id=membership.central_service_id
                )
            if membership.certification_body_id:
                condition |= Q(certification_body_id=membership.certification_body_id)
        return self.filter(condition)


class Deadline(models.Model):
    """A dated obligation: created by the service that causes it, moved on by the sweep (reminders, escalation),
    closed when done. `key` names it (e.g. "label:12:follow_up_audit:1") so that recomputing a schedule updates
    rows instead of adding new ones."""

    key = models.CharField(_("clé"), max_length=120, unique=True)
    kind = models.CharField(_("échéance"), max_length=30, choices=DeadlineKind.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    local_service = models.ForeignKey(
        "candidates.LocalService", on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    central_service = models.ForeignKey(
        "candidates.CentralService", on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    certification_body = models.ForeignKey(
        "registry.CertificationBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadlines",
    )
    actor = models.CharField(_("qui doit agir"), max_length=20, choices=Actor.choices)
    due_on = models.DateField(_("échéance"))
    window_start = models.DateField(_("début de la période"), null=True, blank=True)
    window_end = models.DateField(_("fin de la période"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    # Index of the next step (rules.steps) and its date: what the sweep looks at.
    stage = models.PositiveSmallIntegerField(default=0)
    next_action_on = models.DateField(_("prochaine action le"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Who declared it done, for the obligations the platform cannot observe (rules.SELF_DECLARED).
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déclarée faite par"),
    )

    objects = DeadlineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("échéance")
        verbose_name_plural = _("échéances")
        ordering = ["due_on", "pk"]
        indexes = [
            # The sweep reads open rows whose next action is due: rows not yet due cost it nothing.
            models.Index(
                fields=["next_action_on", "id"],
                name="deadline_sweep",
                condition=Q(status="open", next_action_on__isnull=False),
            ),
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject"),
        ]
        constraints = [
            models.CheckConstraint(name="deadline_kind_valid", condition=Q(kind__in=DeadlineKind.values)),
            models.CheckConstraint(
                name="deadline_status_valid", condition=Q(status__in=DeadlineStatus.values)
            ),
            models.CheckConstraint(
                name="deadline_window_ordered",
                condition=Q(window_start__isnull=True)
                | Q(window_end__isnull=True)
                | Q(window_start__lte=models.F("window_end")),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.due_on:%d/%m/%Y}"

    @property
    def service(self):
        return self.local_service or self.central_service


class Notification(models.Model):
    """One message to one person, recorded once: in the app (unread until opened) and by e-mail (`emailed_at` is
    set in the same transaction that sends it). A deadline's step notifies each person at most once."""

    HISTORY_EXEMPT = "a message log: only its read and e-mailed dates are set, once"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("personne"),
    )
    deadline = models.ForeignKey(
        Deadline, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    step = models.CharField(_("étape"), max_length=20, choices=Step.choices, blank=True)
    subject = models.CharField(_("objet"), max_length=250)
    body = models.TextField(_("message"))
    url = models.CharField(_("lien"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("envoyée par e-mail le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "step", "user"],
                condition=Q(deadline__isnull=False),
                name="notification_once_per_step",
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.subject


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private iCalendar feed of their deadlines: a secret URL, revoked by issuing a new one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="calendar_feed",
        verbose_name=_("personne"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda personnel")
        verbose_name_plural = _("agendas personnels")

    def __str__(self):
        return str(self.user)
