"""One exception hierarchy, mapped to the exit codes of the command-line contract.

0 success, 1 a check failed, 2 bad input or usage.
"""

from __future__ import annotations


class KgThreatError(Exception):
    """Base class of every error kg-threat reports to its user."""

    exit_code: int = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class InputError(KgThreatError):
    """Bad input: unreadable file, syntax error, invalid term, unknown query (exit 2)."""


class SourceError(InputError):
    """An error located in an input document: ``file:line:col: message``."""

    def __init__(
        self,
        source: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = source
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}", hint=hint)
        self.source = source
        self.line = line
        self.column = column


class LimitExceeded(InputError):
    """A configured bound (size, time, rows) was reached (exit 2)."""


class RemoteError(InputError):
    """A remote SPARQL store could not be used: unreachable, refused, timed out (exit 2)."""


class CheckFailed(KgThreatError):
    """The check the user asked for failed: ``--fail-on`` met, or SHACL violations (exit 1)."""

    exit_code = 1
