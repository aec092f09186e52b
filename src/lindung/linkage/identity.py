"""The identity fields linkage compares, taken from a saved person or from a registration that
is not saved yet (form or API fields), in one shape."""

import datetime
from dataclasses import dataclass, field

from . import keys


@dataclass(frozen=True)
class Document:
    type: str
    number: str  # normalised (keys.document_number)
    country: str = ""


@dataclass(frozen=True)
class Identity:
    names: tuple[str, ...] = ()  # the full name first, then other names used
    date_of_birth: datetime.date | None = None
    documents: tuple[Document, ...] = ()
    sex: str = ""
    citizenship: str = ""
    tokens: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def of(
        cls,
        *,
        given_name="",
        family_name="",
        aliases=(),
        date_of_birth=None,
        documents=(),
        sex="",
        citizenship="",
    ) -> "Identity":
        full = " ".join(p.strip() for p in (given_name or "", family_name or "") if p and p.strip())
        names = tuple(n for n in (full, *(aliases or ())) if n and n.strip())
        docs = tuple(
            Document(
                str(d.get("type", "")), keys.document_number(d.get("number", "")), d.get("country") or ""
            )
            for d in documents or ()
            if keys.document_number(d.get("number", ""))
        )
        return cls(
            names=names,
            date_of_birth=date_of_birth,
            documents=docs,
            sex=sex or "",
            citizenship=citizenship or "",
            tokens=tuple(keys.name_tokens(*names)),
        )

    @classmethod
    def of_person(cls, person) -> "Identity":
        return cls.of(
            given_name=person.given_name,
            family_name=person.family_name,
            aliases=person.aliases,
            date_of_birth=person.date_of_birth,
            documents=person.documents,
            sex=person.sex,
            citizenship=person.citizenship,
        )

    def is_empty(self) -> bool:
        return not (self.tokens or self.date_of_birth or self.documents)
