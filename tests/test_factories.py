"""Every model of the project has a factory in tests/factories.py, and each one makes a row
the database and the model's own validation accept."""

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

APPS = {"accounts", "events", "feedback", "mentorship", "notifications", "listening", "staff"}

FACTORIES = sorted(
    (
        member
        for _, member in inspect.getmembers(factories, inspect.isclass)
        if issubclass(member, factory.django.DjangoModelFactory)
        and member is not factory.django.DjangoModelFactory
    ),
    key=lambda f: f.__name__,
)


def test_every_model_has_a_factory():
    models = {m for m in apps.get_models() if m._meta.app_label in APPS}
    covered = {f._meta.model for f in FACTORIES}

    assert sorted(m._meta.label for m in models - covered) == []


@pytest.mark.django_db
@pytest.mark.parametrize("model_factory", FACTORIES, ids=lambda f: f.__name__)
def test_factory_makes_a_valid_row(model_factory):
    row = model_factory()

    row.full_clean()
    assert type(row).objects.filter(pk=row.pk).exists()
