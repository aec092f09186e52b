"""Required fields never say "optional" (issue 19, item 5): core/field.html marks as optional only
the fields a person may really leave empty."""

import re

import pytest
from django import forms
from django.template.loader import render_to_string

from lindung.core.forms import require_to_continue
from lindung.screening.forms import SectionForm


def _optional_labels(form) -> set[str]:
    html = render_to_string("core/form_fields.html", {"form": form})
    blocks = html.split('<div class="field')[1:]
    assert len(blocks) == len(form.visible_fields())
    names = [re.search(r'name="(\w+)"', block).group(1) for block in blocks]
    return {name for name, block in zip(names, blocks, strict=True) if '<span class="optional">' in block}


class _Form(forms.Form):
    required = forms.CharField(label="Required")
    optional = forms.CharField(label="Optional", required=False)
    agree = forms.BooleanField(label="Keep this case", required=False)
    to_continue = require_to_continue(forms.CharField(label="Needed to go on", required=False))


def test_only_fields_that_may_be_left_empty_say_optional():
    assert _optional_labels(_Form()) == {"optional"}


def test_a_field_needed_to_go_on_is_still_accepted_empty():
    form = _Form({"required": "x"})
    assert form.is_valid() and form.cleaned_data["to_continue"] == ""


@pytest.mark.django_db
def test_required_screening_questions_do_not_say_optional():
    from lindung.screening import services

    version = services.load_shipped_instrument()
    definition = version.definition
    section = definition["sections"][0]
    form = SectionForm(None, definition=definition, section=section, answers={})
    required = {q["name"] for q in section["questions"] if q.get("required")}
    assert required == {"agrees_to_interview", "interview_country"}
    assert _optional_labels(form) == {"interview_place"}
