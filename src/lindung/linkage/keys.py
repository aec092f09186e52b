"""What two registrations of one person still share when their spellings differ: the comparison
keys of names, dates of birth and document numbers.

Names are transliterated to ASCII (``anyascii``: Cyrillic, Thai, Arabic and every other script),
case-folded and split into tokens, and folded further for spellings that transliteration
systems disagree on ("kh"/"h", a silent Thai "h" before a consonant, doubled letters). Each token
also gets a phonetic code (metaphone). A date of birth gives the variants a clerk may have
written instead (day and month swapped, the year one off). A document number gives itself and its
one-deletion variants: two numbers one edit apart share one of them.

Nothing here is stored in clear: ``blocking`` turns these keys into keyed digests.
"""

import datetime
import re
import unicodedata

import jellyfish
from anyascii import anyascii

MIN_TOKEN = 2
_NOT_LETTER = re.compile(r"[^a-z]+")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
# A Thai leading ห before a low consonant (หม, หน, หล, หว, หย, หร) only sets the tone: it is not
# pronounced, and Latin spellings leave it out. Only for Thai words: Arabic ح is pronounced.
_THAI_SILENT_H = re.compile(r"h(?=[mnlrwy])")
# Spelling differences between transliteration systems, applied to both sides alike.
_FOLDS = (
    (re.compile(r"kh"), "h"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"[vw]$"), "f"),  # Russian final -ov is said, and often written, -of or -ow
    (re.compile(r"(.)\1+"), r"\1"),
)


def _ascii_word(word: str) -> str:
    text = anyascii(word).casefold()
    if _THAI.search(word):
        text = _THAI_SILENT_H.sub("", text)
    return text


def ascii_name(text: str) -> str:
    """The name in lower-case ASCII letters and single spaces (any script)."""
    words = unicodedata.normalize("NFKC", str(text or "")).split()
    return " ".join(_NOT_LETTER.sub(" ", " ".join(_ascii_word(w) for w in words)).split())


def fold(token: str) -> str:
    for pattern, replacement in _FOLDS:
        token = pattern.sub(replacement, token)
    return token


def name_tokens(*names: str) -> list[str]:
    """Folded ASCII tokens of the names, two letters or more, without repeats, in order."""
    seen: dict[str, None] = {}
    for name in names:
        for token in ascii_name(name).split():
            folded = fold(token)
            if len(folded) >= MIN_TOKEN:
                seen.setdefault(folded, None)
    return list(seen)


def phonetic(token: str) -> str:
    return jellyfish.metaphone(token)


def phonetic_codes(tokens) -> list[str]:
    return list(dict.fromkeys(code for code in (phonetic(t) for t in tokens) if code))


def swapped(day: datetime.date) -> datetime.date | None:
    """The date with day and month exchanged, when that is another valid date."""
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


def _year_shift(day: datetime.date, years: int) -> datetime.date | None:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return None


def dob_variants(day: datetime.date) -> list[datetime.date]:
    """The date and what it may have been written as: day/month swapped, the year one off."""
    variants = [day, swapped(day), _year_shift(day, -1), _year_shift(day, 1)]
    return list(dict.fromkeys(v for v in variants if v is not None))


def document_number(number: str) -> str:
    """Upper-case letters and digits only: spaces, dashes and dots do not tell numbers apart."""
    text = unicodedata.normalize("NFKC", str(number or "")).upper()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def deletions(number: str) -> list[str]:
    """The number with one character left out, each way: numbers one edit apart (a wrong, a
    missing or an extra character) share at least one of these or each other."""
    return list(dict.fromkeys(number[:i] + number[i + 1 :] for i in range(len(number))))
