# syntax=docker/dockerfile:1
# Production image of « Services Publics + »: gunicorn serving labelsp.wsgi (static files by WhiteNoise).
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=labelsp.settings.prod

# Runtime libraries: WeasyPrint (Pango, HarfBuzz, a font), libmagic (upload checks by content),
# gettext (compilemessages).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
        libmagic1 \
        gettext \
    && rm -rf /var/lib/apt/lists/*

# The application runs as an unprivileged user; the code stays owned by root (read-only for it). Its
# home directory is writable for caches (fontconfig, used by WeasyPrint).
RUN groupadd --system --gid 10001 labelsp \
    && useradd --system --uid 10001 --gid labelsp --create-home --home-dir /home/labelsp \
        --shell /usr/sbin/nologin labelsp

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .

# Static files and translations are built into the image. The settings need a secret key and allowed
# hosts to load: dummy build-only values, on this line only (never used at run time).
RUN mkdir -p locale \
    && DJANGO_SECRET_KEY=build-only-not-a-secret DJANGO_ALLOWED_HOSTS=build.invalid \
        python manage.py collectstatic --noinput \
    && DJANGO_SECRET_KEY=build-only-not-a-secret DJANGO_ALLOWED_HOSTS=build.invalid \
        python manage.py compilemessages \
    && mkdir -p /data/private \
    && chown labelsp:labelsp /data/private

USER labelsp

EXPOSE 8000

# /sante/ checks the database. The request must look like it came through the TLS proxy: a Host from
# DJANGO_ALLOWED_HOSTS and X-Forwarded-Proto: https (otherwise SECURE_SSL_REDIRECT answers 301).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:8000/sante/', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4)"]

CMD ["gunicorn", "-c", "labelsp/gunicorn.conf.py", "labelsp.wsgi"]
