"""Gunicorn configuration of the container image: `gunicorn -c labelsp/gunicorn.conf.py labelsp.wsgi`.

This is application-server configuration, not Django settings, so it reads `os.environ` itself.
"""

import multiprocessing
import os

# Inside the container; docker-compose.yml publishes the port on the host's 127.0.0.1 only.
bind = "0.0.0.0:8000"

# WEB_CONCURRENCY wins; otherwise the usual 2 x cores + 1, capped so a big host does not exhaust memory
# (and PostgreSQL connections).
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))

# Requests taking longer are killed (PDF generation included); the reverse proxy should wait a bit more.
timeout = 60
graceful_timeout = 30

# Access and error logs on stdout / stderr, collected by `docker compose logs`.
accesslog = "-"
errorlog = "-"

# Heartbeat files in memory rather than on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm"  # noqa: S108

# TLS terminates at the reverse proxy in front of the container, which sets X-Forwarded-Proto / -For.
# Gunicorn trusts those headers from any peer because the port is only reachable through that proxy
# (published on 127.0.0.1, or on a private network); Django reads X-Forwarded-Proto through
# SECURE_PROXY_SSL_HEADER (labelsp/settings/prod.py). Never publish this port directly on the Internet.
forwarded_allow_ips = "*"

# No runtime control socket (gunicornc): the container is managed by restarting it, and the default
# path ($HOME/.gunicorn) is not writable by the unprivileged user.
control_socket_disable = True
