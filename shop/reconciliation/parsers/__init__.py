"""Bank statement exports (CSV) read into plain lines: BCA, Mandiri, BNI, BRI, generic.

Every parser takes the file's text and returns a :class:`ParsedStatement`: the lines it
could read, and for every row it could not, the file's line number and why. A bad row
never stops the rest. Dates are the bank's local dates (WIB); days come before months
(``03/11/2026`` is 3 November), as every Indonesian bank writes them.
"""

from shop.reconciliation.parsers.banks import (
    csv_header,
    detect_bank,
    parse_bca,
    parse_bni,
    parse_bri,
    parse_generic,
    parse_mandiri,
    parse_statement,
)
from shop.reconciliation.parsers.reading import (
    BANK_NAMES,
    BANKS,
    ColumnMapping,
    ParsedLine,
    ParsedStatement,
    RowError,
    RowProblem,
    StatementError,
    decode,
    parse_date,
)

__all__ = [
    "BANK_NAMES",
    "BANKS",
    "ColumnMapping",
    "ParsedLine",
    "ParsedStatement",
    "RowError",
    "RowProblem",
    "StatementError",
    "csv_header",
    "decode",
    "detect_bank",
    "parse_bca",
    "parse_bni",
    "parse_bri",
    "parse_date",
    "parse_generic",
    "parse_mandiri",
    "parse_statement",
]
