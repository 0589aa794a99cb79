"""Tables as CSV or XLSX downloads: one writer for every export.

Every cell passes through ``cell_value``, so that no export can carry a
formula (OWASP "CSV injection"): a family's name comes from a public form
and a spreadsheet would run ``=HYPERLINK(...)`` in it."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from itertools import chain, islice

from django.http import HttpResponse

# A spreadsheet reads text that starts with one of these as a formula (tab and
# carriage return can be dropped in front of one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Text that is nothing but a number or a date: the views hand over the
# municipality report's figures and the lists' dates as text ("12", "-3",
# "4.5", "2026-01-31"). No leading zeros, so that a telephone number stays text.
PLAIN_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

DUTCH_DATE = "dd-mm-yyyy"  # Excel's format code for dd-mm-jjjj

# How many rows an XLSX's column widths are measured on.
WIDTH_SAMPLE = 200


def neutralise(text: str) -> str:
    """Text that a spreadsheet would read as a formula gets a leading quote."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def cell_value(value):
    """The value as the sheet should hold it: a number or a date as one (also
    when it comes as plain text, so that the XLSX can sum it), any other text
    harmless."""
    if not isinstance(value, str):
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return Decimal(value) if "." in value else int(value)
    if ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    return neutralise(value)


def csv_response(
    header: list[str], rows: Iterable, filename: str, kop: list[tuple[str, str]] = ()
) -> HttpResponse:
    """A CSV for a Dutch spreadsheet: semicolons, UTF-8 with a byte order
    mark. ``kop``: rows of (label, value) above the table, then an empty row."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # so that Excel reads the accents right
    writer = csv.writer(response, delimiter=";")
    for label, value in kop:
        writer.writerow([neutralise(label), neutralise(value)])
    if kop:
        writer.writerow([])
    # Numbers and dates come out as they came in: 12, 4.5, 2026-01-31.
    for row in chain([header], rows):
        writer.writerow([cell_value(value) for value in row])
    return response


def xlsx_number_format(value) -> str | None:
    """Dates as dd-mm-jjjj, decimals with their own number of places."""
    if isinstance(value, datetime.date):
        return DUTCH_DATE
    if isinstance(value, Decimal):
        places = max(0, -value.as_tuple().exponent)
        return "#,##0" + ("." + "0" * places if places else "")
    return None


def xlsx_response(
    header: list[str],
    rows: Iterable,
    filename: str,
    title: str,
    kop: list[tuple[str, str]] = (),
) -> HttpResponse:
    """``kop``: rows of (label, value) above the table, the label in bold,
    then an empty row; numbers stay numbers.

    Written in openpyxl's write-only mode: each row goes to the file as it
    comes and is not kept as cell objects, so a long list costs little memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)

    def styled(value, font: Font | None = None):
        """The value, as a cell of its own where it needs a font or a format."""
        number_format = xlsx_number_format(value)
        if font is None and number_format is None:
            return value
        cell = WriteOnlyCell(sheet, value=value)
        if font is not None:
            cell.font = font
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def sheet_values(row) -> list:
        # Control characters are not allowed in an XLSX file (openpyxl refuses
        # them): dropped before the check for a formula.
        return [
            cell_value(ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v) for v in row
        ]

    header = sheet_values(header)
    rows = (sheet_values(row) for row in rows)
    # A write-only sheet takes its column widths before its first row: they
    # come from the header and the first rows, so that the rest can stream.
    sample = list(islice(rows, WIDTH_SAMPLE))
    for index, column in enumerate(zip(*chain([header], sample), strict=False), start=1):
        width = max(len(str("" if value is None else value)) for value in column)
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, width + 2))

    for label, value in kop:
        sheet.append([styled(neutralise(label), bold), neutralise(value)])
    if kop:
        sheet.append([])
    sheet.append([styled(value, bold) for value in header])
    for row in chain(sample, rows):
        sheet.append([styled(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
