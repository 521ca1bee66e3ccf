"""Safety of the files we export for spreadsheets (CSV, XLSX)."""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """The text as it should go in a cell: a leading apostrophe makes a formula-like text plain text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value
