"""Signals of the maritime app, sent after commit (see lindung.core.events).

``incidents_arrived`` is also sent by the sharing app for incidents received from other nodes,
so that one listener (watch rules) sees every new incident, however it came.
"""

from django.dispatch import Signal

# incident_ids (list of ints), how ("recorded", "imported" or "received")
incidents_arrived = Signal()
# organisation, actor (None at the command line), summary (ImportSummary.as_dict())
incidents_imported = Signal()
