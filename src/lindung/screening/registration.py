"""What an interview shares with the person's registration in cases: the registered sex and age
group pre-fill the questions of those names, and an answer that contradicts them is flagged to the
interviewer (never silently accepted, never silently overwritten: either may be the wrong one)."""

from . import instrument as ins

# Question name in an instrument -> the Person field it asks about. The codes are the data
# standard's in both (the ``sex`` and ``age_group`` code lists).
REGISTRATION_QUESTIONS = {"sex": "sex", "age_group": "age_group"}


def _questions(definition):
    for section in definition["sections"]:
        for q in section["questions"]:
            if q["name"] in REGISTRATION_QUESTIONS and q.get("list"):
                yield q


def _choice_label(definition, q, value) -> str:
    choices = {c["name"]: ins.text(c["label"]) for c in definition["choice_lists"][q["list"]]}
    return choices.get(str(value), str(value))


def prefill(interview) -> dict:
    """{question: registered value} for the unanswered registration questions that the
    instrument offers the registered value for."""
    person, definition = interview.person, interview.version.definition
    if person is None:
        return {}
    answers = interview.answers or {}
    out = {}
    for q in _questions(definition):
        value = getattr(person, REGISTRATION_QUESTIONS[q["name"]], "") or ""
        names = {c["name"] for c in definition["choice_lists"][q["list"]]}
        if q["name"] not in answers and value in names:
            out[q["name"]] = value
    return out


def contradictions(interview) -> list[dict]:
    """The answers that differ from the registration: question, answer and registered value, as
    labels (sex and age group identify nobody: no personal read to log)."""
    person, definition = interview.person, interview.version.definition
    if person is None:
        return []
    answers = interview.answers or {}
    out = []
    for q in _questions(definition):
        field = REGISTRATION_QUESTIONS[q["name"]]
        answered, registered = answers.get(q["name"]), getattr(person, field, "") or ""
        if answered not in (None, "") and registered and str(answered) != registered:
            out.append(
                {
                    "question": ins.text(q["label"]),
                    "answer": _choice_label(definition, q, answered),
                    "registered": getattr(person, f"get_{field}_display")(),
                }
            )
    return out
