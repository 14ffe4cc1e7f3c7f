"""What a YAML syntax error means, in the editors' words: libyaml's problem texts explained, and the mistakes
editors make most (a tab, a full-width colon or indentation, a ':' without its space) named where they were made."""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from builder.i18n import N_, _

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_COLON_IN_VALUE = N_("a ':' followed by a space inside a value: put the whole value in quotes, or check the line above")

# libyaml's problem text → what it means for someone writing a complaint file (its `context`, e.g. "while parsing a
# flow sequence", says nothing more to them and is left out when the problem is known here).
PROBLEMS = {
    "did not find expected ',' or ']'": N_("a list opened with '[' is not closed: ']' is missing, or a ',' between "
                                            "its items"),
    "did not find expected ',' or '}'": N_("a group of fields in curly brackets is not closed: the closing bracket "
                                            "is missing, or a ',' between its fields"),
    "mapping values are not allowed in this context": _COLON_IN_VALUE,
    "mapping values are not allowed here": _COLON_IN_VALUE,
    "did not find expected key": N_("this line is not indented like the fields above it, or text follows a "
                                    "quoted value"),
    "did not find expected '-' indicator": N_("a list item starts with '- ', indented like the items above it"),
    "found unexpected end of stream": N_("a quote is opened and never closed"),
    "could not find expected ':'": N_("a line that is not 'name: value' (a ':' and a space after the field's "
                                      "name)"),
    "found undefined alias": N_("a value starting with '*': put the whole value in quotes"),
    "found unknown escape character": N_("a backslash inside double quotes: use single quotes instead"),
    "exceeded maximum nesting depth": N_("more than 1,000 levels of brackets or indentation"),
}
CANNOT_START = "found character that cannot start any token"

# The slips of a Chinese keyboard and of haste, each blamed only when mending it lets libyaml read further:
# a line indented with full-width spaces (　), a field name followed by a full-width colon (名称：…), and a field
# name followed by ':' and no space (名称:…).
_FULL_WIDTH_INDENT = re.compile(r"^[ ]*(\u3000+)")
_FULL_WIDTH_COLON = re.compile(r"^[ ]*(?:-[ ]+)?([^\s:#'\"\[\]{}][^:#\n]*?)[ ]*：")
_COLON_WITHOUT_SPACE = re.compile(r"^[ ]*(?:-[ ]+)?([A-Za-z_][\w-]*):(?=[^\s/])")


def _slips(text: str) -> Iterator[tuple[int, str, str]]:
    """Each slip a line may hold: (its column, the line mended, what it is)."""
    if found := _FULL_WIDTH_INDENT.match(text):
        start, end = found.span(1)
        yield start, text[:start] + " " * (end - start) + text[end:], _(
            "a line indented with full-width spaces '　': YAML indents with ordinary spaces")
    if found := _FULL_WIDTH_COLON.match(text):
        colon = found.end() - 1
        yield colon, f"{text[:colon]}: {text[colon + 1:]}", _(
            "a full-width colon '：' after “{name}”: a field is written with ':' and a space (name: value)").format(
            name=found.group(1))
    if found := _COLON_WITHOUT_SPACE.match(text):
        colon = found.end() - 1
        yield colon, f"{text[:colon + 1]} {text[colon + 1:]}", _(
            "no space after the ':' of “{name}”: a field is written with ':' and a space (name: value)").format(
            name=found.group(1))


def explain(text: str, line: int, column: int, context: str | None, problem: str | None) -> tuple[int, int, str]:
    """The place (0-based line and column) and the meaning of a YAML syntax error that libyaml reports at
    `line`, `column`: a tab there, or a slip at or just above it (`_slips`), is named where it is; a known problem
    is said in the editors' words; any other keeps libyaml's own text."""
    lines = text.split("\n")
    here = lines[line] if 0 <= line < len(lines) else ""
    if here[column:column + 1] == "\t":
        return line, column, _("a tab character: YAML indents with spaces, never tabs")
    for number in range(line, max(-1, line - 3), -1):  # libyaml stops on the line after the mistake, or later
        for at, mended, what in _slips(lines[number]) if 0 <= number < len(lines) else ():
            if _gets_further([*lines[:number], mended, *lines[number + 1:]], (line, column)):
                return number, at, what
    if problem == CANNOT_START:
        char = here[column:column + 1]
        return line, column, _("a value cannot start with “{char}”: put the whole value in quotes").format(char=char)
    if problem in PROBLEMS:
        return line, column, _(PROBLEMS[problem])
    return line, column, " ".join(part for part in (context, problem) if part)


def _gets_further(lines: list[str], stopped: tuple[int, int]) -> bool:
    """Whether libyaml reads these lines past `stopped`, where it stopped before they were mended (only the
    lines up to the one after it are read, and no further than needed)."""
    try:
        for event in yaml.parse("\n".join(lines[:stopped[0] + 2]), Loader=_Loader):
            mark = event.start_mark
            if mark is not None and (mark.line, mark.column) > stopped:
                return True
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark is not None and (mark.line, mark.column) > stopped
    except yaml.YAMLError:
        return False
    return True
