"""Tests of the incident store (bot/store), its migrations and its CLI commands."""
