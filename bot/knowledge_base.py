"""Opening the knowledge base for the application: bundled entries plus EKS_DOCTOR_KB_PATH folders.

Parsing and validating every entry and compiling the matcher costs more than a short command should
wait, so the loaded knowledge base, matcher included, is kept in the user's cache directory. The
cache is keyed by the content of every entry and lexicon file, the knowledge package's own code and
the Python version, and the annotation allow-list (EKS_DOCTOR_CONFIG may widen it): an entry that
changes, a folder added to EKS_DOCTOR_KB_PATH or a new version of the matcher rebuilds it. A cache that
cannot be read or written is ignored: it only saves time.

What the folders change in the bundled knowledge (a replaced entry, an extended concept, a veto for
every entry) is said each time the knowledge base is opened, from the cache too: through `on_warning`
(every command prints one line each) and the log (the Slack bot's start-up).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import ConfigError, KnowledgeBaseError

if TYPE_CHECKING:
    from bot.settings import Settings
    from knowledge.loader import KnowledgeBase
    from knowledge.platform import AllowList

log = logging.getLogger(__name__)

CACHE_FORMAT = "2"


def _knowledge_dir() -> Path:
    from importlib.util import find_spec

    spec = find_spec("knowledge")  # located without importing it (that is what the cache saves)
    assert spec is not None and spec.submodule_search_locations, "the knowledge package is not installed"
    return Path(next(iter(spec.submodule_search_locations))).resolve()


KNOWLEDGE_DIR = _knowledge_dir()


def open_knowledge_base(
    settings: Settings,
    *,
    allowed: AllowList | None = None,
    on_warning: Callable[[str], None] | None = None,
    cache_dir: Path | None = None,
) -> KnowledgeBase:
    """Load and validate (or take from the cache) against the annotation allow-list `allowed` (default:
    the platform's). Each change a user folder makes to the bundled knowledge is passed to `on_warning`
    and logged. A folder in EKS_DOCTOR_KB_PATH that does not exist is a ConfigError."""
    extra = [Path(p) for p in settings.kb_path]
    for folder in extra:
        if not folder.is_dir():
            raise ConfigError(f"EKS_DOCTOR_KB_PATH names {folder}, which is not a folder")
    kb = _cached(extra, cache_dir, allowed)
    for line in kb.warnings():
        log.warning("knowledge base: %s", line)
        if on_warning is not None:
            on_warning(line)
    return kb


def _load(extra: list[Path], allowed: AllowList | None) -> KnowledgeBase:
    from knowledge.loader import KnowledgeBaseInvalid, load_knowledge_base

    try:
        return load_knowledge_base(extra_paths=extra, allowed=allowed)
    except KnowledgeBaseInvalid as exc:
        named = [p if p.startswith(str(KNOWLEDGE_DIR)) else f"{p} (from EKS_DOCTOR_KB_PATH)" for p in exc.problems]
        raise KnowledgeBaseError(named) from None


def _cached(extra: list[Path], cache_dir: Path | None, allowed: AllowList | None = None) -> KnowledgeBase:
    folder = cache_dir or _default_cache_dir()
    path = folder / f"kb-{fingerprint(extra, allowed)}.pickle" if folder else None
    if path is not None and path.is_file():
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except Exception as exc:  # a stale or truncated cache is rebuilt, never trusted
            log.debug("knowledge-base cache %s unreadable (%s); rebuilding", path, exc)
    kb = _load(extra, allowed)
    _ = kb.matcher  # compiled now, so the cache holds it too
    if path is not None:
        _store(path, kb)
    return kb


def _default_cache_dir() -> Path | None:
    from bot.paths import user_cache_dir

    try:
        return user_cache_dir()
    except Exception:  # no home directory: no cache
        return None


def _store(path: Path, kb: KnowledgeBase) -> None:
    try:
        data = pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # a matcher holding something unpicklable: run without the cache
        log.debug("knowledge base not cached: %s", exc)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("kb-*.pickle"):
            old.unlink(missing_ok=True)
        # Written whole and renamed: a reader never sees half a file, even with two commands at once.
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".kb-", delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    except OSError as exc:
        log.debug("knowledge base not cached in %s: %s", path.parent, exc)


def _files(folder: Path, suffixes: Iterable[str]) -> list[Path]:
    wanted = tuple(suffixes)
    return sorted(p for p in folder.rglob("*") if p.suffix in wanted and p.is_file())


def fingerprint(extra: list[Path], allowed: AllowList | None = None) -> str:
    """A hash of everything the loaded knowledge base depends on: the files, the knowledge package's
    code, the annotation allow-list it was checked against, and the libraries whose objects it holds
    (both are imported to unpickle it anyway)."""
    import pydantic
    import rapidfuzz

    from knowledge.files import MAX_FILE_BYTES

    versions = f"{sys.version}|{pydantic.VERSION}|{rapidfuzz.__version__}"
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{versions}|{sys.implementation.cache_tag}".encode())
    if allowed is not None and allowed.widened:  # the platform's own list is part of the code, hashed below
        digest.update(allowed.fingerprint().encode())
    sources = [(KNOWLEDGE_DIR, (".yaml", ".yml", ".py"))] + [(folder, (".yaml", ".yml")) for folder in extra]
    for index, (folder, suffixes) in enumerate(sources):
        digest.update(f"\0{index}\0{folder.resolve()}".encode())
        for file in _files(folder, suffixes):
            digest.update(f"\0{index}\0{file.relative_to(folder)}\0".encode())
            info = file.stat()
            # A file too large to load is refused when loading; its size and time stand for its content.
            digest.update(file.read_bytes() if info.st_size <= MAX_FILE_BYTES else f"{info}".encode())
    return digest.hexdigest()[:24]
