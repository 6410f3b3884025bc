# Nhắc việc — one image for every worker. Build: docker build -t nhacviec .
# Slim and non-root; the virtualenv is built in a first stage so no compiler, pip cache
# or source tree ends up in the image that runs.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/nhacviec
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY scheduler ./scheduler
COPY store ./store
# pyproject's data-files may install the bundled plan under <prefix>/share/nhacviec.
COPY data ./data
RUN /opt/nhacviec/bin/pip install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/nhacviec/bin:$PATH \
    NHACVIEC_PLAN_PATH=/app/data/tasks.yaml \
    NHACVIEC_CALENDAR_PATH=/app/data/calendar.yaml \
    NHACVIEC_DATABASE_URL=sqlite+aiosqlite:////var/lib/nhacviec/nhacviec.db \
    NHACVIEC_FILES_PATH=/var/lib/nhacviec/files \
    NHACVIEC_WEBHOOK_LISTEN=0.0.0.0 \
    NHACVIEC_WEBHOOK_PORT=8080 \
    NHACVIEC_HEALTH_SERVER=true
RUN groupadd --system --gid 10001 nhacviec \
    && useradd --system --uid 10001 --gid nhacviec --home-dir /var/lib/nhacviec --shell /usr/sbin/nologin nhacviec \
    && mkdir -p /var/lib/nhacviec/files \
    && chown -R nhacviec:nhacviec /var/lib/nhacviec \
    && chmod -R 0750 /var/lib/nhacviec
COPY --from=build /opt/nhacviec /opt/nhacviec
# The plan and the calendar swaps; mount your ward's own over /app/data (read-only is fine).
COPY data /app/data
WORKDIR /var/lib/nhacviec
USER nhacviec:nhacviec
VOLUME ["/var/lib/nhacviec"]
EXPOSE 8080
# What Docker sends on `docker stop`; the bot finishes and records the batch in hand.
STOPSIGNAL SIGTERM
# GET /healthz on the webhook port: 200 while healthy; 503 when the dead-man's switch has
# tripped (rows due for NHACVIEC_DEADMAN_MINUTES, nothing sent) or the bot stopped ticking,
# which urlopen raises on. Served in webhook mode and, with NHACVIEC_HEALTH_SERVER=true (set
# above), in polling mode too; /metrics beside it for Prometheus.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c 'import os, urllib.request as u; u.urlopen("http://127.0.0.1:%s/healthz" % os.environ.get("NHACVIEC_WEBHOOK_PORT", "8080"), timeout=4)' || exit 1
ENTRYPOINT ["nhacviec"]
CMD ["run"]
