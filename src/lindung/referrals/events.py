"""Signals of the referrals app, sent after commit (see lindung.core.events)."""

from django.dispatch import Signal

# referral, actor
referral_sent = Signal()
# referral, actor, answer ("accepted", "declined" or "completed")
referral_answered = Signal()
