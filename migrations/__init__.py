"""Alembic revisions of the incident store's schema (run through bot.store.migrate, no alembic.ini).

To add a revision after changing bot/store/models.py:
    python -m migrations revision --autogenerate -m "what changed"
against the database named by EKS_DOCTOR_DATABASE_URL (at head). Review the generated file: it must
work on SQLite (batch mode) and on PostgreSQL.
"""
