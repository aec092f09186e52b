"""Lindung's own select.html writes options in Python; the HTML must stay Django's, to the byte."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

CHOICES = [
    ("", "All"),
    ("THA", "Thailand"),
    ("MMR", 'Myanmar "Burma" & <co>'),
    ("Sea", [("IDN", "Indonesia"), ("MYS", "Malaysia")]),
    (3, 1234),
    ("safe", mark_safe("<b>already safe</b>")),
    (None, "Nothing"),
    (mark_safe("<v>"), "A safe value is escaped all the same"),
]


class SampleForm(forms.Form):
    single = forms.ChoiceField(choices=CHOICES, required=False)
    multiple = forms.MultipleChoiceField(choices=CHOICES, required=False)
    boolean = forms.NullBooleanField(required=False)
    custom = forms.ChoiceField(
        choices=CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": 'wide "x"', "disabled": True, "hidden": False}),
    )


def test_selects_render_as_django_renders_them():
    data = {"single": "MYS", "multiple": ["THA", "IDN"], "boolean": "true", "custom": "3"}
    for args in ((), (data,)):
        ours, django = SampleForm(*args), SampleForm(*args, renderer=DjangoTemplates())
        assert "<option" in str(ours["single"]) and "optgroup" in str(ours["single"])
        assert {n: str(ours[n]) for n in ours.fields} == {n: str(django[n]) for n in django.fields}
    assert 'value="MYS" selected' in str(SampleForm(data)["single"])
