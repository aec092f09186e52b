"""Events that an app raises for the apps above it.

A lower app must not import the apps above it (notifications, stats), so it announces what
happened through a ``django.dispatch.Signal`` declared in its own ``events.py``; an upper app
connects to it. Signals go out only once the write has committed (``send_on_commit``): nobody is
told about something that then rolled back, and a listener that fails cannot undo the write.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def send_on_commit(signal, sender, **kwargs) -> None:
    """Send ``signal`` when the current transaction commits (at once outside a transaction)."""

    def send():
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                # Ids and the receiver's name only: the exception text may quote values.
                logger.error("listener %r of %s failed: %s", receiver, sender, type(result).__name__)

    transaction.on_commit(send)
