"""Reading the YAML files Lindung ships: the standard's definitions, indicators, guidance."""

from pathlib import Path

import yaml

# libyaml's parser, when PyYAML was built with it, is about ten times faster than the pure-Python
# one; the standard's definitions are read at the start of every command and process.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path):
    """The content of a YAML file, read with a safe loader."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
