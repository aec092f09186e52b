"""Policy rules for the standard's models.

Validation reports and import batches belong to the organisation that uploaded the file and are
seen by its data managers. Imported records are de-identified: whoever may read statistics in
the owning organisation may read them; only data managers change them (by importing).
"""

from lindung.core import policy
from lindung.core.roles import Capability as C

from .models import ImportBatch, StandardRecord, ValidationReport

policy.register(
    ValidationReport, policy.Rule(view=C.MANAGE_STANDARD, change=C.MANAGE_STANDARD, shareable=False)
)
policy.register(ImportBatch, policy.Rule(view=C.MANAGE_STANDARD, change=C.MANAGE_STANDARD, shareable=False))
policy.register(StandardRecord, policy.Rule(view=C.VIEW_STATS, change=C.MANAGE_STANDARD))
