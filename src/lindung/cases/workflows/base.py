"""The workflow engine: a case type is data (states, transitions, step fields, checks).

A workflow module declares one ``Workflow``. The engine never hard-codes a case type: services
ask the workflow which transitions leave a state, who may take them, which step data they need
and which dates must come in order. Step data is cleaned here, once, for the web forms and the
API alike.
"""

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lindung.core.roles import Capability
from lindung.standard import registry

DATE = "date"
CODE = "code"
CODES = "codes"
TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"
BOOLEAN = "boolean"

CLOSURE = "closure"
CLOSED = "closed"
TRANSFERRED = "transferred"

TEXT_LIMIT = 2000


@dataclass(frozen=True)
class StepField:
    """One item of step data. ``personal`` items are stored encrypted (free text, names)."""

    name: str
    label: object
    kind: str
    code_list: str = ""
    choices: tuple = ()
    required: bool = True
    personal: bool = False
    min_value: object = None
    max_value: object = None

    def choice_pairs(self) -> list[tuple[str, str]]:
        if self.code_list:
            return registry.choices(self.code_list)
        return [(value, str(label)) for value, label in self.choices]

    def is_valid_code(self, value: str) -> bool:
        if self.code_list:
            return registry.is_valid(self.code_list, value)
        return value in {v for v, _label in self.choices}

    def clean(self, value):
        """The JSON-ready value, or ValidationError naming what is wrong."""
        if self.kind == DATE:
            if isinstance(value, datetime.datetime):
                value = value.date()
            if not isinstance(value, datetime.date):
                parsed = parse_date(str(value)) if isinstance(value, str) else None
                if parsed is None:
                    raise ValidationError(_("Enter a date as YYYY-MM-DD."))
                value = parsed
            return value.isoformat()
        if self.kind == CODE:
            if not isinstance(value, str) or not self.is_valid_code(value):
                raise ValidationError(
                    _("%(value)s is not one of the allowed codes.") % {"value": str(value)[:40]}
                )
            return value
        if self.kind == CODES:
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list | tuple) or not values:
                raise ValidationError(_("Choose at least one."))
            bad = [str(v)[:40] for v in values if not isinstance(v, str) or not self.is_valid_code(v)]
            if bad:
                raise ValidationError(_("Unknown codes: %(codes)s.") % {"codes": ", ".join(bad)})
            return sorted(set(values))
        if self.kind == TEXT:
            if not isinstance(value, str):
                raise ValidationError(_("Enter text."))
            if len(value) > TEXT_LIMIT:
                raise ValidationError(_("At most %(n)d characters.") % {"n": TEXT_LIMIT})
            return value.strip()
        if self.kind == BOOLEAN:
            if isinstance(value, bool):
                return value
            if value in ("true", "on", "1", "yes"):
                return True
            if value in ("false", "off", "0", "no"):
                return False
            raise ValidationError(_("Answer yes or no."))
        if self.kind in (INTEGER, DECIMAL):
            return self._clean_number(value)
        raise ValueError(f"unknown step field kind {self.kind!r}")

    def _clean_number(self, value):
        if isinstance(value, bool):
            raise ValidationError(_("Enter a number."))
        try:
            number = int(value) if self.kind == INTEGER else Decimal(str(value))
        except (TypeError, ValueError, InvalidOperation):
            raise ValidationError(_("Enter a number.")) from None
        if self.kind == DECIMAL and not number.is_finite():
            raise ValidationError(_("Enter a number."))
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(_("The smallest allowed value is %(v)s.") % {"v": self.min_value})
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(_("The largest allowed value is %(v)s.") % {"v": self.max_value})
        return number if self.kind == INTEGER else str(number)


@dataclass(frozen=True)
class Transition:
    """A move from one of ``sources`` to ``target``. ``checks`` are ``check(case, data) -> reason|None``
    run after the step data is clean; ``task`` = (title, date field) opens a task due that day;
    ``effects`` name functions of ``services.STEP_EFFECTS``, run as ``effect(case, data, acting_user)``
    inside the transition's transaction (named, so that workflows never import the services)."""

    name: str
    label: object
    sources: tuple
    target: str
    capability: str = Capability.MANAGE_CASES
    fields: tuple = ()
    checks: tuple = ()
    task: tuple | None = None
    effects: tuple = ()

    def field_kind(self, name: str) -> str:
        return next((f.kind for f in self.fields if f.name == name), "")


@dataclass(frozen=True)
class Workflow:
    case_type: str
    label: object
    states: tuple  # ((state, label), ...) in the order of the path
    initial: str
    transitions: tuple
    # (earlier, later) pairs over all step data of the case: "departure before counselling" is refused.
    date_order: tuple = ()
    # check(person) -> reason|None, run when a case of this type is opened.
    open_checks: tuple = ()
    retention_days: int = 5 * 365
    retention_action: str = "anonymise"  # or "delete"
    # The step in which the person leaves the country (a return path). Moving a case into it needs
    # a signed-off risk-on-return assessment (non-refoulement): see cases.return_risk.
    departure_step: str = ""
    _by_name: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        state_names = {s for s, _label in self.states}
        for t in self.transitions:
            unknown = {t.target, *t.sources} - state_names
            if unknown:
                raise ValueError(f"{self.case_type}.{t.name} names unknown states {sorted(unknown)}")
            if t.name in self._by_name:
                raise ValueError(f"{self.case_type}: transition {t.name!r} defined twice")
            self._by_name[t.name] = t
        if self.departure_step and self.departure_step not in state_names:
            raise ValueError(f"{self.case_type}: departure step {self.departure_step!r} is not a state")
        fields = {f.name for t in self.transitions for f in t.fields}
        for earlier, later in self.date_order:
            if earlier not in fields or later not in fields:
                raise ValueError(f"{self.case_type}: date order names unknown field {earlier}/{later}")

    def transition(self, name: str) -> Transition | None:
        return self._by_name.get(name)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def state_label(self, state: str) -> str:
        return str(dict(self.states).get(state, state))

    def field(self, name: str) -> StepField | None:
        for t in self.transitions:
            for f in t.fields:
                if f.name == name:
                    return f
        return None

    @property
    def is_return_path(self) -> bool:
        return bool(self.departure_step)

    @property
    def open_states(self) -> list[str]:
        return [s for s, _label in self.states if s not in (CLOSED, TRANSFERRED)]


def clean_step_data(transition: Transition, raw: dict) -> tuple[dict, dict]:
    """(public, personal) cleaned step data for ``transition``; ValidationError per field."""
    if not isinstance(raw, dict):
        raise ValidationError({"data": [_("Step data must be an object of field names and values.")]})
    known = {f.name: f for f in transition.fields}
    errors: dict[str, list] = {}
    for name in raw:
        if name not in known:
            errors[name] = [_("This step does not take %(field)s.") % {"field": str(name)[:60]}]
    public: dict = {}
    personal: dict = {}
    for f in transition.fields:
        value = raw.get(f.name)
        if value is None or value == "" or value == []:
            if f.required:
                errors[f.name] = [_("%(label)s is needed for this step.") % {"label": f.label}]
            continue
        try:
            cleaned = f.clean(value)
        except ValidationError as exc:
            errors[f.name] = exc.messages
            continue
        (personal if f.personal else public)[f.name] = cleaned
    if errors:
        raise ValidationError(errors)
    return public, personal


def date_order_errors(workflow: Workflow, merged: dict, changed: set) -> dict:
    """Field errors for every (earlier, later) pair broken by the merged step data."""
    errors: dict[str, list] = {}
    for earlier, later in workflow.date_order:
        a, b = merged.get(earlier), merged.get(later)
        if not a or not b or a <= b or not ({earlier, later} & changed):
            continue
        target = later if later in changed else earlier
        errors.setdefault(target, []).append(
            _("%(later)s (%(b)s) cannot be before %(earlier)s (%(a)s).")
            % {
                "later": workflow.field(later).label,
                "b": b,
                "earlier": str(workflow.field(earlier).label).lower(),
                "a": a,
            }
        )
    return errors


def closure_transitions(*, reject_to: str, extra_checks: tuple = ()) -> tuple:
    """The closure path every case type shares: a caseworker asks, a supervisor approves."""
    return (
        Transition(
            "request_closure",
            _lazy("Ask to close the case"),
            sources=(),  # filled by with_closure(): every open state but closure itself
            target=CLOSURE,
            fields=(
                StepField("closure_date", _lazy("Closure date"), DATE),
                StepField("case_outcome", _lazy("Outcome"), CODE, code_list="case_outcome"),
                StepField("closure_reason", _lazy("Reason for closing"), TEXT, required=False, personal=True),
            ),
            checks=extra_checks,
        ),
        Transition(
            "approve_closure",
            _lazy("Approve closure"),
            sources=(CLOSURE,),
            target=CLOSED,
            capability=Capability.SUPERVISE_CASES,
        ),
        Transition(
            "reject_closure",
            _lazy("Send back for more work"),
            sources=(CLOSURE,),
            target=reject_to,
            capability=Capability.SUPERVISE_CASES,
            fields=(StepField("rejection_reason", _lazy("Why the case stays open"), TEXT, personal=True),),
        ),
    )


def with_closure(states: tuple, transitions: tuple, *, reject_to: str, extra_checks: tuple = ()) -> tuple:
    """``transitions`` plus the shared closure path, ``request_closure`` allowed from every step."""
    request, approve, reject = closure_transitions(reject_to=reject_to, extra_checks=extra_checks)
    open_steps = tuple(s for s, _label in states if s not in (CLOSURE, CLOSED, TRANSFERRED))
    request = dataclasses.replace(request, sources=open_steps)
    return (*transitions, request, approve, reject)


FINAL_STATES = (
    (CLOSURE, _lazy("Closure awaiting approval")),
    (CLOSED, _lazy("Closed")),
    (TRANSFERRED, _lazy("Transferred")),
)
