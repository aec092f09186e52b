"""Forms of the statistics pages: table options, release, disclosure settings."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lindung.core.parsing import parse_int
from lindung.standard import registry

from . import disclosure
from .dimensions import DIMENSIONS
from .models import DisclosureSettings

# Filters are offered for dimensions whose code list is short enough for a drop-down.
MAX_FILTER_CODES = 40


def _filterable(indicator) -> list[str]:
    found = []
    for dimension in indicator.dimensions:
        dim = DIMENSIONS[dimension]
        if dim.code_list and len(registry.code_list(dim.code_list).codes) <= MAX_FILTER_CODES:
            found.append(dimension)
    return found


class TableForm(forms.Form):
    """Which table of an indicator: dimensions, filters and protection options (GET)."""

    first = forms.ChoiceField(label=_("Rows"))
    second = forms.ChoiceField(label=_("Columns"), required=False)
    third = forms.ChoiceField(label=_("Then by"), required=False)
    year = forms.CharField(
        label=_("Years"),
        required=False,
        max_length=60,
        help_text=_("Leave empty for every year, or list years separated by commas: 2022,2023"),
    )
    threshold = forms.TypedChoiceField(label=_("Smallest count published"), coerce=int, required=False)
    rounding = forms.TypedChoiceField(
        label=_("Rounding"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("No rounding"))]
        + [(b, _("To multiples of %(b)s") % {"b": b}) for b in disclosure.ROUNDING_BASES],
    )

    def __init__(self, data, *, indicator, settings, can_use_dp=False):
        super().__init__(data)
        self.indicator = indicator
        choices = [(d, DIMENSIONS[d].label) for d in indicator.dimensions]
        self.fields["first"].choices = choices
        self.fields["second"].choices = [("", _("None"))] + choices
        self.fields["third"].choices = [("", _("None"))] + choices
        self.fields["threshold"].choices = [
            (t, str(t))
            for t in sorted({settings.threshold, *disclosure.THRESHOLD_CHOICES})
            if t >= settings.threshold
        ]
        for dimension in _filterable(indicator):
            self.fields[f"filter_{dimension}"] = forms.ChoiceField(
                label=_("Only %(dimension)s") % {"dimension": DIMENSIONS[dimension].label.lower()},
                required=False,
                choices=[("", _("All"))] + registry.choices(DIMENSIONS[dimension].code_list),
            )
        if "year" not in indicator.dimensions:
            del self.fields["year"]
        if can_use_dp and indicator.measure_type == "count":
            self.fields["epsilon"] = forms.FloatField(
                label=_("Differential privacy: epsilon"),
                required=False,
                min_value=0.01,
                max_value=disclosure.MAX_EPSILON,
                help_text=_(
                    "Optional, for public releases. Adds noise and spends your organisation's privacy "
                    "budget (asking the same table again spends nothing)."
                ),
            )
        default = list(indicator.default_by) + ["", "", ""]
        self.initial = {
            "first": default[0],
            "second": default[1],
            "third": default[2],
            "threshold": settings.threshold,
            "rounding": settings.rounding,
        }

    def clean_year(self):
        text = self.cleaned_data.get("year", "").replace(" ", "")
        try:
            return [str(parse_int(y, field="year", minimum=1000, maximum=9999)) for y in text.split(",") if y]
        except ValidationError as exc:
            raise forms.ValidationError(
                _("Write years as four digits separated by commas, e.g. 2022,2023."),
                code=exc.error_dict["year"][0].code,
            ) from exc

    def options(self) -> dict:
        """Arguments for tables.protected_table."""
        data = self.cleaned_data
        by = [d for d in (data.get("first"), data.get("second"), data.get("third")) if d]
        filters = {name[7:]: [value] for name, value in data.items() if name.startswith("filter_") and value}
        if data.get("year"):
            filters["year"] = data["year"]
        return {
            "by": by,
            "filters": filters,
            "threshold": data.get("threshold") or None,
            "rounding": data.get("rounding"),
            "epsilon": data.get("epsilon"),
        }


class ReleaseForm(forms.Form):
    title = forms.CharField(label=_("Title of the release"), max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea, max_length=4000)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = DisclosureSettings
        fields = ["threshold", "rounding", "k", "annual_epsilon_budget"]

    def clean_threshold(self):
        try:
            return disclosure.check_threshold(self.cleaned_data["threshold"])
        except disclosure.DisclosureError as exc:
            raise forms.ValidationError(str(exc)) from exc
