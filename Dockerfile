# EKS Doctor: the CLI and (later) the Slack bot in one image.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY migrations ./migrations
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
# Never 9100: EKS serves pod metrics on that port inside every pod.
ENV PYTHONUNBUFFERED=1 EKS_DOCTOR_DATABASE_URL=sqlite:////data/eks-doctor.db
COPY --from=build /install /usr/local
RUN useradd --system --uid 10001 --home-dir /data --create-home doctor
USER 10001
WORKDIR /data
EXPOSE 3000
ENTRYPOINT ["eks-doctor"]
CMD ["--help"]
