"""Reading editors' files: text decoding, YAML with line marks, Markdown front matter."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from builder.codes import say
from builder.errors import Message
from builder.i18n import _
from builder.yamlproblems import explain

try:
    _BaseLoader: type = yaml.CSafeLoader
    HAVE_LIBYAML = True
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader
    HAVE_LIBYAML = False

Mark = tuple[int, int]
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")
_NEEDS_NODE_CHECK = re.compile(r"[!&]")  # without a tag or an anchor, every node is plain and unshared
ENCODINGS = ("utf-8", "gb18030")


class SourceError(Exception):
    """A file could not be read or parsed; carries the position and message."""

    def __init__(self, line: int, column: int, field: str, message: Message) -> None:
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        super().__init__(f"{line}:{column}: {field}: {message.text}")


class MarkedMap(dict[Any, Any]):
    """A YAML mapping that remembers where each key and value stood (1-based line, column)."""

    mark: Mark = (1, 1)

    def __init__(self) -> None:
        super().__init__()
        self.key_marks: dict[Any, Mark] = {}
        self.value_marks: dict[Any, Mark] = {}
        self.duplicates: list[tuple[Any, Mark]] = []

    def key_mark(self, key: Any) -> Mark:
        """Where a key stands, or the mapping's own mark when it is absent."""
        return self.key_marks.get(key, self.mark)

    def value_mark(self, key: Any) -> Mark:
        """Where a value stands, or the mapping's own mark when it is absent."""
        return self.value_marks.get(key, self.mark)


class MarkedList(list[Any]):
    """A YAML sequence that remembers where each item stood."""

    mark: Mark = (1, 1)

    def __init__(self) -> None:
        super().__init__()
        self.item_marks: list[Mark] = []

    def item_mark(self, index: int) -> Mark:
        """Where item `index` stands."""
        return self.item_marks[index] if index < len(self.item_marks) else self.mark


def _mark(node: yaml.Node, line_offset: int) -> Mark:
    return (node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)


class _MarkedLoader(_BaseLoader):  # type: ignore[misc]
    """Safe loader that builds MarkedMap/MarkedList and keeps dates as text."""

    line_offset = 0


_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ, _MERGE = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:merge"
# YAML 1.2 core-schema scalars: `no`, `on`, `012`, `1_000`, `1:20`, `.inf` and dates stay text or decimal, so
# an editor's `complaints: 012` is twelve (not octal ten) and `name: no` is the text "no". Dates stay
# strings so that an impossible date is reported by us with its position.
_SCALARS: dict[str, re.Pattern[str]] = {
    _BOOL: re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    _INT: re.compile(r"^[-+]?[0-9]+$"),
    _FLOAT: re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"),
    _NULL: re.compile(r"^(?:~|null|Null|NULL|)$"),
    _MERGE: re.compile(r"^<<$"),
}
_MarkedLoader.yaml_implicit_resolvers = {}
for _tag, _pattern in _SCALARS.items():
    _MarkedLoader.add_implicit_resolver(_tag, _pattern, list("-+0123456789.tTfFnN~<") + [""])
_ALLOWED_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ, _MERGE}
_MAX_NODES = 2_000_000


def _construct_int(loader: _MarkedLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if len(text.lstrip("+-0")) > 30:
        reason = _("the number has {digits} digits, too many to be a count or an amount").format(digits=len(text))
        raise yaml.constructor.ConstructorError(None, None, reason, node.start_mark)
    return int(text)


def _construct_float(loader: _MarkedLoader, node: yaml.ScalarNode) -> float:
    return float(loader.construct_scalar(node))


def _construct_bool(loader: _MarkedLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"


_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    first: list(found) for first, found in _MarkedLoader.yaml_implicit_resolvers.items()}


def _resolve(self: _MarkedLoader, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    """The tag of a node (the composer asks for every node): the implicit resolvers above, nothing else."""
    if kind is yaml.ScalarNode:
        if implicit[0]:
            for tag, pattern in _RESOLVERS.get(value[:1], ()):
                if pattern.match(value):
                    return tag
        return _STR
    return _SEQ if kind is yaml.SequenceNode else _MAP


_MarkedLoader.resolve = _resolve
_MarkedLoader.add_constructor(_INT, _construct_int)
_MarkedLoader.add_constructor(_FLOAT, _construct_float)
_MarkedLoader.add_constructor(_BOOL, _construct_bool)


def _check_nodes(root: yaml.Node, line_offset: int) -> None:
    """Refuse anchors/aliases (shared nodes) and tags other than plain text, numbers, lists and mappings."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            line, column = _mark(node, line_offset)
            raise SourceError(line, column, "yaml", say("GS106", "YAML anchors and aliases (&name, *name) are not "
                                                                   "allowed: write the value out in full"))
        seen.add(id(node))
        if len(seen) > _MAX_NODES:
            raise SourceError(1 + line_offset, 1, "yaml", say("GS106", "more than {limit:,} YAML values; split the "
                                                                       "file", limit=_MAX_NODES))
        if node.tag not in _ALLOWED_TAGS:
            line, column = _mark(node, line_offset)
            raise SourceError(line, column, "yaml", say("GS106", "the YAML tag `{tag}` is not allowed: remove it",
                                                       tag=node.tag.replace('tag:yaml.org,2002:', '!!')))
        if isinstance(node, yaml.ScalarNode):
            pattern = _SCALARS.get(node.tag)
            if pattern is not None and not pattern.match(node.value):
                line, column = _mark(node, line_offset)
                raise SourceError(line, column, "yaml", say("GS106", "`{value}` cannot be read as {tag}",
                                                           value=node.value,
                                                           tag=node.tag.replace('tag:yaml.org,2002:', '!!')))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))


def _construct_map(loader: _MarkedLoader, node: yaml.MappingNode):  # type: ignore[no-untyped-def]
    data = MarkedMap()
    data.mark = _mark(node, loader.line_offset)
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            # `1:`, `null:`, `true:` or `[a, b]:` as a key: keep it as written, so messages show it and
            # `true` and `1` stay two keys.
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key)
        position = _mark(key_node, loader.line_offset)
        if key in data:
            data.duplicates.append((key, position))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_marks[key] = position
        data.value_marks[key] = _mark(value_node, loader.line_offset)


def _construct_seq(loader: _MarkedLoader, node: yaml.SequenceNode):  # type: ignore[no-untyped-def]
    data = MarkedList()
    data.mark = _mark(node, loader.line_offset)
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.item_marks.append(_mark(item, loader.line_offset))


_MarkedLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_MarkedLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


class _Unusual(Exception):
    """A node the direct conversion leaves to PyYAML's constructors (merge keys, complex keys, huge numbers)."""


_SCALAR_VALUE: dict[str, Callable[[str], Any]] = {_STR: str, _FLOAT: float, _NULL: lambda _text: None,
                                                  _BOOL: lambda text: text.lower() == "true"}


def _convert(node: yaml.Node, line_offset: int) -> Any:
    """A composed node as MarkedMap / MarkedList / scalars, like the constructors above, without their machinery.

    Equivalent to `construct_document` for every node it accepts (the common case: plain mappings, lists and
    scalars); anything else raises _Unusual and the document goes through the constructors.
    """
    tag = node.tag
    if tag == _INT:
        if len(node.value.lstrip("+-0")) > 30:
            raise _Unusual
        return int(node.value)
    convert = _SCALAR_VALUE.get(tag)
    if convert is not None:
        return convert(node.value)
    start = node.start_mark
    if tag == _SEQ:
        items = MarkedList()
        items.mark = (start.line + 1 + line_offset, start.column + 1)
        marks = items.item_marks
        for item in node.value:
            items.append(_convert(item, line_offset))
            at = item.start_mark
            marks.append((at.line + 1 + line_offset, at.column + 1))
        return items
    if tag != _MAP:
        raise _Unusual
    data = MarkedMap()
    data.mark = (start.line + 1 + line_offset, start.column + 1)
    key_marks, value_marks = data.key_marks, data.value_marks
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE or (
                key_node.tag == _INT and len(key_node.value.lstrip("+-0")) > 30):
            raise _Unusual
        key = key_node.value  # a key is kept as written, whatever it resolves to (see _construct_map)
        at = key_node.start_mark
        position = (at.line + 1 + line_offset, at.column + 1)
        if key in data:
            data.duplicates.append((key, position))
        data[key] = _convert(value_node, line_offset)
        key_marks[key] = position
        at = value_node.start_mark
        value_marks[key] = (at.line + 1 + line_offset, at.column + 1)
    return data


def _position_of_byte(data: bytes, offset: int) -> Mark:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def decode(data: bytes, encoding: str = "utf-8") -> str:
    """Decode a file's bytes (BOM allowed, CRLF folded) or raise SourceError with the bad byte's place.

    With encoding "gb18030", a file that is valid UTF-8 (or has a UTF-8 BOM) is still read as UTF-8, so one
    site may mix converted and unconverted files.
    """
    if b"\x00" in data:
        line, column = _position_of_byte(data, data.find(b"\x00"))
        raise SourceError(line, column, "encoding", say("GS104", "file contains a NUL byte: it is a binary file "
                                                                   "(or UTF-16), not UTF-8 text"))
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8"
    elif encoding != "utf-8":
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line, column = _position_of_byte(data, exc.start)
        message = say("GS104", "file is not valid {encoding} text.", encoding=encoding.upper())
        if encoding == "utf-8":
            try:
                data.decode("gb18030")
                message = say("GS104", "file is not valid UTF-8 text. It is probably GBK/GB18030: save it as UTF-8 "
                                       "(e.g. `iconv -f GB18030 -t UTF-8`) or build with `--input-encoding gb18030`.")
            except UnicodeDecodeError:
                pass
        raise SourceError(line, column, "encoding", message) from None
    text = _fold_lines(text)
    control = CONTROL_CHARACTER.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        raise SourceError(line, column, "encoding", say("GS104", "file contains the control character {char}; "
                                                                   "delete it", char=f"U+{ord(control.group()):04X}"))
    return text


def _fold_lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """Read a text file with `decode`; an unreadable file raises SourceError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(1, 1, "file", say("GS102", "cannot read file: {reason}", reason=exc.strerror)) from None
    return decode(data, encoding)


_SCALAR_EVENT, _ALIAS_EVENT = yaml.ScalarEvent, yaml.AliasEvent
_MAP_START, _SEQ_START = yaml.MappingStartEvent, yaml.SequenceStartEvent


def _from_events(parser: _MarkedLoader, line_offset: int) -> Any:
    """One document straight from the parser's events, as `_convert` builds it from composed nodes.

    Without nodes, resolver calls and recursion this is about twice as fast. Anything `_convert` would leave
    to PyYAML (tags, anchors, aliases, merge keys, complex keys, huge numbers) or a second document raises
    _Unusual or a YAML error, and the caller reads the text again with the composer.
    """
    parser.get_event()  # stream start
    if parser.check_event(yaml.StreamEndEvent):
        return None
    parser.get_event()  # document start
    stack: list[tuple[Any, bool]] = []  # (container, is a mapping)
    keys: list[tuple[Any, Mark] | None] = []  # per open mapping: the key waiting for its value
    result: Any = None
    done = False
    while not done:
        event = parser.get_event()
        kind = type(event)
        at = event.start_mark
        mark = (at.line + 1 + line_offset, at.column + 1)
        if kind is _SCALAR_EVENT:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            text = event.value
            tag = _STR
            if event.implicit[0]:
                for candidate, pattern in _RESOLVERS.get(text[:1], ()):
                    if pattern.match(text):
                        tag = candidate
                        break
            if stack and stack[-1][1] and keys[-1] is None:  # a mapping key
                if tag == _MERGE or (tag == _INT and len(text.lstrip("+-0")) > 30):
                    raise _Unusual
                keys[-1] = (text, mark)
                continue
            if tag == _INT:
                if len(text.lstrip("+-0")) > 30:
                    raise _Unusual
                value: Any = int(text)
            else:
                convert = _SCALAR_VALUE.get(tag)
                if convert is None:
                    raise _Unusual  # `<<` as a value
                value = convert(text)
        elif kind is _MAP_START or kind is _SEQ_START:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            if stack and stack[-1][1] and keys[-1] is None:
                raise _Unusual  # a mapping or list as a key
            container: Any = MarkedMap() if kind is _MAP_START else MarkedList()
            container.mark = mark
            stack.append((container, kind is _MAP_START))
            keys.append(None)
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value, _ = stack.pop()
            keys.pop()
            mark = value.mark
        else:
            raise _Unusual  # an alias
        if not stack:
            result = value
            done = True
        else:
            parent, is_map = stack[-1]
            if is_map:
                pending = keys[-1]
                assert pending is not None
                key, key_mark = pending
                if key in parent:
                    parent.duplicates.append((key, key_mark))
                parent[key] = value
                parent.key_marks[key] = key_mark
                parent.value_marks[key] = mark
                keys[-1] = None
            else:
                parent.append(value)
                parent.item_marks.append(mark)
    parser.get_event()  # document end
    if not parser.check_event(yaml.StreamEndEvent):
        raise _Unusual  # another document: the composer reports it
    return result


def parse_yaml(text: str, line_offset: int = 0) -> Any:
    """Parse one YAML document into MarkedMap/MarkedList values, raising SourceError on bad syntax."""
    if not _NEEDS_NODE_CHECK.search(text):  # no tag, no anchor: the common case, straight from the events
        gc_was_enabled = gc.isenabled()
        gc.disable()
        events = _MarkedLoader(text)
        try:
            return _from_events(events, line_offset)
        except (_Unusual, yaml.YAMLError):
            pass  # read again by the composer, which has every rule and the exact messages
        finally:
            events.dispose()
            if gc_was_enabled:
                gc.enable()
    return parse_yaml_composed(text, line_offset)


def parse_yaml_composed(text: str, line_offset: int = 0) -> Any:
    """`parse_yaml` through PyYAML's composer (and constructors for what `_convert` leaves to them)."""
    loader = _MarkedLoader(text)
    loader.line_offset = line_offset
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _NEEDS_NODE_CHECK.search(text):
            _check_nodes(node, line_offset)
        try:
            return _convert(node, line_offset)
        except _Unusual:
            return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at, column, detail = explain(text, mark.line if mark else 0, mark.column if mark else 0, exc.context,
                                     exc.problem)
        raise SourceError(at + 1 + line_offset, column + 1, "yaml",
                          say("GS105", "YAML syntax error: {detail}", detail=detail)) from None
    except yaml.YAMLError as exc:
        raise SourceError(1 + line_offset, 1, "yaml", say("GS105", "YAML error: {detail}", detail=exc)) from None
    except RecursionError:
        raise SourceError(1 + line_offset, 1, "yaml", say("GS105", "YAML nesting is too deep")) from None
    finally:
        loader.dispose()
        if gc_was_enabled:
            gc.enable()


@dataclass(frozen=True)
class FrontMatterDoc:
    """A Markdown file split into its front matter and body."""

    meta: Any
    body: str
    body_line: int


def split_front_matter(text: str) -> FrontMatterDoc:
    """Split `---` YAML front matter from a Markdown body; missing or unclosed blocks raise SourceError."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SourceError(1, 1, "front matter", say("GS107", "missing front matter: the file must start with a "
                                                             "line `---`, then YAML, then `---`"))
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            meta_text = "\n".join(lines[1:index])
            meta = parse_yaml(meta_text, line_offset=1) if meta_text.strip() else None
            return FrontMatterDoc(meta, "\n".join(lines[index + 1:]), index + 2)
    raise SourceError(1, 1, "front matter", say("GS107", "front matter is not closed: add a line `---` after the "
                                                         "YAML block"))
