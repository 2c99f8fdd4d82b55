"""Office formats: CSV that Excel opens with Chinese names intact, CSV that Excel saved, and workbooks.

    >>> write_csv(frame, "out/districts.csv")          # UTF-8 with a BOM: Excel shows 滨海新区, not mojibake
    >>> text, note = decode_csv(raw_bytes, "zones.csv") # UTF-8 (BOM or not), else GB18030/GBK with a note
    >>> write_xlsx({"plan": table, "districts": districts}, "out/plan.xlsx")

Excel guesses a CSV's encoding from a byte-order mark: without one, Chinese Excel reads UTF-8 as GBK and
shows mojibake. So every CSV the toolkit writes starts with a BOM (`utf-8-sig`); pandas, Python's `csv`
module read with `utf-8-sig` and LibreOffice all skip it. A CSV saved by Chinese Excel ("CSV (逗号分隔)")
is GBK; it is read as GB18030 (a superset of GBK) with a note, instead of rejected.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import InputError, InputIssue

CSV_ENCODING = "utf-8-sig"
LEGACY_ENCODING = "gb18030"  # superset of GBK and GB2312: what Chinese Excel and WPS save as "CSV"
XLSX_INSTALL = 'pip install openpyxl (or pip install ".[xlsx]")'


def write_csv(frame: pd.DataFrame, path: str | Path, **options) -> None:
    """Write a table as UTF-8 CSV with a BOM and "\\n" line ends (options go to DataFrame.to_csv)."""
    options.setdefault("index", False)
    frame.to_csv(path, encoding=CSV_ENCODING, lineterminator="\n", **options)


def csv_text(frame: pd.DataFrame, **options) -> str:
    """A table as CSV text starting with the BOM, for writers that place the text themselves (options go to
    DataFrame.to_csv). Text and float columns without the index are written by Python's csv module exactly as
    to_csv writes them (~4× sooner on a few hundred rows: a sweep takes each variant's plan.csv text)."""
    options.setdefault("index", False)
    text = None
    if not options["index"] and set(options) <= {"index", "columns", "float_format"}:
        text = _plain_csv(frame, list(options.get("columns", frame.columns)), options.get("float_format"))
    return "\ufeff" + (text if text is not None else frame.to_csv(lineterminator="\n", **options))


def _plain_csv(frame: pd.DataFrame, columns: list, float_format: str | None) -> str | None:
    """`columns` of `frame` as to_csv writes them (missing values empty, floats in `float_format`), or None
    when a column is neither text nor float (to_csv then writes the table)."""
    import csv
    import io

    if not columns or not all(type(c) is str for c in columns) or len(set(columns)) < len(columns) \
            or not frame.columns.is_unique or not isinstance(float_format, str):
        return None
    texts = []
    for column in columns:
        series = frame[column]
        values = series.tolist()
        if series.dtype == "float64":
            texts.append(["" if v != v else float_format % v for v in values])
        elif series.dtype.kind == "O":
            text = [v if type(v) is str else "" if v is None or (type(v) is float and v != v) else None
                    for v in values]
            if None in text:   # a number, a date or pd.NA among the text: to_csv's own formatting
                return None
            texts.append(text)
        else:
            return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*texts))
    return out.getvalue()


def decode_csv(raw: bytes, name: str) -> tuple[str, str | None]:
    """The text of a CSV file and a note when it was not UTF-8 (read as GB18030/GBK instead).

    Raises InputError when the bytes are neither UTF-8 nor GB18030."""
    try:
        return raw.decode(CSV_ENCODING), None
    except UnicodeDecodeError as exc:
        position = exc.start
    try:
        text = raw.decode(LEGACY_ENCODING)
    except UnicodeDecodeError:
        raise InputError(InputIssue(name, f"neither UTF-8 nor GBK/GB18030 text (bad byte at position {position})",
                                 "save the file as CSV UTF-8 (Excel: Save As → CSV UTF-8)")) from None
    return text, (f"{name}: read as GBK/GB18030 (not UTF-8) — it is accepted as it is; to avoid the guess, "
                  "save it as CSV UTF-8 (Excel: Save As → CSV UTF-8)")


def write_xlsx(tables: dict[str, pd.DataFrame], path: str | Path) -> None:
    """One workbook, one sheet per table (sheet names cut to Excel's 31 characters)."""
    try:
        import openpyxl  # noqa: F401  (pandas' xlsx writer)
    except ImportError:
        raise InputError(InputIssue(str(path), "writing .xlsx needs openpyxl, which is not installed",
                                 XLSX_INSTALL)) from None
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        for name, frame in tables.items():
            frame.to_excel(book, sheet_name=name[:31], index=False)
