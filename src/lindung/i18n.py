"""Compile the translation catalogues in pure Python (polib), so setup needs no system gettext.

``python -m lindung.i18n compile`` writes a ``.mo`` beside every ``.po`` under the package and
fails, naming the file, when a catalogue does not parse. Plural rules come from each
catalogue's header, as with GNU msgfmt (Russian uses Django's four forms).
"""

import sys
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent


def catalogues() -> list[Path]:
    return sorted(PACKAGE_DIR.glob("**/locale/*/LC_MESSAGES/*.po"))


def compile_all() -> int:
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            catalogue = polib.pofile(str(po_path))
        except (OSError, ValueError) as exc:
            raise SystemExit(f"{po_path}: {exc}") from exc
        catalogue.save_as_mofile(str(mo_path))
    return len(catalogues())


if __name__ == "__main__":
    if sys.argv[1:] != ["compile"]:
        sys.exit("usage: python -m lindung.i18n compile")
    print(f"Compiled {compile_all()} translation catalogue(s).")
