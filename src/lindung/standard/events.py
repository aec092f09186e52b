"""Signals of the standard app, sent after commit (see lindung.core.events)."""

from django.dispatch import Signal

# batch (an ImportBatch whose status is done, rejected or failed)
import_finished = Signal()
