"""Dimensions a table can be broken down by, named and labelled from the data standard.

A dimension takes its label, code list (order and labels of its categories) and HXL hashtag from a
variable of the standard. The few dimensions that are not in the standard (case types, workflow
steps, referral statuses) name their labels here.
"""

from dataclasses import dataclass
from importlib import import_module

from django.utils.translation import gettext_lazy as _

from lindung.standard import registry

TOTAL = "_T"
UNKNOWN = "unknown"
# Codes lists use their own spelling of "not known"; an empty value becomes that code.
UNKNOWN_CODES = {"sex": "U", "age_group": "unknown", "majority_status": "unknown"}


@dataclass(frozen=True)
class Dimension:
    id: str
    variable: str = ""  # standard variable: label and hashtag
    code_list: str = ""  # standard code list: category order and labels
    label_text: object = None  # label when no standard variable
    hxl_tag: str = ""  # hashtag when the standard variable has none
    time: bool = False  # year or month: SDMX TIME_PERIOD
    choices: str = ""  # "module:Class" of Django choices for codes outside the standard

    @property
    def label(self) -> str:
        if self.label_text is not None:
            return str(self.label_text)
        return registry.load().variables[self.variable].label

    @property
    def hxl(self) -> str:
        variable = registry.load().variables.get(self.variable) if self.variable else None
        return (variable.hxl if variable and variable.hxl else "") or self.hxl_tag

    @property
    def sdmx_id(self) -> str:
        return "TIME_PERIOD" if self.time else self.id.upper()

    @property
    def unknown_code(self) -> str:
        return UNKNOWN_CODES.get(self.code_list, UNKNOWN)

    def _choices(self) -> dict:
        if not self.choices:
            return {}
        module, name = self.choices.split(":")
        try:
            found = import_module(module)
            for part in name.split("."):
                found = getattr(found, part)
        except (ImportError, AttributeError):
            return {}
        return dict(found.choices)

    def code_label(self, code: str) -> str:
        if code == TOTAL:
            return str(_("Total"))
        if self.code_list:
            found = registry.code_list(self.code_list).get(code)
            if found:
                return found.label
        label = self._choices().get(code)
        if label:
            return str(label)
        if code == UNKNOWN:
            return str(_("Not recorded"))
        return code

    def order(self) -> dict:
        """{code: rank} for sorting categories the way the code list lists them."""
        if self.code_list:
            return {code: rank for rank, code in enumerate(registry.code_list(self.code_list).values())}
        return {code: rank for rank, code in enumerate(self._choices())}


DIMENSIONS = {
    d.id: d
    for d in (
        Dimension("year", variable="year_of_registration", label_text=_("Year"), time=True),
        Dimension("month", label_text=_("Month"), hxl_tag="#date+month", time=True),
        Dimension("sex", variable="sex", code_list="sex"),
        Dimension("age_group", variable="age_group", code_list="age_group"),
        Dimension("majority_status", variable="majority_status", code_list="majority_status"),
        Dimension("citizenship", variable="citizenship", code_list="country"),
        Dimension("country_of_exploitation", variable="country_of_exploitation", code_list="country"),
        Dimension(
            "country", variable="country_of_registration", code_list="country", label_text=_("Country")
        ),
        Dimension("data_source", variable="data_source", code_list="data_source"),
        Dimension(
            "form_of_exploitation",
            variable="forms_of_exploitation",
            code_list="form_of_exploitation",
            label_text=_("Form of exploitation"),
        ),
        Dimension(
            "vulnerability_category",
            variable="vulnerability_categories",
            code_list="vulnerability_category",
            label_text=_("Vulnerability category"),
        ),
        Dimension(
            "route",
            variable="migration_route",
            code_list="migration_route",
            label_text=_("Route"),
            hxl_tag="#indicator+route+sea",
        ),
        Dimension("incident_type", variable="incident_type", code_list="incident_type"),
        Dimension(
            "incident_outcome",
            variable="incident_outcome",
            code_list="incident_outcome",
            hxl_tag="#status+outcome",
        ),
        Dimension(
            "incident_setting",
            label_text=_("Where it happened"),
            hxl_tag="#loc+type",
            choices="lindung.maritime.models:Incident.Setting",
        ),
        Dimension(
            "service_type", code_list="service_type", label_text=_("Type of service"), hxl_tag="#sector"
        ),
        Dimension("urgency", variable="screening_urgency", code_list="screening_urgency"),
        Dimension(
            "case_type",
            label_text=_("Case type"),
            hxl_tag="#indicator+case+type",
            choices="lindung.cases.choices:CaseType",
        ),
        Dimension("case_step", label_text=_("Step of the case"), hxl_tag="#status+case+step"),
        Dimension(
            "referral_status",
            label_text=_("Referral status"),
            hxl_tag="#status+referral",
            choices="lindung.referrals.models:Referral.Status",
        ),
    )
}


def get(dimension_id: str) -> Dimension:
    return DIMENSIONS[dimension_id]
