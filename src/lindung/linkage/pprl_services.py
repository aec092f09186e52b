"""The writes of privacy-preserving linkage, each in one transaction with its audit entry (counts
and codes only, never a reference or an encoding): an agreement saved, a party's encodings
exported, two parties' encodings matched, matched references resolved to a party's own persons.

Who: a data manager (``MANAGE_STANDARD``) of a party exports and matches; the agreement is saved by
an administrator (``MANAGE_SHARING``); resolving shows persons, so it needs ``VIEW_CASES``. Every
refusal under an agreement (linkage not allowed, revoked, out of validity, a file refused) is
audited as ``linkage.pprl_refused`` with its code, and nothing else is stored.
"""

import math
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.cases.models import Person
from lindung.core import crypto, policy
from lindung.core.actors import is_system, require_actor, user_of
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability

from . import clk, pprl
from .models import LinkageAgreement, PprlRun

PURPOSE = "privacy-preserving linkage"
DEFAULT_THRESHOLD = 0.8
MIN_THRESHOLD = 0.5

MESSAGES = {
    "linkage_not_allowed": gettext_lazy("This agreement does not allow record linkage."),
    "agreement_revoked": gettext_lazy("This agreement has been revoked."),
    "agreement_not_valid": gettext_lazy("This agreement is not valid today."),
    "pprl_not_party": gettext_lazy("This organisation is not a party to the agreement."),
    "pprl_malformed": gettext_lazy(
        "The file is not a complete encodings file of Lindung: it may be truncated."
    ),
    "pprl_wrong_agreement": gettext_lazy("The file was made for another agreement."),
    "pprl_wrong_key": gettext_lazy(
        "The file was encoded with another agreement's key: ask the party to encode again under this "
        "agreement."
    ),
    "pprl_tampered": gettext_lazy("The file has been changed since it was made: its integrity check fails."),
    "pprl_same_party": gettext_lazy("Both files come from the same party: match two parties' files."),
    "pprl_two_files": gettext_lazy("Give exactly two encodings files, one of each party."),
    "threshold": gettext_lazy("The threshold must be a number between 0.5 and 1."),
}


def refusal_message(code: str) -> str:
    return str(MESSAGES.get(code, code))


def _refuse(acting_user, agreement, code: str):
    """Audit the refusal, then raise. Refusals come before a service writes anything, so the audit
    entry is all that is stored."""
    audit_record(
        action=AuditAction.PPRL_REFUSED,
        actor=acting_user,
        obj=agreement,
        purpose=PURPOSE,
        detail={"code": code},
    )
    raise ValidationError(refusal_message(code), code=code)


def _require_allowed(acting_user, agreement):
    code = agreement.refusal()
    if code:
        _refuse(acting_user, agreement, code)


def party_label(organisation) -> str:
    """How a party names itself in its files: its short name, else its name."""
    return organisation.short_name or organisation.name


def agreement_keys(agreement) -> pprl.AgreementKeys:
    return pprl.AgreementKeys.from_secret(agreement.secret)


def reference_of(agreement, person) -> str:
    """The person's pseudonymous reference under the agreement: keyed with the party's own
    pseudonym key, not the agreement's, so no other party (all of whom hold the agreement's
    secret) can compute it from a person id. Only this party can map it back."""
    return crypto.pseudonym(
        str(person.pk),
        organisation_id=person.organisation_id,
        purpose=f"pprl:{agreement.reference}",
        prefix="R",
    )


def _require_any_party(acting_user, agreement, capability) -> set[int]:
    """The party organisations where the user holds ``capability``; refused (and audited by the
    policy) when there is none."""
    party_ids = set(agreement.parties.values_list("pk", flat=True))
    if is_system(acting_user):
        return party_ids
    held = policy.organisations_with(acting_user, capability) & party_ids
    if not held:
        policy.require_capability(acting_user, capability, agreement.organisation_id, purpose=PURPOSE)
    return held


def _party(acting_user, agreement, organisation, capability):
    """The party organisation the user acts for: the one given, or the only party where they hold
    ``capability`` (for the system: the organisation holding the agreement)."""
    if organisation is None:
        held = _require_any_party(acting_user, agreement, capability)
        if is_system(acting_user):
            return agreement.organisation
        if len(held) > 1:
            raise ValidationError(
                _("You act for several parties: choose the organisation."), code="organisation_required"
            )
        return agreement.parties.get(pk=held.pop())
    policy.require_capability(acting_user, capability, organisation.pk, purpose=PURPOSE)
    if not agreement.parties.filter(pk=organisation.pk).exists():
        _refuse(acting_user, agreement, "pprl_not_party")
    return organisation


def pprl_agreement_create(
    *,
    acting_user,
    organisation,
    reference,
    parties,
    secret=None,
    title="",
    allows_linkage=True,
    valid_from=None,
    valid_until=None,
) -> LinkageAgreement:
    """Save an agreement held by ``organisation`` (one of ``parties``). Without ``secret`` a new one
    is made (to hand to the other parties out of band)."""
    policy.require_capability(
        require_actor(acting_user), Capability.MANAGE_SHARING, organisation.pk, purpose=PURPOSE
    )
    parties = list(parties)
    if organisation not in parties:
        raise ValidationError(
            _("The organisation holding the agreement must be a party."), code="pprl_not_party"
        )
    if len(parties) < 2:
        raise ValidationError(_("An agreement to link needs two parties or more."), code="parties")
    secret = secret or secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise ValidationError(_("The secret must have 16 characters or more."), code="secret_too_short")
    with transaction.atomic():
        agreement = LinkageAgreement.objects.create(
            organisation=organisation,
            reference=reference,
            title=title,
            secret=secret,
            allows_linkage=allows_linkage,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        agreement.parties.set(parties)
        audit_record(
            action=AuditAction.PPRL_AGREEMENT_SAVED,
            actor=acting_user,
            obj=agreement,
            purpose=PURPOSE,
            detail={"parties": sorted(p.pk for p in parties), "allows_linkage": allows_linkage},
        )
    return agreement


def pprl_encode(*, acting_user, agreement, organisation=None) -> tuple[bytes, PprlRun]:
    """The encodings file of every person of the party (anonymised persons left out): one Bloom
    filter and one pseudonymous reference each, nothing else."""
    organisation = _party(require_actor(acting_user), agreement, organisation, Capability.MANAGE_STANDARD)
    _require_allowed(acting_user, agreement)
    keys = agreement_keys(agreement)
    persons = Person.objects.filter(organisation=organisation, anonymised_at__isnull=True).order_by("pk")
    records = [
        (reference_of(agreement, p), clk.encode(keys.clk, pprl.PERSON_SCHEMA, pprl.person_values(p)))
        for p in persons.iterator(chunk_size=500)
    ]
    data = pprl.write_encodings(
        keys, agreement=agreement.reference, party=party_label(organisation), records=records
    )
    with transaction.atomic():
        run = PprlRun.objects.create(
            organisation=organisation,
            agreement=agreement,
            kind=PprlRun.Kind.ENCODE,
            party_ids=[organisation.pk],
            records=[len(records)],
            run_by=user_of(acting_user),
        )
        audit_record(
            action=AuditAction.PPRL_ENCODED,
            actor=acting_user,
            obj=run,
            purpose=PURPOSE,
            detail={"agreement": agreement.pk, "records": len(records)},
        )
    return data, run


@dataclass(frozen=True)
class MatchResult:
    run: PprlRun
    parties: tuple[str, str]
    pairs: list  # (reference of the first party, of the second, Dice similarity)
    data: bytes  # the signed matches file, for the parties


def _threshold(acting_user, agreement, value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not MIN_THRESHOLD <= number <= 1:
        _refuse(acting_user, agreement, "threshold")
    return number


def pprl_match(*, acting_user, agreement, files, threshold=DEFAULT_THRESHOLD) -> MatchResult:
    """Match two parties' encodings files (bytes): the pairs of references whose Dice similarity
    is at least ``threshold``, one-to-one. Every file is checked whole before anything is
    stored; the run keeps counts only."""
    _require_any_party(require_actor(acting_user), agreement, Capability.MANAGE_STANDARD)
    _require_allowed(acting_user, agreement)
    threshold = _threshold(acting_user, agreement, threshold)
    if len(files) != 2:
        _refuse(acting_user, agreement, "pprl_two_files")
    keys = agreement_keys(agreement)
    try:
        encodings = [pprl.read_encodings(f, agreement=agreement.reference, keys=keys) for f in files]
    except pprl.PprlFileError as exc:
        _refuse(acting_user, agreement, exc.code)
    parties = {party_label(p): p for p in agreement.parties.all()}
    if any(e.party not in parties for e in encodings):
        _refuse(acting_user, agreement, "pprl_not_party")
    if encodings[0].party == encodings[1].party:
        _refuse(acting_user, agreement, "pprl_same_party")
    pairs = pprl.match(encodings[0], encodings[1], threshold)
    names = (encodings[0].party, encodings[1].party)
    with transaction.atomic():
        run = PprlRun.objects.create(
            organisation=agreement.organisation,
            agreement=agreement,
            kind=PprlRun.Kind.MATCH,
            party_ids=[parties[n].pk for n in names],
            records=[len(e.refs) for e in encodings],
            matched=len(pairs),
            threshold=threshold,
            run_by=user_of(acting_user),
        )
        audit_record(
            action=AuditAction.PPRL_MATCHED,
            actor=acting_user,
            obj=run,
            purpose=PURPOSE,
            detail={"agreement": agreement.pk, "records": run.records, "matched": len(pairs)},
        )
    data = pprl.write_matches(
        keys, agreement=agreement.reference, parties=names, threshold=threshold, pairs=pairs
    )
    return MatchResult(run=run, parties=names, pairs=pairs, data=data)


def pprl_resolve(*, acting_user, agreement, matches, organisation=None) -> list[tuple]:
    """The party's own persons in a matches file (bytes): [(person, the other party's reference,
    similarity)]. Only this party's references can be resolved: they are keyed with its own key."""
    organisation = _party(require_actor(acting_user), agreement, organisation, Capability.VIEW_CASES)
    _require_allowed(acting_user, agreement)
    try:
        names, pairs = pprl.read_matches(
            matches, agreement=agreement.reference, keys=agreement_keys(agreement)
        )
    except pprl.PprlFileError as exc:
        _refuse(acting_user, agreement, exc.code)
    if party_label(organisation) not in names:
        _refuse(acting_user, agreement, "pprl_not_party")
    side = names.index(party_label(organisation))
    wanted = {pair[side]: (pair[1 - side], pair[2]) for pair in pairs}
    persons = policy.accessible(
        acting_user, Person.objects.filter(organisation=organisation, anonymised_at__isnull=True)
    )
    found = []
    for person in persons.order_by("pk").iterator(chunk_size=500):
        hit = wanted.get(reference_of(agreement, person))
        if hit:
            found.append((person, *hit))
    with transaction.atomic():
        audit_record(
            action=AuditAction.PPRL_RESOLVED,
            actor=acting_user,
            obj=agreement,
            organisation_id=organisation.pk,
            purpose=PURPOSE,
            detail={"pairs": len(pairs), "resolved": len(found), "persons": [p.pk for p, _r, _s in found]},
        )
    return found
