"""Signals of the cases app, sent after commit (see lindung.core.events). Listeners receive model
instances and must check the policy themselves before telling anyone about them."""

from django.dispatch import Signal

# case, transition (name), from_state, to_state, actor
case_transitioned = Signal()
# source (the case that left), target (the case received), actor
case_transferred = Signal()
# consent, actor
consent_withdrawn = Signal()
