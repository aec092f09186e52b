"""Small builders shared by the standard's tests."""

import io

from openpyxl import Workbook

LINDUNG_HEADER = "year_of_registration,data_source,sex,age_group,majority_status,citizenship"
LINDUNG_ROW = "2022,hotline,F,18-20,adult,PHL"


def lindung_csv(*rows: str, header: str = LINDUNG_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def xlsx(*sheets: list[list]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for i, rows in enumerate(sheets):
        sheet = book.create_sheet(f"Sheet{i + 1}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
