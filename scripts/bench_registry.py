"""Benchmark of the public registry (issue #8, « Performance »), called by scripts/bench_survey_import.py:
20,000 labelled services with 60,000 sites; `/registre/` (first page, and a filtered page) and `/api/v1/labels/`
served by gunicorn with the production settings (labelsp/settings/bench.py adds only a trivial "ok" view), loaded
by wrk; each page's throughput against the trivial view's in the same run, cached and uncached
(REGISTRY_CACHE_SECONDS=0). Goals: ≥ 0.8 × cached, ≥ 0.3 × uncached — in the table as time per request, ≤ 1.25 ×
and ≤ 3.33 ×. p99 latencies are printed. Needs `wrk` (Debian: apt-get install wrk).
"""

import datetime
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = 20_000
SITES_PER_SERVICE = 3
SERIES = "7350"
WRK_SECONDS = 4
PAGES = (
    ("/registre/", "registry, first page"),
    ("/registre/?region=84&tier=or", "registry, filtered page"),
    ("/api/v1/labels/", "API, first page"),
)
# The floor of any HTML page: the lightest page of the site in the house layout (one small query), uncached. A
# registry page cannot be served faster than this; it shows what the uncached goal asks of Django's templates.
FLOOR = ("/registre/organismes/", "layout floor (bodies)")


def _world() -> None:
    """SERVICES labelled local services, SITES_PER_SERVICE sites each (kept from a previous run)."""
    from django.utils import timezone

    from candidates.enums import (
        ApplicationKind,
        ApplicationOutcome,
        ApplicationStatus,
        LocalServiceKind,
        SiteKind,
    )
    from candidates.models import Application, LocalService, Site
    from decisions.enums import DecisionOutcome, Tier
    from decisions.models import Decision, Label, label_last_day
    from labelsp.geo import DEPARTEMENTS, region_of
    from labelsp.validators import complete_siret
    from tests.decisions.factories import LabelFactory

    if LocalService.objects.filter(siret__startswith=SERIES).count() >= SERVICES:
        return
    template = LabelFactory()
    body, user = template.certification_body, template.decision.decided_by
    today = timezone.localdate()
    codes = [code for code in DEPARTEMENTS if code not in ("2A", "2B")]
    services = LocalService.objects.bulk_create(
        (
            LocalService(
                name=f"Service public n°{n:05d}",
                kind=list(LocalServiceKind)[n % len(LocalServiceKind)],
                siret=complete_siret(f"{SERIES}{n:09d}"),
                street="1 rue de la République",
                postal_code=f"{codes[n % len(codes)]}000"[:5],
                city=f"Commune {n % 997}",
                departement=codes[n % len(codes)],
                region=region_of(codes[n % len(codes)]),
            )
            for n in range(SERVICES)
        ),
        batch_size=5_000,
    )
    Site.objects.bulk_create(
        (
            Site(
                local_service=service,
                name=f"Site {k}",
                kind=SiteKind.PRINCIPAL if k == 0 else SiteKind.SECONDARY,
                agents_in_contact=5,
                street=service.street,
                postal_code=service.postal_code,
                city=service.city,
                departement=service.departement,
                region=service.region,
            )
            for service in services
            for k in range(SITES_PER_SERVICE)
        ),
        batch_size=10_000,
    )
    applications = Application.objects.bulk_create(
        (
            Application(
                local_service=service,
                kind=ApplicationKind.INITIAL,
                status=ApplicationStatus.CLOSED,
                outcome=ApplicationOutcome.LABELLED,
                certification_body=body,
                created_by=user,
            )
            for service in services
        ),
        batch_size=5_000,
    )
    tiers = list(Tier)
    decisions = Decision.objects.bulk_create(
        (
            Decision(
                application=application,
                local_service_id=application.local_service_id,
                certification_body=body,
                outcome=DecisionOutcome.AWARD,
                tier=tiers[n % 3],
                inputs={},
                decided_by=user,
                decided_on=today - datetime.timedelta(days=n % 1000),
            )
            for n, application in enumerate(applications)
        ),
        batch_size=5_000,
    )
    names = {service.pk: service.name for service in services}
    Label.objects.bulk_create(
        (
            Label(
                local_service_id=decision.local_service_id,
                certification_body=body,
                decision=decision,
                tier=decision.tier,
                starts_on=decision.decided_on,
                ends_on=label_last_day(decision.decided_on),
                sort_name=names[decision.local_service_id],
            )
            for decision in decisions
        ),
        batch_size=5_000,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wrk(url: str) -> tuple[float, float]:
    """(requests per second, p99 latency in seconds) of `url` under wrk, 2 threads, 8 connections."""
    output = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{WRK_SECONDS}s", "--latency", "-H", "X-Forwarded-Proto: https", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()
    p99 = float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]
    if "Non-2xx" in output:
        raise RuntimeError(f"wrk got errors from {url}:\n{output}")
    return rate, p99


def _serve(env: dict, static_root: str):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "labelsp/gunicorn.conf.py", "labelsp.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", "2", "--access-logfile", "/dev/null",
         "--worker-tmp-dir", tempfile.gettempdir()],
        cwd=ROOT, env={**env, "STATIC_ROOT": static_root}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            request = urllib.request.Request(base + "/bench/ok/", headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode(errors="replace")[-2000:])


def measure(repeat: int) -> list[tuple]:
    if shutil.which("wrk") is None:
        print("Registry: wrk is not installed (Debian: apt-get install wrk): its figures are not measured.")
        return []
    from django.conf import settings

    _world()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "labelsp.settings.bench",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "DB_CONN_MAX_AGE": "60",
    }
    rows = []
    with tempfile.TemporaryDirectory() as static_root:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env={**env, "STATIC_ROOT": static_root}, check=True,
        )  # fmt: skip
        for cached, goal in ((True, 1.25), (False, 1 / 0.3)):
            process, base = _serve(
                {**env, "REGISTRY_CACHE_SECONDS": str(settings.REGISTRY_CACHE_SECONDS if cached else 0)},
                static_root,
            )
            try:
                for path, _label in PAGES:  # warm-up: connections, caches
                    _wrk(base + path)
                ok_rate, ok_p99 = _wrk(base + "/bench/ok/")
                state = "cached" if cached else "uncached"
                print(f"Registry ({state}): trivial view {ok_rate:.0f} req/s, p99 {ok_p99 * 1000:.1f} ms")
                for path, label in PAGES if cached else (*PAGES, FLOOR):
                    rate, p99 = _wrk(base + path)
                    print(
                        f"  {label}: {rate:.0f} req/s ({rate / ok_rate:.2f}× the trivial view), p99 {p99 * 1000:.1f} ms"
                    )
                    rows.append(
                        (
                            f"{label[:24]}, {state}",
                            1 / rate,
                            "trivial view, same gunicorn",
                            1 / ok_rate,
                            None if (path, label) == FLOOR else goal,
                        )
                    )
            finally:
                process.terminate()
                process.wait(timeout=30)
    return rows
