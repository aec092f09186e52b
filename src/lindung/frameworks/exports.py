"""Exports of the comparison: the matrix as CSV or XLSX, the desk-review report as DOCX or PDF.

Every export is built from one ``DeskReview`` so the four formats say the same thing. Citations
are numbered in order of first appearance; every instrument named in the report points to its
number and the references list gives the citation, link and verification state.
"""

import datetime
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import spreadsheets
from lindung.standard import registry

from . import selectors

# The Thai subset of Noto Sans Thai (vendored, OFL) lets the PDF show Thai titles on machines without
# a Thai system font; DejaVu (Debian's default) covers Latin and Cyrillic.
FONT_DIR = Path(__file__).resolve().parent / "static" / "frameworks" / "vendor" / "noto-sans-thai"
# WeasyPrint logs every layout step at INFO; a report is one line in the audit log, not fifty in the console.
for _name in ("weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)

CSV_HEADER = [
    "theme",
    "theme_label",
    "country",
    "instrument_id",
    "instrument",
    "type",
    "standing",
    "provisions",
    "citation_number",
]


@dataclass
class DeskReview:
    matrix: selectors.Matrix
    theme: str
    generated_on: datetime.date
    references: dict = field(default_factory=dict)  # instrument id -> number
    recommendations: list = field(default_factory=list)

    @property
    def theme_label(self) -> str:
        return registry.label("framework_theme", self.theme) if self.theme else ""

    def cite(self, instrument) -> int:
        return self.references.setdefault(instrument.pk, len(self.references) + 1)

    def reference_list(self) -> list:
        by_id = {e.instrument.pk: e.instrument for entries in self.matrix.entries.values() for e in entries}
        return [
            (number, by_id[pk]) for pk, number in sorted(self.references.items(), key=lambda item: item[1])
        ]

    def country_label(self, code) -> str:
        return registry.label("country", code)

    def side_by_side(self) -> list:
        """[(country, [CellEntry])] for the report's theme."""
        return [(c, self.matrix.cell(c, self.theme)) for c in self.matrix.countries] if self.theme else []


def desk_review(user, countries, theme: str = "") -> DeskReview:
    review = DeskReview(
        selectors.country_matrix(user, countries),
        theme,
        timezone.localdate(),
        recommendations=selectors.recommendations_for_review(user, countries, theme),
    )
    # Number citations in reading order: matrix, then gaps, then the side-by-side theme.
    for _code, _label, cells in review.matrix.rows():
        for _country, entries in cells:
            for entry in entries:
                review.cite(entry.instrument)
    for country in review.matrix.countries:
        for entry in review.matrix.entries[country]:
            review.cite(entry.instrument)
    return review


def _cell_text(review: DeskReview, entries) -> str:
    if not entries:
        return _("Nothing recorded")
    return "\n".join(
        f"{e.instrument} [{review.cite(e.instrument)}] — {e.standing_label}"
        f" ({', '.join(p.reference for p in e.provisions)})"
        for e in entries
    )


def matrix_rows(review: DeskReview):
    """Long format: one row per (theme, country, instrument), and one per empty cell."""
    for code, label, cells in review.matrix.rows():
        for country, entries in cells:
            if not entries:
                yield [code, label, country, "", "", "", "none", "", ""]
            for e in entries:
                yield [
                    code,
                    label,
                    country,
                    e.instrument.pk,
                    e.instrument.title_en,
                    e.instrument.get_instrument_type_display(),
                    e.standing,
                    "; ".join(p.reference for p in e.provisions),
                    review.cite(e.instrument),
                ]


def matrix_csv(review: DeskReview) -> bytes:
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(matrix_rows(review))
    return out.getvalue().encode("utf-8-sig")


def matrix_xlsx(review: DeskReview) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Matrix")[:31]
    sheet.append([_("Theme"), *[review.country_label(c) for c in review.matrix.countries]])
    for _code, label, cells in review.matrix.rows():
        sheet.append([label, *[_cell_text(review, entries) for _country, entries in cells]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 30
    for index in range(len(review.matrix.countries)):
        sheet.column_dimensions[chr(ord("B") + index)].width = 60
    details = book.create_sheet(_("Details")[:31])
    details.append(CSV_HEADER)
    for row in matrix_rows(review):
        details.append(row)
    refs = book.create_sheet(_("References")[:31])
    refs.append(["number", "title", "citation", "source_url", "verification"])
    for number, instrument in review.reference_list():
        refs.append(
            [
                number,
                instrument.title_en,
                instrument.citation,
                instrument.source_url,
                instrument.verification,
            ]
        )
    return spreadsheets.workbook_bytes(book)


def _gap_lines(review: DeskReview, country) -> list[tuple[str, list[str]]]:
    gaps = review.matrix.gaps(country)
    return [
        (
            _("Themes with no instrument in force"),
            [label for _code, label in gaps.themes_without_instrument_in_force],
        ),
        (
            _("Commitments without an implementing instrument"),
            [
                f"{e.instrument} [{review.cite(e.instrument)}] — {e.standing_label}"
                for e in gaps.commitments_without_implementation
            ],
        ),
        (
            _("Expired agreements and instruments"),
            [f"{e.instrument} [{review.cite(e.instrument)}]" for e in gaps.expired],
        ),
    ]


def _reference_text(instrument) -> str:
    parts = [instrument.title_en]
    if instrument.title_original and instrument.title_original != instrument.title_en:
        parts.append(f"({instrument.title_original})")
    if instrument.citation:
        parts.append(f"— {instrument.citation}")
    if instrument.source_url:
        parts.append(f"<{instrument.source_url}>")
    parts.append(
        f"[{instrument.get_verification_display()}"
        + (f", {instrument.last_verified.isoformat()}" if instrument.last_verified else "")
        + "]"
    )
    if instrument.is_example:
        parts.append(_("(example)"))
    return " ".join(str(p) for p in parts)


def report_title(review: DeskReview) -> str:
    names = ", ".join(review.country_label(c) for c in review.matrix.countries)
    return _("Desk review of policies and legal frameworks: %(countries)s") % {"countries": names}


def report_context(review: DeskReview) -> dict:
    return {
        "review": review,
        "title": report_title(review),
        "matrix_rows": [
            (label, [(c, _cell_text(review, entries)) for c, entries in cells])
            for _code, label, cells in review.matrix.rows()
        ],
        "gaps": [(review.country_label(c), _gap_lines(review, c)) for c in review.matrix.countries],
        "side_by_side": [
            (review.country_label(c), [(e, review.cite(e.instrument)) for e in entries])
            for c, entries in review.side_by_side()
        ],
        "counts": [
            (review.country_label(c), pairs) for c, pairs in review.matrix.country_counts.items() if pairs
        ],
        "recommendations": [_recommendation_lines(review, r) for r in review.recommendations],
        "references": [(n, _reference_text(i)) for n, i in review.reference_list()],
    }


def _recommendation_lines(review: DeskReview, recommendation) -> tuple[str, str, str]:
    """(heading, text, follow-up) of one recommendation in the report."""
    heading = _("%(priority)s priority — %(title)s (%(countries)s)") % {
        "priority": recommendation.get_priority_display(),
        "title": recommendation.title,
        "countries": ", ".join(review.country_label(c) for c in recommendation.countries),
    }
    followup = _("%(kind)s from %(source)s; follow-up: %(status)s.") % {
        "kind": recommendation.get_kind_display(),
        "source": recommendation.source,
        "status": recommendation.get_followup_status_display(),
    }
    if recommendation.followup_note:
        followup = f"{followup} {recommendation.followup_note}"
    return heading, recommendation.text, followup


def report_pdf(review: DeskReview) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string("frameworks/report_print.html", report_context(review))
    fonts = FontConfiguration()
    return HTML(string=html, base_url=FONT_DIR.as_uri() + "/").write_pdf(font_config=fonts)


def report_docx(review: DeskReview) -> bytes:
    from docx import Document

    context = report_context(review)
    doc = Document()
    doc.core_properties.title = context["title"]
    doc.add_heading(context["title"], level=0)
    doc.add_paragraph(
        _(
            "Generated from the Lindung knowledge base on %(date)s. Numbers in brackets refer to the "
            "references at the end; check entries marked unverified against their source."
        )
        % {"date": review.generated_on.isoformat()}
    )
    doc.add_heading(_("Country × theme matrix"), level=1)
    table = doc.add_table(rows=1, cols=1 + len(review.matrix.countries))
    table.style = "Table Grid"
    table.rows[0].cells[0].text = _("Theme")
    for index, country in enumerate(review.matrix.countries, start=1):
        table.rows[0].cells[index].text = review.country_label(country)
    for label, cells in context["matrix_rows"]:
        row = table.add_row().cells
        row[0].text = str(label)
        for index, (_country, text) in enumerate(cells, start=1):
            row[index].text = text
    doc.add_heading(_("Gaps"), level=1)
    for country_label, sections in context["gaps"]:
        doc.add_heading(country_label, level=2)
        for heading, lines in sections:
            doc.add_paragraph(str(heading), style="Heading 3")
            for line in lines or [_("None found.")]:
                doc.add_paragraph(str(line), style="List Bullet")
    if review.theme:
        doc.add_heading(_("Side by side: %(theme)s") % {"theme": review.theme_label}, level=1)
        for country_label, entries in context["side_by_side"]:
            doc.add_heading(country_label, level=2)
            if not entries:
                doc.add_paragraph(_("Nothing recorded."))
            for entry, number in entries:
                doc.add_paragraph(
                    f"{entry.instrument} [{number}] — {entry.standing_label}", style="List Bullet"
                )
                for provision in entry.provisions:
                    doc.add_paragraph(f"{provision.reference}: {provision.text}")
    if context["counts"]:
        doc.add_heading(_("Statistics"), level=1)
        for country_label, pairs in context["counts"]:
            for label, value in pairs:
                doc.add_paragraph(f"{country_label} — {label}: {value}", style="List Bullet")
    if context["recommendations"]:
        doc.add_heading(_("Recommendations, by priority"), level=1)
        for heading, text, followup in context["recommendations"]:
            doc.add_heading(heading, level=2)
            doc.add_paragraph(text)
            doc.add_paragraph(followup)
    doc.add_heading(_("References"), level=1)
    for number, text in context["references"]:
        doc.add_paragraph(f"[{number}] {text}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
