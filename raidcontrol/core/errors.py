"""Errors that carry where bad input was found.

Interface code (readers, the CLI) raises :class:`InputError`; the CLI prints it as
``FILE:LINE: field 'F': message`` and exits with code 2.  A reader that found several
problems raises :class:`InputErrors` (an ``InputError`` carrying them all, up to 20); the
CLI prints one line per problem.  Nothing is written to the
journal when one is raised: importers validate everything before the one
transaction that records it.
"""
from __future__ import annotations


class RaidcontrolError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(RaidcontrolError):
    """Bad input, located by file, line (or row) and field when known."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None):
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.located())

    def located(self) -> str:
        where = ""
        if self.file:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"field '{self.field}': " if self.field else ""
        return f"{where}{field}{self.message}"

    def at(self, *, file: str | None = None, line: int | None = None, field: str | None = None) -> InputError:
        """A copy with missing location parts filled in."""
        return InputError(self.message, file=self.file or file, line=self.line if self.line is not None else line,
                          field=self.field or field)


class InputErrors(InputError):
    """Several problems found in one pass (sqlglot-style error collection).

    It is an :class:`InputError` (the first problem's message, file, line and field), so code that
    catches one problem keeps working; ``errors`` holds them all, ``located()`` gives one line each.
    """

    def __init__(self, errors: list[InputError]):
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        flat: list[InputError] = []
        for err in errors:
            flat.extend(err.errors if isinstance(err, InputErrors) else [err])
        self.errors = flat
        first = flat[0]
        super().__init__(first.message, file=first.file, line=first.line, field=first.field)

    def located(self) -> str:
        return "\n".join(InputError.located(e) for e in getattr(self, "errors", [])) or super().located()

    def at(self, *, file: str | None = None, line: int | None = None, field: str | None = None) -> InputError:
        """A copy with missing location parts filled in on every problem."""
        return InputErrors([InputError.at(e, file=file, line=line, field=field) for e in self.errors])
