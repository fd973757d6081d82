"""Benchmark of the deadline sweep (issue #7, « Performance »), called by scripts/bench_survey_import.py (`make bench`):

- a sweep over 100,000 deadlines of which none is due, against one indexed SELECT on the same table: the partial
  index on the open rows' next action keeps the sweep's cost independent of the rows not yet due;
- 10,000 deadlines due at once, each notifying one person by e-mail (a discarding backend), processed in batches of
  `SWEEP_BATCH` rows: time per deadline, against an UPDATE of one row by primary key; and the peak memory of the
  sweep (tracemalloc) for one batch and for five batches due, which must not grow with the number due.
"""

import datetime
import time
import tracemalloc

NOT_DUE = 100_000
DUE = 10_000
MEMORY_RUNS = (500, 2_500)  # one batch, five batches


def _world():
    from labelsp.accounts.enums import Role
    from tests.accounts.factories import MembershipFactory
    from tests.decisions.factories import LabelFactory

    label = LabelFactory()
    MembershipFactory(role=Role.CANDIDATE, organisation=label.local_service)
    return label


def _rows(label, count: int, *, prefix: str, next_action_on):
    from django.contrib.contenttypes.models import ContentType

    from labelsp.deadlines.enums import DeadlineKind
    from labelsp.deadlines.models import Deadline

    subject_type = ContentType.objects.get_for_model(label)
    Deadline.objects.bulk_create(
        (
            Deadline(
                key=f"{prefix}:{n}",
                kind=DeadlineKind.RENEWAL,
                subject_type=subject_type,
                subject_id=label.pk,
                local_service_id=label.local_service_id,
                certification_body_id=label.certification_body_id,
                actor="candidate",
                due_on=next_action_on,
                next_action_on=next_action_on,
            )
            for n in range(count)
        ),
        batch_size=5_000,
    )


def _best(repeat: int, function) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def measure(repeat: int) -> list[tuple]:
    from django.db import connection
    from django.test.utils import override_settings

    from labelsp.deadlines.models import Deadline
    from labelsp.deadlines.services import sweep

    today = datetime.date.today()
    label = _world()
    _rows(label, NOT_DUE, prefix="bench-later", next_action_on=today + datetime.timedelta(days=400))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE deadlines_deadline")
    some = Deadline.objects.order_by("pk").values_list("pk", flat=True)[NOT_DUE // 2]
    sweep_idle = _best(repeat * 4, sweep)
    select = _best(repeat * 4, lambda: Deadline.objects.filter(pk=some).first())

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _rows(label, DUE, prefix="bench-due", next_action_on=today)
        started = time.perf_counter()
        moved = sweep()
        per_deadline = (time.perf_counter() - started) / DUE
        assert moved == DUE, moved
        update = _best(repeat * 20, lambda: Deadline.objects.filter(pk=some).update(stage=0))
        peaks = {}
        for count in MEMORY_RUNS:
            _rows(label, count, prefix=f"bench-mem-{count}", next_action_on=today)
            tracemalloc.start()
            assert sweep() == count
            peaks[count] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    small, large = MEMORY_RUNS
    print(
        f"Deadlines: sweep peak memory {peaks[small] / 1e6:.2f} MB for {small:,} due, "
        f"{peaks[large] / 1e6:.2f} MB for {large:,} due ({peaks[large] / peaks[small]:.2f}×)"
    )
    return [
        (f"Sweep, {NOT_DUE:,} rows, none due", sweep_idle, "one indexed SELECT, same table", select, None),
        (f"Sweep, {DUE:,} due, per deadline", per_deadline, "UPDATE of one row by primary key", update, None),
        (
            f"Sweep peak memory, {large:,} due",
            peaks[large],
            f"the same for {small:,} due",
            peaks[small],
            1.2,
            "B",
        ),
    ]
