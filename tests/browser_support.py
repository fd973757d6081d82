"""What every browser test shares (pytest plugin, loaded by tests/conftest.py): Debian's Chromium driven by
Playwright against pytest-django's live server, logged-in browser contexts, and screenshots of each step kept in
tests/artifacts/<test>/ when the test fails.

Chromium comes from the Debian package (.ci/run installs it), never from `playwright install`. Browser tests are
transactional (the live server runs in another thread): mark them
`pytest.mark.django_db(transaction=True, serialized_rollback=True)` and keep them in their own files.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.test import Client

# Read when the browser starts and when the ORM is called, not at import.
# Playwright's sync API runs an event loop in this thread: Django must accept ORM calls from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TABLET = {"width": 1024, "height": 768}
DESKTOP = {"width": 1280, "height": 800}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item, for the fixtures that act on failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_url(request, django_db_setup):
    """pytest-django's live server's URL. Django's live server thread wraps every request in a media-files handler,
    which cannot parse our MEDIA_URL = None (private files are never served by URL): give it a path no one uses
    while the server starts (the handler reads it once), then put the setting back. It depends on the test
    database so that the server stops (and closes its connections) before the database is dropped."""
    from django.conf import settings

    previous = settings.MEDIA_URL
    settings.MEDIA_URL = "/media-non-servis/"
    try:
        return request.getfixturevalue("live_server").url
    finally:
        settings.MEDIA_URL = previous


@pytest.fixture
def browser():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        # With Playwright's loop running, Django keeps the test's connection in a context variable that the
        # database teardown does not see: close it while the loop still runs, or the test database cannot be
        # dropped.
        connections.close_all()
        browser.close()


class Network:
    """A browser context's network, which a test cuts and gives back: Chromium goes offline and every request is
    aborted, the service worker's included (set PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS=1 before the browser
    starts for route() to see them); `cut` lists the URLs refused meanwhile."""

    def __init__(self, context):
        self.context = context
        self.down = False
        self.cut = []
        context.route("**/*", self._route)

    def _route(self, route):
        if self.down:
            self.cut.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def go_offline(self) -> None:
        self.down = True
        self.context.set_offline(True)

    def go_online(self) -> None:
        self.down = False
        self.context.set_offline(False)


def wait_for_the_offline_grading(page) -> None:
    """The tablet's grading page is ready to work offline: its service worker is installed (within 10 s), the page
    and its assets are cached, and the grading script has started."""
    from playwright.sync_api import expect

    assert page.evaluate(
        "Promise.race([navigator.serviceWorker.ready.then(() => true),"
        " new Promise((resolve) => setTimeout(() => resolve(false), 10000))])"
    ), "the service worker did not install"
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "true")
    expect(page.locator("#grading")).to_have_attribute("data-ready", "true")


def session_cookie(user, base_url: str) -> dict:
    """A logged-in session for `user` (as after the login form and, for the roles that need it, the second
    factor: give the user a TOTP first, tests.accounts.factories.give_totp)."""
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}


class Steps:
    """Screenshots of a journey's steps: `steps.shot(page, "what the user just did")` after each step. They are
    written to a temporary folder and copied to tests/artifacts/<test>/ only when the test fails, with one more of
    every open page at the moment of failure."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self.pages = []

    def watch(self, page):
        """Screenshot `page` too when the test fails."""
        self.pages.append(page)
        return page

    def shot(self, page, name: str) -> None:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{slug}.png"), full_page=True)
        if page not in self.pages:
            self.pages.append(page)


@pytest.fixture
def steps(request, tmp_path):
    recorder = Steps(tmp_path / "steps")
    recorder.folder.mkdir()
    yield recorder
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        target = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(recorder.folder, target)
        for n, page in enumerate(recorder.pages, start=1):
            if not page.is_closed():
                page.screenshot(path=str(target / f"failure-{n}.png"), full_page=True)
