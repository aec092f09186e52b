"""Model choices from the data standard's code lists.

Named module-level functions (not ``registry.choices_callable`` closures) so that migrations can
reference them; evaluated lazily, so a new code in the standard needs no migration.
"""

from lindung.standard.registry import choices


def incident_type_choices():
    return choices("incident_type")


def incident_outcome_choices():
    return choices("incident_outcome")


def cause_of_death_choices():
    return choices("cause_of_death")


def migration_route_choices():
    return choices("migration_route")


def vessel_type_choices():
    return choices("vessel_type")


def vessel_engine_choices():
    return choices("vessel_engine")


def source_reliability_choices():
    return choices("source_reliability")


def information_credibility_choices():
    return choices("information_credibility")


def country_choices():
    return choices("country")


def sex_choices():
    return choices("sex")


def age_group_choices():
    return choices("age_group")
