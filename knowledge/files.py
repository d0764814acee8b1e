"""Reading knowledge files within limits: a knowledge folder is input like any other.

Only regular files are read (a FIFO named `x.yaml` would block, `/dev/zero` never ends), none larger
than MAX_FILE_BYTES. Each file is composed into YAML nodes first and measured before any Python object
is built: nesting deeper than MAX_DEPTH, or aliases that would bring in more than MAX_NODES nodes (a
"billion laughs"), refuse the file with a message naming it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

#: An entry is a few kB; a lexicon some tens of kB.
MAX_FILE_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 64
#: Entry files read from one folder.
MAX_FILES = 2000

# libyaml parses several times faster; the pure-Python loader is the fallback where it is missing.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Unreadable(Exception):
    """A file that is not read; the message says why (the caller adds the file name)."""


def yaml_files(folder: Path, *, skip: str) -> list[Path]:
    """The YAML files under `folder` except those named `skip`, in order; Unreadable past MAX_FILES."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in {".yaml", ".yml"} and path.name != skip:
            found.append(path)
            if len(found) > MAX_FILES:
                raise Unreadable(f"more than {MAX_FILES} entry files; split them over several folders")
    return found


def special_file_kind(mode: int) -> str | None:
    """What a non-regular file is (a named pipe, a device...), read from its mode; None for a regular file."""
    for test, what in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):  # fmt: skip
        if test(mode):
            return what
    return None if stat.S_ISREG(mode) else "not a regular file"


def read_text(path: Path) -> str:
    """The file's text; special files, files over the limit and non-UTF-8 files are Unreadable."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise Unreadable(f"cannot read ({exc.strerror})") from None
    what = special_file_kind(info.st_mode)
    if what is not None:
        raise Unreadable(f"{what}, not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise Unreadable(f"larger than {MAX_FILE_BYTES // 1024} kB")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:  # it grew after the stat
        raise Unreadable(f"larger than {MAX_FILE_BYTES // 1024} kB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (byte {exc.start})") from None


def _measure(root: Node) -> None:
    """Refuse deep nesting, recursive aliases and alias bombs, counting shared nodes each time they appear."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > MAX_DEPTH:
            raise Unreadable(f"nested deeper than {MAX_DEPTH} levels")
        if key in open_nodes:
            raise Unreadable("an alias refers to a node that contains it")
        total = 1
        if isinstance(node, (SequenceNode, MappingNode)):
            open_nodes.add(key)
            children = node.value if isinstance(node, SequenceNode) else [n for pair in node.value for n in pair]
            for child in children:
                total += size(child, depth + 1)
                if total > MAX_NODES:
                    raise Unreadable(f"aliases or size expand it to more than {MAX_NODES} nodes")
            open_nodes.discard(key)
        sizes[key] = total
        return total

    size(root, 0)


def load_yaml(path: Path) -> object | None:
    """The one YAML document in `path` (None when empty); Unreadable or yaml.YAMLError otherwise."""
    text = read_text(path)
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node)
        return loader.construct_document(node)
    except RecursionError:
        raise Unreadable(f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
