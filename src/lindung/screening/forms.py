from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lindung.core import policy
from lindung.core.forms import require_to_continue
from lindung.core.roles import Capability
from lindung.standard import registry

from . import expressions
from . import instrument as ins


def person_queryset(user):
    """Persons of the user's screening organisations, through the cases app's selector."""
    from lindung.cases.selectors import persons_visible

    orgs = policy.organisations_with(user, Capability.MANAGE_SCREENING)
    return persons_visible(user).filter(organisation_id__in=orgs).order_by("reference")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.reference  # a pseudonymous reference: choosing a person reveals no identity


class StartForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Instrument"), queryset=None, empty_label=None)
    person = PersonChoiceField(
        label=_("Person"),
        queryset=None,
        required=False,
        help_text=_("Leave empty to screen anonymously; you can link the interview to a person later."),
    )

    def __init__(self, *args, user, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions
        self.fields["version"].label_from_instance = lambda v: f"{v.title} ({v.version})"
        self.fields["person"].queryset = person_queryset(user)


class LinkPersonForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = person_queryset(user)


def visible_questions(definition, section, answers):
    """Questions of a section to show: those that apply, and those whose skip logic depends on
    another question of the same section (their answer is dropped on save if they do not apply)."""
    own = {q["name"] for q in section["questions"]}
    shown = []
    for q in section["questions"]:
        relevant = q.get("relevant", "")
        if expressions.references(relevant) & own or expressions.evaluate(relevant, answers):
            shown.append(q)
    return shown


class SectionForm(forms.Form):
    """The questions of one section, labelled in the active language."""

    def __init__(self, *args, definition, section, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = visible_questions(definition, section, answers)
        for q in self.questions:
            label, hint = ins.text(q["label"]), ins.text(q.get("hint"))
            initial = answers.get(q["name"])
            if q["type"] in ("select_one", "select_multiple"):
                choices = [(c["name"], ins.text(c["label"])) for c in definition["choice_lists"][q["list"]]]
                if q["type"] == "select_one":
                    field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
                else:
                    field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
            elif q["type"] == "integer":
                field = forms.IntegerField()
            else:
                field = forms.CharField(max_length=2000, widget=forms.TextInput)
            # Empty answers are accepted so that "go back" and "pause" keep what was typed; the view
            # asks for the required ones before going on, so their labels must not say "optional".
            field.label, field.help_text, field.required, field.initial = label, hint, False, initial
            if q.get("required"):
                require_to_continue(field)
            self.fields[q["name"]] = field

    def answers(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("XLSForm file (.xlsx)"))
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=None)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload.read()


class CopyForm(ImportForm):
    file = None
    form_id = forms.CharField(
        label=_("Form id of the copy"),
        max_length=64,
        help_text=_("Letters, digits and underscores, starting with a letter."),
    )


class NewDraftForm(forms.Form):
    version = forms.CharField(label=_("New version"), max_length=32)


class SecretForm(forms.Form):
    secret = forms.CharField(
        label=_("Phone secret"),
        min_length=12,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "At least 12 characters, not a common password, not digits only. Enter it with your "
            "username in ODK Collect or KoboCollect. It is not your sign-in password."
        ),
    )


class QuestionForm(forms.Form):
    """Edit one question of a draft: labels and hints per language, required, skip logic, factors."""

    required = forms.BooleanField(label=_("Required"), required=False)
    relevant = forms.CharField(
        label=_("Skip logic (XLSForm 'relevant')"),
        required=False,
        max_length=500,
        help_text=_("Example: ${age_group} = '9-17'"),
    )
    factors = forms.CharField(
        label=_("DoMV factors per answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One line per answer: answer: risk factor_code, protective factor_code"),
    )

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        for code, name in settings.LANGUAGES:
            self.fields[f"label_{code}"] = forms.CharField(
                label=_("Label (%(lang)s)") % {"lang": name},
                required=code == "en",
                max_length=500,
                initial=question["label"].get(code, ""),
            )
            self.fields[f"hint_{code}"] = forms.CharField(
                label=_("Hint (%(lang)s)") % {"lang": name},
                required=False,
                max_length=500,
                initial=(question.get("hint") or {}).get(code, ""),
            )
        self.fields["required"].initial = question.get("required", False)
        self.fields["relevant"].initial = question.get("relevant", "")
        self.fields["factors"].initial = "\n".join(
            f"{answer}: " + ", ".join(f"{f['direction']} {f['factor']}" for f in items)
            for answer, items in (question.get("factors") or {}).items()
        )
        order = [f"label_{c}" for c, _n in settings.LANGUAGES] + [f"hint_{c}" for c, _n in settings.LANGUAGES]
        self.order_fields([*order, "required", "relevant", "factors"])

    def clean_factors(self):
        result = {}
        for number, line in enumerate(self.cleaned_data["factors"].splitlines(), start=1):
            if not line.strip():
                continue
            answer, sep, rest = line.partition(":")
            if not sep:
                raise forms.ValidationError(
                    _("Line %(n)d: write 'answer: risk factor_code'.") % {"n": number}
                )
            items = []
            for part in rest.split(","):
                words = part.split()
                if len(words) != 2 or words[0] not in ins.DIRECTIONS:
                    raise forms.ValidationError(
                        _("Line %(n)d: %(part)r should be 'risk <factor>' or 'protective <factor>'.")
                        % {"n": number, "part": part.strip()}
                    )
                if not registry.is_valid("vulnerability_factor", words[1]):
                    raise forms.ValidationError(
                        _("Line %(n)d: %(code)s is not a DoMV factor of the standard.")
                        % {"n": number, "code": words[1]}
                    )
                items.append({"direction": words[0], "factor": words[1]})
            result[answer.strip()] = items
        return result

    def labels(self, prefix):
        return {code: self.cleaned_data[f"{prefix}_{code}"].strip() for code, _n in settings.LANGUAGES}
