"""Reading manifest files and YAML documents within limits a user can raise.

A file must be a regular file (a FIFO would block, `/dev/zero` never ends) no larger than
`max_file_bytes`. Each document is composed first and measured before any Python object is built:
nesting deeper than `max_depth`, or aliases that would bring in more than `max_alias_nodes` nodes (a
"billion laughs" bomb), refuse that document, the way the Kubernetes API server refuses excessive
aliasing; the documents after it are still read. libyaml's C parser is used when PyYAML has it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from knowledge.files import special_file_kind

#: libyaml refuses nesting past 1000 levels by itself; the pure-Python composer recurses, so stays lower.
PURE_PYTHON_DEPTH = 300


@dataclass(frozen=True, slots=True)
class InputLimits:
    max_file_bytes: int = 64 * 1024 * 1024
    max_documents: int = 250_000
    max_alias_nodes: int = 10_000
    max_depth: int = 200

    @classmethod
    def from_settings(cls, settings: Any) -> InputLimits:
        return cls(
            max_file_bytes=settings.max_file_bytes,
            max_documents=settings.max_documents,
            max_alias_nodes=settings.max_alias_nodes,
            max_depth=settings.max_depth,
        )


class Refused(Exception):
    """A file or document that is not read, and why; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(slots=True)
class Document:
    data: Any
    node: Node
    line: int


# -- bytes --------------------------------------------------------------------------------------------


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _too_big(limits: InputLimits) -> Refused:
    return Refused(f"larger than {_size(limits.max_file_bytes)} (raise EKS_DOCTOR_MAX_FILE_BYTES to read it)")


def read_file(path: Path, limits: InputLimits) -> bytes:
    """The file's bytes; special files and files over the limit are refused without reading them."""
    try:
        before = os.stat(path)
    except OSError as exc:
        raise Refused(f"cannot read ({exc.strerror or exc})") from None
    special = special_file_kind(before.st_mode)
    if special:
        raise Refused(f"{special}, not a regular file: refused (pipe it to '-' instead)")
    if before.st_size > limits.max_file_bytes:
        raise _too_big(limits)
    try:
        # O_NONBLOCK: should the path turn into a FIFO after the check, opening it still returns at once.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Refused(f"cannot read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as file:
        if special_file_kind(os.fstat(fd).st_mode):
            raise Refused("not a regular file: refused")
        data = file.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise _too_big(limits)
    return data


def read_stream(stream: IO[Any], limits: InputLimits) -> bytes | str:
    """At most the limit from stdin (or a test's stream); binary when the stream has a byte buffer."""
    source = getattr(stream, "buffer", stream)
    data = source.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise _too_big(limits)
    return data


def decode(data: bytes | str) -> str:
    """UTF-8 (or UTF-16 with a byte-order mark) text; anything else is refused as binary."""
    if isinstance(data, str):
        return data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise Refused(f"not UTF-8 text (byte {exc.start + 1}): binary data is not a manifest", line) from None


# -- documents ----------------------------------------------------------------------------------------


class _DepthBoundedLoader(yaml.SafeLoader):
    """The pure-Python loader, refusing deep nesting before its recursive composer overflows the stack."""

    max_depth = PURE_PYTHON_DEPTH
    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {self.max_depth} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _loader(text: str, limits: InputLimits) -> Any:
    if getattr(yaml, "__with_libyaml__", False):
        return yaml.CSafeLoader(text)
    loader = _DepthBoundedLoader(text)
    loader.max_depth = min(limits.max_depth, PURE_PYTHON_DEPTH)
    return loader


def _yaml_refusal(exc: yaml.YAMLError, text: str) -> Refused:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else None
    if isinstance(exc, yaml.reader.ReaderError):  # a NUL or control character, or invalid UTF-8
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return Refused(f"not valid YAML (character U+{code:04X} is not allowed in a manifest)", line)
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return Refused(f"not valid YAML ({reason})", line)


def documents(text: str, limits: InputLimits) -> Iterator[Document | Refused]:
    """Each document, or a `Refused` for one over the limits (reading goes on after it). A syntax error
    ends the file with a final `Refused`: nothing after it can be trusted."""
    loader = _loader(text, limits)
    count = 0
    try:
        while loader.check_node():
            count += 1
            if count > limits.max_documents:
                yield Refused(
                    f"more than {limits.max_documents} documents; the rest is not read "
                    "(raise EKS_DOCTOR_MAX_DOCUMENTS to read them)",
                    loader.peek_event().start_mark.line + 1,
                )
                return
            node = loader.get_node()
            line = node.start_mark.line + 1
            too_much = _measure(node, limits)
            if too_much:
                yield Refused(f"document refused: {too_much}", line)
                continue
            yield Document(loader.construct_document(node), node, line)
    except yaml.YAMLError as exc:
        yield _yaml_refusal(exc, text)
    except RecursionError:  # only the pure-Python constructor on pathological merge keys can get here
        yield Refused("not valid YAML (nested too deeply)")
    finally:
        loader.dispose()


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _measure(root: Node, limits: InputLimits) -> str | None:
    """Why the document is refused (too deep, aliases bringing in too much, a recursive alias), or None.

    Aliases compose to the same node object met again; each time, the nodes it would expand to are
    counted, as a consumer that turns values into text would expand them."""
    seen: set[int] = set()
    memo: dict[int, tuple[int, int]] = {}  # id -> (expanded nodes, height)
    brought = 0
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_depth:
            return f"nested deeper than {limits.max_depth} levels (raise EKS_DOCTOR_MAX_DEPTH to read it)"
        if isinstance(node, ScalarNode):
            continue
        if id(node) in seen:
            expanded = _expanded(node, memo, limits.max_alias_nodes)
            if expanded is None:
                return "an alias refers to a node that contains it"
            brought += expanded[0]
            if brought > limits.max_alias_nodes:
                return (
                    f"its aliases expand to more than {limits.max_alias_nodes} nodes "
                    "(raise EKS_DOCTOR_MAX_ALIAS_NODES to read it)"
                )
            if depth - 1 + expanded[1] > limits.max_depth:
                return f"nested deeper than {limits.max_depth} levels through an alias"
            continue
        seen.add(id(node))
        stack.extend((child, depth + 1) for child in _children(node))
    return None


def _expanded(root: Node, memo: dict[int, tuple[int, int]], cap: int) -> tuple[int, int] | None:
    """(nodes, height) of `root` with every alias expanded, capped past `cap`; None for a cycle."""
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        key = id(node)
        if closing:
            open_nodes.discard(key)
            size, height = 1, 0
            for child in _children(node):
                child_size, child_height = memo.get(id(child), (1, 1))
                size, height = min(size + child_size, cap + 1), max(height, child_height)
            memo[key] = (size, height + 1)
            continue
        if key in memo:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node):
            if isinstance(child, ScalarNode) or id(child) in memo:
                continue
            if id(child) in open_nodes:
                return None
            stack.append((child, False))
    return memo[id(root)]


def line_at(node: Node, path: tuple[str | int, ...]) -> int:
    """The line of the field at `path` in a composed document (of its nearest parent found)."""
    line = node.start_mark.line + 1
    for part in path:
        if isinstance(node, MappingNode):
            found = next((pair for pair in node.value if isinstance(pair[0], ScalarNode) and pair[0].value == part),
                         None)  # fmt: skip
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
