import pytest
from django.db import connections


@pytest.fixture
def browser(browser):
    """tests.browser_support's browser, and after the journey: with Playwright's loop running, Django keeps the
    test's connection in a context variable that the database teardown does not see — close it while the loop still
    runs, or the test database cannot be dropped."""
    yield browser
    connections.close_all()
