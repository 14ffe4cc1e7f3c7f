"""Problems found in a site's input, and the exceptions that carry them."""

from __future__ import annotations

from dataclasses import dataclass, field

from builder.i18n import N_, _


@dataclass(frozen=True, order=True)
class Message:
    """A problem's text in the chosen language, with its stable code (builder/codes.py)."""

    code: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one input file, with its position."""

    path: str
    line: int
    column: int
    field: str
    message: Message
    severity: str = "error"

    @property
    def code(self) -> str:
        """The problem's stable code, the same in every language (e.g. GS201)."""
        return self.message.code

    @property
    def text(self) -> str:
        """The problem's message in the chosen language."""
        return self.message.text

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {field_label(self.field)}: {self.message.text}"
        return text if self.severity == "error" else f"{text} [{severity_label(self.severity)}]"

    def as_dict(self) -> dict[str, object]:
        """Return the problem as a JSON-ready mapping."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "code": self.message.code,
            "message": self.message.text,
            "severity": self.severity,
        }


# Where a problem is that is not a field of the file (its JSON `field` stays as written here).
PLACE_LABELS = {"file": N_("file"), "encoding": N_("encoding"), "front matter": N_("front matter"),
                "personal data": N_("personal data"), "body": N_("body"), "template": N_("template"),
                "environment": N_("environment"), "header": N_("header"), "rows": N_("rows"), "row": N_("row"),
                "column": N_("column"), "image": N_("image"), "link": N_("link")}


def field_label(field_name: str) -> str:
    """The field as a problem line shows it: a file's own field as written, a place such as `file` in words."""
    return _(PLACE_LABELS[field_name]) if field_name in PLACE_LABELS else field_name


def severity_label(severity: str) -> str:
    """The word shown after a problem that is not an error."""
    return _("warning") if severity == "warning" else severity


@dataclass
class Problems:
    """A collector of problems, filled by every stage before the build decides to stop."""

    items: list[Problem] = field(default_factory=list)
    error_count: int = 0

    def add(self, path: str, line: int, column: int, field_name: str, message: Message,
            severity: str = "error") -> None:
        """Record one problem."""
        self.items.append(Problem(path, line, column, field_name, message, severity))
        if severity == "error":
            self.error_count += 1

    def warn(self, path: str, line: int, column: int, field_name: str, message: Message) -> None:
        """Record one warning."""
        self.add(path, line, column, field_name, message, "warning")

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop a build, in file order."""
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        """The problems that do not stop a build, in file order."""
        return sorted(p for p in self.items if p.severity != "error")


class GongshiError(Exception):
    """Base class of every error the builder raises on purpose."""


class ContentError(GongshiError):
    """The input has problems; the build wrote nothing."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        super().__init__(_("{count} problem(s) in the input").format(count=count))


class OutputError(GongshiError):
    """Writing or publishing the output failed; the previous output is intact."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class SearchIndexError(GongshiError):
    """Pagefind could not index the staged site."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(_("search index: {reason}").format(reason=reason))
