"""Source anchors: where a hand-written note about a line of a contract
points, in a form that survives edits elsewhere in the file.

An anchor is the enclosing function's name ("" at module level) and the
line's code with its comment and spacing dropped. The equivalent mutants
(`equivalent_mutants.toml`: function, line before, line after) and the
coverage justifications (`coverage_justifications.toml`: function, code)
are keyed this way, not by line number or universalmutator's mutant
number, which change whenever a line is added above them.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

_NOT_CODE = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.ENCODING,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
}


def line_tokens(line: str) -> list[str]:
    """The code tokens of one source line: comments and indentation dropped.
    A line that opens a bracket it does not close ends in `<open>`."""
    found: list[str] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline):
            if tok.type not in _NOT_CODE:
                found.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        found.append("<open>")
    return found


def normalized(line: str) -> str:
    """One line's code, tokens joined by one space (comment, indentation and
    spacing dropped): `x  =  1  # one` -> `x = 1`."""
    return " ".join(line_tokens(line))


def enclosing_function(source: str, line: int) -> str | None:
    """The name of the function whose body holds `line` (1-based), or None
    for a module-level line (a constant, a storage variable, ...)."""
    for text in reversed(source.splitlines()[:line]):
        match = re.match(r"\s*def\s+(\w+)", text)
        if match:
            return match.group(1)
        if text and not text[0].isspace() and not text.startswith(("@", "#", ")")):
            return None
    return None


@dataclass(frozen=True)
class Anchor:
    """A line of `file` named by its function ("" at module level) and its
    normalized code."""

    file: str
    function: str
    code: str

    @classmethod
    def at(cls, file: str, source: str, line: int) -> Anchor:
        text = source.splitlines()[line - 1]
        return cls(file, enclosing_function(source, line) or "", normalized(text))

    def lines(self, source: str) -> list[int]:
        """The lines (1-based) of `source` this anchor names (usually one; a
        line written twice in one function gives both)."""
        return index(source).get((self.function, self.code), [])


def index(source: str) -> dict[tuple[str, str], list[int]]:
    """(function, normalized code) -> the lines (1-based) of `source` that
    hold it; one pass over the file, for resolving many anchors."""
    found: dict[tuple[str, str], list[int]] = {}
    function = ""
    for number, text in enumerate(source.splitlines(), start=1):
        match = re.match(r"\s*def\s+(\w+)", text)
        if match:
            function = match.group(1)
        elif text and not text[0].isspace() and not text.startswith(("@", "#", ")")):
            function = ""
        if text.strip() and not text.lstrip().startswith("#"):
            found.setdefault((function, normalized(text)), []).append(number)
    return found
