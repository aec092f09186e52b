"""Model choices from the data standard, as module-level functions.

Migrations must import choices by name, so a closure from ``registry.choices_callable`` cannot be
serialised; these named functions are evaluated lazily in the same way.
"""

from lindung.standard import registry


def sex_choices():
    return registry.choices("sex")


def gender_choices():
    return registry.choices("gender")


def age_group_choices():
    return registry.choices("age_group")


def country_choices():
    return registry.choices("country")


def language_choices():
    return registry.choices("language")


def yes_no_unknown_choices():
    return registry.choices("yes_no_unknown")


def majority_status_choices():
    return registry.choices("majority_status")


def legal_status_choices():
    return registry.choices("legal_status")


def vulnerability_category_choices():
    return registry.choices("vulnerability_category")


def service_type_choices():
    return registry.choices("service_type")


def atd_placement_type_choices():
    return registry.choices("atd_placement_type")


def detention_placement_type_choices():
    return registry.choices("detention_placement_type")
