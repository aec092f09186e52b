"""Compile the translation catalogues with Babel, so setup needs no system gettext.

``python -m lindung.i18n compile`` writes a ``.mo`` beside every ``.po`` under the package and
fails, naming the file, when a catalogue does not parse.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE_DIR = Path(__file__).resolve().parent


def catalogues() -> list[Path]:
    return sorted(PACKAGE_DIR.glob("**/locale/*/LC_MESSAGES/*.po"))


def compile_all() -> int:
    count = 0
    for po_path in catalogues():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name, abort_invalid=True)
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            count += 1
            continue
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        count += 1
    return count


if __name__ == "__main__":
    if sys.argv[1:] != ["compile"]:
        sys.exit("usage: python -m lindung.i18n compile")
    print(f"Compiled {compile_all()} translation catalogue(s).")
