"""Word forms for the knowledge base's search: stems in each catalogue language, Thai words apart.

A desk reviewer who types "child" expects the provisions about "children"; one who types
"travailleur" expects "travailleurs". Neither FTS5's unicode61 tokenizer nor PostgreSQL's
'simple' configuration stems, and a provision's language is not always recorded, so every word
is indexed under its Snowball stem in each language Lindung speaks that has a stemmer (English,
French, Russian, Indonesian; Malay shares the Indonesian affixes closely enough for search), and
a query word matches any of its stems as a prefix ("child" finds "children", "childhood").
A few irregular English plurals that matter in this field map to their singular.

Thai is written without spaces between words: runs of Thai script are cut into words with
PyThaiNLP's dictionary segmenter ("newmm", offline), before stemming leaves them unchanged.
"""

import re
from functools import lru_cache

import snowballstemmer

STEMMER_LANGUAGES = ("english", "french", "russian", "indonesian")
IRREGULAR = {
    "children": "child",
    "women": "woman",
    "men": "man",
    "people": "person",
    "persons": "person",
    "wives": "wife",
    "lives": "life",
}
_WORD = re.compile(r"\w+", re.UNICODE)
_THAI = re.compile(r"[\u0E00-\u0E7F]+")


@lru_cache(maxsize=1)
def _stemmers():
    return [snowballstemmer.stemmer(language) for language in STEMMER_LANGUAGES]


def _thai_words(run: str) -> list[str]:
    # Imported on first use: the segmenter loads its dictionary (about half a second).
    from pythainlp.tokenize import word_tokenize

    return [w for w in word_tokenize(run, engine="newmm", keep_whitespace=False) if w.strip()]


def words(text: str) -> list[str]:
    """The words of ``text``, case-folded, Thai runs segmented."""
    found = []
    for word in _WORD.findall(text or ""):
        word = word.casefold()
        if _THAI.fullmatch(word):
            found.extend(_thai_words(word))
        else:
            found.append(word)
    return found


def forms(word: str) -> list[str]:
    """The distinct stems of one (already case-folded) word, the word's own base form first."""
    base = IRREGULAR.get(word, word)
    result = [base]
    for stemmer in _stemmers():
        stem = stemmer.stemWord(base)
        if stem and stem not in result:
            result.append(stem)
    return result


def index_text(text: str) -> str:
    """Every stem of every word of ``text``, space-separated, each once."""
    seen: dict[str, None] = {}
    for word in words(text):
        for form in forms(word):
            seen.setdefault(form, None)
    return " ".join(seen)
