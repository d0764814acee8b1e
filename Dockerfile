# EKS Doctor: the Slack bot (default command) and the eks-doctor CLI in one image.
# Build: docker build -t eks-doctor:0.1.0 .   Size: see "Container image" in the README.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Dependencies come from the project's own metadata (pyproject.toml); the bundled knowledge base and the
# migrations are package data, so they land in the virtual environment with the code.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY migrations ./migrations
# No pip in the runtime environment: the base image's pip installs into it.
RUN python -m venv --without-pip /opt/eks-doctor \
    && pip --python /opt/eks-doctor/bin/python install --no-compile . \
    && /opt/eks-doctor/bin/python -m compileall -q /opt/eks-doctor/lib

FROM python:3.11-slim-bookworm
ENV PATH=/opt/eks-doctor/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    EKS_DOCTOR_DATABASE_URL=sqlite:////data/eks-doctor.db \
    EKS_DOCTOR_KB_PATH=/etc/eks-doctor/knowledge
# A user of its own (no login, no shell history); /data holds the default SQLite file, and
# /etc/eks-doctor/knowledge is where your own entries are mounted (empty: the bundled ones only).
RUN useradd --system --no-log-init --uid 10001 --user-group --home-dir /data --create-home doctor \
    && mkdir -p /etc/eks-doctor/knowledge
COPY --from=build /opt/eks-doctor /opt/eks-doctor
USER 10001:10001
WORKDIR /data
# Never 9100: EKS serves pod metrics on that port inside every pod.
EXPOSE 3000
# The slim image has no curl; the image's own Python asks the bot's health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status != 200)"]
CMD ["eks-doctor", "serve", "--http"]
