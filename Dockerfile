# syntax=docker/dockerfile:1
# ChainParty production image: one image for the web (gunicorn), the Celery worker and beat.
# docker-compose.yml runs all three from it; the default command serves the web.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=chainparty.settings.production \
    WEB_CONCURRENCY=3

# A writable home: gunicorn (25.1+) puts its control socket in ~/.gunicorn.
RUN groupadd --system --gid 10001 chainparty \
    && useradd --system --uid 10001 --gid chainparty --create-home --home-dir /home/chainparty \
       --shell /usr/sbin/nologin chainparty

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
# `packages = []`: this installs the dependencies only; the code runs from /app.
COPY pyproject.toml ./
RUN pip install --no-cache-dir . \
    && rm -rf build ./*.egg-info

# The code stays owned by root: the app user can read it but not change it.
COPY . .

# Production settings refuse to load without SECRET_KEY and ALLOWED_HOSTS. These throwaway values
# exist for this one step only (they are not ENV, so no container ever sees them); settings create
# their var dir on import, so that goes to /tmp and is thrown away too.
RUN SECRET_KEY=collectstatic-build-step-only-not-a-secret \
    ALLOWED_HOSTS=build.invalid \
    CHAINPARTY_VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var \
    && python -m compileall -q /app \
    && install -d -o chainparty -g chainparty /app/var /app/var/media /app/var/beat

# An empty named volume mounted on /app/var/media or /app/var/beat takes these directories'
# owner, so the app user can write there.

USER 10001:10001
EXPOSE 8000

# Workers come from WEB_CONCURRENCY (gunicorn reads it); the heartbeat file lives in memory
# because a container's overlay filesystem can stall it.
CMD ["gunicorn", "chainparty.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", \
     "--error-logfile", "-", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100"]
