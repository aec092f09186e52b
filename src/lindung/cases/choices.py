"""Lists that belong to case management itself, not to the data standard: case types, workflow
answers, consent purposes, note types. Codes of the standard come from lindung.standard.registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    PROTECTION = "protection", _("Protection assistance")
    AVRR = "avrr", _("Assisted voluntary return and reintegration")
    READMISSION = "readmission", _("Readmission and nationality verification")
    REINTEGRATION = "reintegration", _("Reintegration")
    ATD = "atd", _("Alternatives to detention")
    UASC = "uasc", _("Unaccompanied or separated child")
    FORCED_RETURN = "forced_return", _("Forced return (removal monitoring)")


class ConsentPurpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance")
    REFERRAL = "referral", _("Referral to services")
    DATA_SHARING = "data_sharing", _("Sharing data with another organisation")
    RETURN = "return", _("Return")
    RESEARCH = "research", _("Research")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class TravelDocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    LAISSEZ_PASSER = "laissez_passer", _("Laissez-passer")
    EMERGENCY = "emergency_travel_document", _("Emergency travel document")


class ReadmissionDataItem(models.TextChoices):
    IDENTITY = "identity", _("Names and date of birth")
    PLACE_OF_BIRTH = "place_of_birth", _("Place of birth")
    DOCUMENTS = "documents", _("Identity or travel documents")
    PHOTO = "photo", _("Photograph")
    FINGERPRINTS = "fingerprints", _("Fingerprints")
    LANGUAGE = "language", _("Language spoken")


class AtdOutcome(models.TextChoices):
    COMPLIED = "complied", _("Complied until the case was resolved")
    REGULARISED = "regularised", _("Status regularised")
    RETURNED = "returned", _("Returned")
    ABSCONDED = "absconded", _("Absconded")
    RELEASED = "released", _("Released without conditions")


class TracingOutcome(models.TextChoices):
    FOUND = "found", _("Family found")
    NOT_FOUND = "not_found", _("Family not found")
    NOT_IN_BEST_INTERESTS = "not_in_best_interests", _("Contact not in the child's best interests")


class DurableSolution(models.TextChoices):
    REUNIFICATION = "family_reunification", _("Family reunification")
    LOCAL_INTEGRATION = "local_integration", _("Local integration")
    RESETTLEMENT = "resettlement", _("Resettlement in a third country")
    RETURN = "return", _("Return to the country of origin")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REFERRED = "referred", _("Referred")
    MET = "met", _("Met")
    UNMET = "unmet", _("Could not be met")


class ServiceOutcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    ONGOING = "ongoing", _("Ongoing")
    DECLINED = "declined", _("Declined by the person")
    NOT_AVAILABLE = "not_available", _("Not available")


class NoteType(models.TextChoices):
    GENERAL = "general", _("General")
    ASSESSMENT = "assessment", _("Assessment")
    CONTACT = "contact", _("Contact with the person")
    SUPERVISION = "supervision", _("Supervision")


class PlacementKind(models.TextChoices):
    ALTERNATIVE = "alternative", _("Alternative to detention")
    DETENTION = "detention", _("Detention")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    REFUGEE_ID = "refugee_id", _("Refugee or asylum-seeker document")
    OTHER = "other", _("Other")


class RemovalMode(models.TextChoices):
    CHARTER_FLIGHT = "charter_flight", _("Charter flight")
    SCHEDULED_FLIGHT = "scheduled_flight", _("Scheduled flight")
    LAND = "land", _("Over land")
    SEA = "sea", _("By sea")


class RiskFinding(models.TextChoices):
    """The answer for one factor of a risk-on-return assessment."""

    NO_RISK = "no_risk", _("No risk found")
    RISK = "risk", _("Risk found")
    NOT_ASSESSED = "not_assessed", _("Not assessed")


class RiskResult(models.TextChoices):
    NO_RISK = "no_risk", _("No risk on return found")
    RISK_FOUND = "risk_found", _("Risk on return found")


class RiskDecision(models.TextChoices):
    """What a supervisor decides when a risk on return was found."""

    PROCEED = "proceed", _("Proceed with the return")
    SUSPEND = "suspend", _("Suspend the return")
    REFER_PROTECTION = "refer_protection", _("Refer for international protection")
