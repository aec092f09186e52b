"""Links across organisations. Linkage sits below sharing, which owns the agreements between
organisations, so a link between persons of two organisations is refused (code
``agreement_required``) unless a callable registered in ``cross_organisation_checks``,
``check(acting_user, person, other) -> bool``, says an agreement allows it. None is registered
yet: such links are refused, and the refusal is audited."""

cross_organisation_checks: list = []


def allowed(acting_user, person, other) -> bool:
    return person.organisation_id == other.organisation_id or any(
        check(acting_user, person, other) for check in cross_organisation_checks
    )
