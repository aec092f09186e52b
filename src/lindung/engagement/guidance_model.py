"""The engagement model shipped with Lindung (data/model): documents organisations adopt, adapt
and translate. Reading it needs no database; adopting copies it into an organisation."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from lindung.core.yamlfiles import read_yaml

MODEL_DIR = Path(__file__).resolve().parent / "data" / "model"


@dataclass(frozen=True)
class ModelDocument:
    key: str
    kind: str
    titles: dict

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles["en"]

    def texts(self) -> dict[str, str]:
        """{language: Markdown} for every language the model has this document in."""
        found = {}
        for code, _name in settings.LANGUAGES:
            path = MODEL_DIR / code / f"{self.key}.md"
            if path.is_file():
                found[code] = path.read_text(encoding="utf-8")
        return found


@cache
def documents() -> tuple[ModelDocument, ...]:
    raw = read_yaml(MODEL_DIR / "index.yaml")
    return tuple(ModelDocument(d["key"], d["kind"], d["title"]) for d in raw["documents"])


def get(key: str) -> ModelDocument | None:
    return next((d for d in documents() if d.key == key), None)
