"""Every catalogue of every app compiles, for all six languages."""

import polib
from django.conf import settings

from lindung.i18n import PACKAGE_DIR, catalogues


def test_all_catalogues_parse_and_compile(tmp_path):
    found = catalogues()
    languages = {p.parent.parent.name for p in found}
    assert languages == {code for code, _name in settings.LANGUAGES}
    for po_path in found:
        catalogue = polib.pofile(str(po_path))
        catalogue.save_as_mofile(str(tmp_path / "out.mo"))
        assert (tmp_path / "out.mo").stat().st_size > 0, po_path


def test_every_app_with_templates_has_all_languages():
    for app_dir in sorted(p for p in PACKAGE_DIR.iterdir() if (p / "templates").is_dir()):
        for code, _name in settings.LANGUAGES:
            po = app_dir / "locale" / code / "LC_MESSAGES" / "django.po"
            assert po.exists(), f"{app_dir.name} has no {code} catalogue"
