# haiquan-bot: the Telegram bot in a slim Python image, run as an unprivileged user.
#   docker build -t haiquan-bot .
#   docker run --env-file .env -v haiquan-data:/data -v /srv/corpus:/corpus:ro haiquan-bot
# See docs/operations.md; compose.yaml does the same with restart and health settings.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HAIQUAN_DATA_DIR=/data

WORKDIR /opt/haiquan-bot
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY retrieval ./retrieval
COPY corpus ./corpus
# Installed exactly as the README says, with the image's own pip.
RUN pip install . \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin haiquan \
    && mkdir -p /data /corpus \
    && chown 10001:10001 /data

USER 10001:10001
WORKDIR /data
# The index caches and the SQLite database; the corpus is mounted read-only at /corpus
# (set HAIQUAN_CORPUS_DIR=/corpus; it must be writable if the ingest is used).
VOLUME ["/data"]

# With HAIQUAN_HEALTH_PORT set: healthy when /healthz answers 200 (index loaded, Telegram
# reachable). Without it: healthy while a `haiquan-bot run` holds the run lock on the data
# directory (the lock `haiquan-bot restore` also checks). See docs/operations.md.
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "-m", "bot.platform.healthcheck"]

ENTRYPOINT ["haiquan-bot"]
CMD ["run"]
