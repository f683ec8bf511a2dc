"""CSV exports that a spreadsheet opens safely."""

import csv
import re

# A formula may start a cell, or any part of one that a spreadsheet splits off: it may assume another
# separator than the comma (a German one takes ";"), or ignore the quotes. Spaces and quotes before the
# sign do not stop it.
_FORMULA_START = re.compile(r"""(^|[,;\t|\r\n])([ "']*)(?=[=+\-@\t\r])""")


class _Echo:
    def write(self, value):
        return value


def csv_cell(value):
    """The text of a cell with an apostrophe before every sign that could start a formula (OWASP's advice)."""
    text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
    return _FORMULA_START.sub(r"\1\2'", text)


def csv_lines(header, rows):
    """The lines of a CSV file, one at a time (memory stays flat for any number of rows): every field
    quoted, every part of a cell a spreadsheet could read as a formula defused."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    # The byte order mark tells Excel on Windows that the file is UTF-8 ("Köln", not "KÃ¶ln").
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])
