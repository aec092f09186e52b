"""Model choices from the data standard as named functions (migrations cannot serialise closures)."""

from lindung.standard import registry


def interview_channel_choices():
    return registry.choices("interview_channel")


def urgency_choices():
    return registry.choices("screening_urgency")
