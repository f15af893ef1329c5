"""The society is American: what people read is in American English ("hematology",
"program", "leukemia", "organization", "color", "center"). Checked where interface text
lives: templates, the demo as `load_demo` loads it, and the labels and help texts of every
model field. Stored values and code names (the `organisation` field, `cancelled`) stay."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from events.models import Event, LunchTable, Room, Session, TableHost

ROOT = Path(__file__).resolve().parents[1]
OUR_APPS = {"accounts", "events", "mentorship", "notifications"}

BRITISH = re.compile(
    r"\b("
    r"programmes?|organis(e|es|ed|ing|ation|ations|er|ers)|colour\w*"
    r"|centres?|haem\w+|leukaem\w+|paediatr\w+|anaem\w+|oesophag\w+|tumours?"
    r"|behaviours?|favour\w*|honour\w*|catalogues?|analys(e|es|ed|ing)|licence|defence"
    r"|travell(ed|ing|er|ers)|enrol|enrolment|judgement|labour|neighbour\w*|whilst|amongst"
    r"|(recogn|priorit|minim|summar|author|custom|apolog|real|util|optim|special)is(e|es|ed|ing|ation)"
    r")\b",
    re.IGNORECASE,
)


def british_words(text: str) -> list[str]:
    return sorted({match.group(0) for match in BRITISH.finditer(text)})


def test_the_word_list_finds_british_spellings_and_leaves_american_ones():
    assert british_words("The programme of haematology and organisation, colours") == [
        "colours",
        "haematology",
        "organisation",
        "programme",
    ]
    assert british_words("The program of hematology and organization, colors, center") == []


TEMPLATES = sorted(
    path
    for path in (ROOT / "templates").rglob("*")
    if path.suffix in {".html", ".txt"} and path.is_file()
)


TEMPLATE_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_template_text_is_american_english(path):
    # Variables and tags name code (`host.organisation` is a field), not words people read.
    assert british_words(TEMPLATE_CODE.sub(" ", path.read_text())) == []


def test_demo_agenda_csv_is_american_english():
    assert british_words((ROOT / "events" / "demo" / "ash-2019.csv").read_text()) == []


@pytest.mark.django_db
def test_demo_as_loaded_is_american_english():
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())

    texts = [
        *Event.objects.values_list("name", "city", "venue"),
        *Room.objects.values_list("name", "location"),
        *Session.objects.values_list("title", "description", "speakers"),
        *LunchTable.objects.values_list("title"),
        *TableHost.objects.values_list("name", "role", "organisation", "bio"),
    ]

    assert british_words(" ".join(str(value) for row in texts for value in row)) == []


def field_texts():
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        yield f"{model._meta.label} name", str(model._meta.verbose_name)
        yield f"{model._meta.label} plural", str(model._meta.verbose_name_plural)
        for field in model._meta.get_fields():
            label = f"{model._meta.label}.{field.name}"
            for attribute in ("verbose_name", "help_text"):
                value = getattr(field, attribute, "")
                if value:
                    yield f"{label} {attribute}", str(value)
            for _, choice in getattr(field, "choices", None) or []:
                yield f"{label} choice", str(choice)


def test_model_labels_help_texts_and_choices_are_american_english():
    found = {where: british_words(text) for where, text in field_texts() if british_words(text)}

    assert found == {}
