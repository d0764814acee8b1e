"""Where EKS Doctor keeps its files when no setting says otherwise: the platform's per-user data
directory for the incident database (the same store whichever folder a command runs from) and the
per-user cache directory for what can be rebuilt (the compiled knowledge base)."""

from __future__ import annotations

from pathlib import Path

APP_NAME = "eks-doctor"
DATABASE_FILE = "eks-doctor.db"


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def user_cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def default_database_path() -> Path:
    return user_data_dir() / DATABASE_FILE


def database_url(configured: str | None) -> tuple[str, bool]:
    """(the store's URL, whether it is the default file): EKS_DOCTOR_DATABASE_URL when set."""
    if configured and configured.strip():
        return configured.strip(), False
    return f"sqlite:///{default_database_path()}", True
