"""Deployment configuration: production settings, the documented environment, CSP nonces, secrets files."""

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from labelsp.settings.base import env

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_DIR = BASE_DIR / "labelsp" / "settings"
ENV_EXAMPLE = BASE_DIR / ".env.example"
GUNICORN_CONF = BASE_DIR / "labelsp" / "gunicorn.conf.py"
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"

# `env("NAME"` in the settings; `NAME=value` (or `# NAME=value`, documented but set by compose) in .env.example;
# `os.environ.get("NAME")` / `os.environ["NAME"]` in the gunicorn configuration; `${NAME...}` (not `$${`) in
# docker-compose.yml.
SETTINGS_READ_RE = re.compile(r"\benv\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
ENV_EXAMPLE_RE = re.compile(r"^(?:#\s?)?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
GUNICORN_READ_RE = re.compile(r"os\.(?:environ\.get\(|environ\[|getenv\()\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
COMPOSE_READ_RE = re.compile(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)")


def _prod_env(**overrides):
    """The environment of a production process: the current one without any Django / app variable."""
    documented = set(ENV_EXAMPLE_RE.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name.removesuffix("_FILE") not in documented - {"DATABASE_URL"}
    }
    environ["DJANGO_SETTINGS_MODULE"] = "labelsp.settings.prod"
    environ.update(overrides)
    return environ


def _manage_check_deploy(environ):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_settings():
    secret_key = secrets.token_urlsafe(50)
    assert len(secret_key) >= 50
    result = _manage_check_deploy(
        _prod_env(
            DJANGO_SECRET_KEY=secret_key,
            DJANGO_ALLOWED_HOSTS="label.example.gouv.fr",
            DATABASE_URL=os.environ["DATABASE_URL"],
        )
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output, output
    assert "System check identified no issues" in output, output


def test_production_settings_require_the_secret_key():
    result = _manage_check_deploy(
        _prod_env(DJANGO_ALLOWED_HOSTS="label.example.gouv.fr", DATABASE_URL=os.environ["DATABASE_URL"])
    )
    assert result.returncode != 0, result.stdout
    errors = [line for line in result.stderr.splitlines() if "ImproperlyConfigured" in line]
    assert errors, result.stderr
    assert "DJANGO_SECRET_KEY" in errors[-1], result.stderr


def _names(regex, *paths):
    names = set()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if path.suffix in {".yml", ".yaml"}:  # comments of the compose file are not read by compose
            text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        names |= set(regex.findall(text))
    return names


def test_env_example_documents_exactly_the_variables_read():
    settings_names = _names(SETTINGS_READ_RE, *sorted(SETTINGS_DIR.glob("*.py")))
    documented = _names(ENV_EXAMPLE_RE, ENV_EXAMPLE)
    gunicorn_names = _names(GUNICORN_READ_RE, GUNICORN_CONF)
    compose_names = _names(COMPOSE_READ_RE, COMPOSE_FILE)
    # The patterns find something: an empty match on both sides would pass silently.
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "PROCONNECT_CLIENT_SECRET"} <= settings_names
    assert "WEB_CONCURRENCY" in gunicorn_names
    assert "POSTGRES_PASSWORD" in compose_names

    undocumented = settings_names - documented
    assert not undocumented, f"read by the settings but missing from .env.example: {sorted(undocumented)}"
    unread = documented - settings_names - gunicorn_names - compose_names
    assert not unread, f"in .env.example but read nowhere: {sorted(unread)}"
    assert "_FILE" in ENV_EXAMPLE.read_text(encoding="utf-8"), (
        ".env.example must mention the NAME_FILE variant"
    )


class _ScriptTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


@pytest.mark.django_db
def test_csp_script_nonce_matches_the_dsfr_module_script(client):
    response = client.get("/")
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in header, header

    directives = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        directives[name] = values
    script_src = directives["script-src"]
    assert "'unsafe-inline'" not in script_src, header
    nonces = [value[len("'nonce-") : -1] for value in script_src if value.startswith("'nonce-")]
    assert len(nonces) == 1 and nonces[0], header

    parser = _ScriptTags()
    parser.feed(response.content.decode())
    modules = [attrs for attrs in parser.scripts if attrs.get("type") == "module"]
    assert modules, "the DSFR <script type=module> tag is missing"
    for attrs in modules:
        assert attrs.get("nonce") == nonces[0], (attrs, header)


def test_env_reads_name_file_secrets(monkeypatch, tmp_path):
    secret = tmp_path / "foo"
    secret.write_text("s3cret-from-file\n", encoding="utf-8")
    monkeypatch.delenv("FOO", raising=False)
    monkeypatch.setenv("FOO_FILE", str(secret))
    assert env("FOO") == "s3cret-from-file"
    assert env("FOO", "default") == "s3cret-from-file"

    secret.write_text(" 42 ", encoding="utf-8")
    assert env("FOO", cast=int) == 42

    monkeypatch.setenv("FOO", "from-variable")  # a plain variable wins over the file
    assert env("FOO") == "from-variable"

    monkeypatch.delenv("FOO")
    monkeypatch.delenv("FOO_FILE")
    assert env("FOO", "default") == "default"
    with pytest.raises(ImproperlyConfigured, match="FOO"):
        env("FOO")


def test_an_empty_variable_counts_as_unset(monkeypatch):
    """A blank line of an env file (`DATABASE_URL=`) falls back to the default instead of breaking the settings."""
    monkeypatch.delenv("FOO_FILE", raising=False)
    monkeypatch.setenv("FOO", "")
    assert env("FOO", "default") == "default"
    with pytest.raises(ImproperlyConfigured, match="FOO"):
        env("FOO")
