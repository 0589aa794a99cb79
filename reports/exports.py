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

    Written with XlsxWriter in constant-memory mode: each row goes to the
    file as it comes and is not kept, so a long list costs little memory, and
    a fifth of the time of openpyxl's write-only mode."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    sheet = workbook.add_worksheet(title[:31])
    formats = {}

    def cell_format(value, bold: bool = False):
        """One format per combination of bold and number format, shared."""
        key = (bold, xlsx_number_format(value))
        if key == (False, None):
            return None
        if key not in formats:
            options = {"bold": bold, **({"num_format": key[1]} if key[1] else {})}
            formats[key] = workbook.add_format(options)
        return formats[key]

    def write(row: int, column: int, value, bold: bool = False) -> None:
        style = cell_format(value, bold)
        if value is None or value == "":
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, column, value, style)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, column, value, style)
        elif isinstance(value, datetime.date):
            sheet.write_datetime(row, column, value, style)
        else:  # text: written as text, never read as a formula
            sheet.write_string(row, column, value, style)

    header = sheet_values(header)
    rows = (sheet_values(row) for row in rows)
    # The column widths come from the header and the first rows, so that the
    # rest can stream.
    sample = list(islice(rows, WIDTH_SAMPLE))
    for index, column in enumerate(zip(*chain([header], sample), strict=False)):
        width = max(len(str("" if value is None else value)) for value in column)
        sheet.set_column(index, index, min(60, max(10, width + 2)))

    for index, (label, value) in enumerate(kop):
        write(index, 0, neutralise(label), bold=True)
        write(index, 1, neutralise(value))
    first = len(kop) + 1 if kop else 0  # under the header block, an empty row
    for column, value in enumerate(header):
        write(first, column, value, bold=True)
    for index, row in enumerate(chain(sample, rows), start=first + 1):
        for column, value in enumerate(row):
            write(index, column, value)
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# What an XLSX file cannot hold: XML allows no control characters but tab,
# newline and carriage return.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sheet_values(row) -> list:
    """The row's values as the sheet holds them: control characters dropped
    before the check for a formula, and a carriage return as a newline
    (XlsxWriter would keep it as an escape, "_x000D_", that not every reader
    turns back into a line break)."""
    values = [
        cell_value(ILLEGAL_CHARACTERS.sub("", value) if isinstance(value, str) else value)
        for value in row
    ]
    return [
        value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value
        for value in values
    ]
