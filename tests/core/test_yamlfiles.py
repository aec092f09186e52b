"""Shipped YAML reads the same with libyaml's fast parser as with PyYAML's own."""

from pathlib import Path

import yaml

import lindung
from lindung.core import yamlfiles

SHIPPED = sorted(Path(lindung.__file__).parent.rglob("*.yaml"))


def test_every_shipped_file_reads_as_safe_load_reads_it():
    assert len(SHIPPED) > 20  # the standard's definitions, indicators, guidance, instruments
    for path in SHIPPED:
        assert yamlfiles.read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path


def test_the_fast_parser_is_used_when_pyyaml_has_it():
    assert yamlfiles._LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if yaml.__with_libyaml__:  # PyYAML's wheels on this machine's platforms carry libyaml
        assert yamlfiles._LOADER is yaml.CSafeLoader
