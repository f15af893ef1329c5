"""Fixtures for the registration tests; not autouse, so other modules here are unaffected."""

import pytest


@pytest.fixture
def fast_passwords(settings):
    # Factories hash a password per user; the default hasher makes a 40-person test slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def scheduled_deliveries(monkeypatch):
    """The broker is an edge: deliveries scheduled after commit are recorded here instead of
    being pushed into a queue shared with other runs (filesystem or Redis)."""
    scheduled: list[int] = []
    monkeypatch.setattr("notifications.services._schedule", scheduled.append)
    return scheduled
