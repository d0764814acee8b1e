"""Property-based tests for knowledge as untrusted input: random text through the matcher, random
knowledge folders (entries, lexicons, broken files) through `kb validate`. No exception escapes, every
problem names its file, time and memory stay within the limits, nothing matches junk, and nothing
outside the annotation allow-list is ever planned."""

from __future__ import annotations

import copy
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.domain import WorkloadRef
from bot.errors import InputError, RefusedError
from bot.remedies.patches import plan_patch
from knowledge import text as textmod
from knowledge.loader import BUNDLED_ENTRIES, review_folder
from knowledge.ordinary import sentences
from knowledge.platform import PLATFORM_RULES, AllowList

CORPUS = Path(__file__).parent / "kb_corpus"
TEMPLATE = yaml.safe_load((CORPUS / "legit-form-added-to-a-bundled-concept" / "lexicon.yaml").read_text())
ENTRY = yaml.safe_load((CORPUS / "redos-pattern-in-a-term" / "statsd.yaml").read_text())
BUNDLED_IDS = sorted(p.stem for p in BUNDLED_ENTRIES.glob("*.yaml"))
CHECKOUT = WorkloadRef(kind="Deployment", namespace="shop", name="checkout")
MB = 1024 * 1024

ORDINARY = list(sentences())
EVERYDAY_WORDS = sorted({word for s in ORDINARY for word in textmod.tokens(textmod.normalise(s))})
TECH_FORMS = ["statsd", "pgbouncer", "eaddrinuse", "statsd exporter", "kube-proxy", "8125", "端口冲突", "超时", "istio"]
PATTERN_PIECES = [
    r"\bstatsd\b", "8125", "eaddrinuse", ".", r"\d+", "(a|a)+$", "(?<!z)", "x*", "[a-z]", "(?:", ")", "+", "?",
    "|", "^", "$", r"\s*", "(?P<shown>", "中", "(", "[", "{2,3}", r"\1", "(?=x)", "hungry", ".*", r"\w+",
]  # fmt: skip
KEYS = [
    *(rule.key for rule in PLATFORM_RULES),
    "sidecar.istio.io/inject",
    "eks.tke.cloud.tencent.com/role-name",
    "seccomp.security.alpha.kubernetes.io/pod",
    "Not A Key",
]
VALUES = [
    "120s",
    "0s",
    "200h",
    "1800s",
    "9110",
    "9100",
    "{}",
    '{"Bandwidth": "100"}',
    "[1]",
    "true",
    "",
    "-5s",
    "９１１０",
]
CONCEPT_NAMES = ["statsd_port", "port_9100", "failure", "dns", "address_in_use", "said_to_work", "brand_new"]

PROPERTIES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

GOOD_PATTERNS = [r"\bstatsd\b", r"statsd (x+x+)+y", r"(?<!\d)8125(?!\d)", r"eaddrinuse\S*:8125", "端口冲突"]
# Half of what is drawn is sound, so that valid folders (and their plans) come up as often as broken ones.
patterns = st.one_of(
    st.sampled_from(GOOD_PATTERNS), st.lists(st.sampled_from(PATTERN_PIECES), min_size=1, max_size=5).map("".join)
)
forms = st.one_of(
    st.sampled_from(TECH_FORMS), st.sampled_from(TECH_FORMS), st.sampled_from(EVERYDAY_WORDS), st.text(max_size=8)
)
concepts = st.fixed_dictionaries(
    {},
    optional={
        "en": st.lists(forms, max_size=3),
        "zh": st.lists(st.sampled_from(["端口冲突", "饿了", "超时", "了", ""]), max_size=2),
        "exact": st.lists(forms, max_size=2),
        "patterns": st.lists(patterns, max_size=3),
        "negatable": st.booleans(),
        "negated_as": st.sampled_from(CONCEPT_NAMES),
    },
)
weights = st.one_of(*[st.floats(0.5, 20)] * 4, st.sampled_from([-5.0, float("nan"), float("inf"), 500.0]))
#: Text that is no problem report: random characters, or an everyday sentence among symbols.
noise = st.text(alphabet=st.characters(blacklist_categories=("L", "N", "Cs")), max_size=12)
#: Any code point but digits, lone surrogates included (what undecodable bytes on a command line become).
#: Digits are left out because a number alone can name a known problem here: "9100" is one.
any_text = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Nd",)), max_size=300),
    st.lists(st.sampled_from(["\ud800", "\udcff", "\ufffd", " ", "超", "x", "."]), max_size=12).map("".join),
)
junk = st.one_of(any_text, st.builds(lambda a, s, b: a + s + b, noise, st.sampled_from(ORDINARY), noise))


@st.composite
def entries(draw) -> dict:
    entry = copy.deepcopy(ENTRY)
    entry["id"] = draw(st.sampled_from(["statsd-port-conflict", "second-entry"] * 4 + ["Not An Id", *BUNDLED_IDS]))
    name = draw(st.sampled_from(CONCEPT_NAMES))
    entry["match"] = {
        "concepts": {name: draw(weights)},
        "anchors": [[draw(st.sampled_from(CONCEPT_NAMES))]] if draw(st.integers(0, 3)) == 0 else [[name]],
        "terms": {name: draw(concepts)},
    }
    if draw(st.booleans()):
        key = draw(st.sampled_from(KEYS))
        spec = {"key": key, "shape": draw(st.sampled_from(["duration", "port", "json", "string"]))}
        spec |= draw(
            st.fixed_dictionaries({}, optional={"default": st.sampled_from(VALUES), "minimum": st.sampled_from(VALUES)})
        )
        entry["remedy"]["patch"] = {"allowed": [spec], "apply": [key], "consequence": "A rollout."}
    return entry


@st.composite
def lexicons(draw) -> dict:
    lexicon: dict = {"concepts": draw(st.dictionaries(st.sampled_from(CONCEPT_NAMES), concepts, max_size=2))}
    optional = {
        "vetoes": st.dictionaries(st.sampled_from(CONCEPT_NAMES), st.lists(st.sampled_from(CONCEPT_NAMES), max_size=2)),
        "penalties": st.dictionaries(st.sampled_from(CONCEPT_NAMES), weights, max_size=2),
        "cancels": st.dictionaries(
            st.sampled_from(CONCEPT_NAMES), st.lists(st.sampled_from(CONCEPT_NAMES), max_size=2)
        ),
        "polarity": st.fixed_dictionaries({}, optional={"works": st.sampled_from(CONCEPT_NAMES)}),
        "not_ours": st.fixed_dictionaries({}, optional={"en": st.lists(st.sampled_from(ORDINARY), max_size=1)}),
    }
    lexicon |= draw(st.fixed_dictionaries({}, optional=optional))
    return lexicon


@st.composite
def folders(draw) -> dict[str, bytes]:
    drawn = draw(st.lists(entries(), min_size=1, max_size=2))
    files = {f"entry-{n}.yaml": yaml.safe_dump(e, allow_unicode=True).encode() for n, e in enumerate(drawn)}
    if draw(st.integers(0, 2)) == 0:
        files["lexicon.yaml"] = yaml.safe_dump(draw(lexicons()), allow_unicode=True).encode()
    if draw(st.integers(0, 3)) == 0:  # a file that is no entry at all: random bytes, or YAML of another shape
        files["stray.yaml"] = draw(st.one_of(st.binary(max_size=120), st.text(max_size=80).map(str.encode)))
    return files


def _forms_in(files: dict[str, bytes]) -> list[str]:
    """Every word or phrase the folder's entries and lexicon give their concepts."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("en", "exact", "zh") and isinstance(value, list):
                    found.extend(str(v) for v in value if isinstance(v, str))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for data in files.values():
        try:
            walk(yaml.safe_load(data))
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):
            continue
    return found


def _review(files: dict[str, bytes], folder: Path):
    for name, data in files.items():
        (folder / name).write_bytes(data)
    tracemalloc.start()
    started = time.monotonic()
    try:
        review = review_folder(folder)
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return review, elapsed, peak


@PROPERTIES
@given(files=folders(), data=st.data())
def test_random_knowledge_through_kb_validate(files, data):
    with tempfile.TemporaryDirectory() as where:
        folder = Path(where)
        review, elapsed, peak = _review(files, folder)
        assert elapsed < 20 and peak < 512 * MB, (elapsed, peak / MB)
        for line in [*review.problems, *(f.line() for f in review.findings)]:
            assert line.startswith(str(folder) + "/"), line  # every problem and finding names its file
        if review.problems:
            assert review.kb is None
            event("refused")
            return
        event("valid" + (" with user entries" if any(s != "bundled" for s in review.kb.sources.values()) else ""))
        kb = review.kb
        # Text that spells one of the folder's own words is about that entry, not junk: leave it out.
        own_words = [w.casefold() for w in _forms_in(files) if w.strip()]
        for text in data.draw(st.lists(junk, min_size=1, max_size=4)):
            if any(word in text.casefold() for word in own_words):
                continue
            assert kb.matcher.match(text) == [], text  # nothing matches junk
        allowed = AllowList()
        for entry in kb.entries.values():
            if entry.remedy.patch is None:
                continue
            overrides = data.draw(st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=2))
            try:
                plan = plan_patch(entry=entry, workload=CHECKOUT, current_annotations={}, overrides=overrides)
            except (InputError, RefusedError):
                continue
            event("planned")
            for key, value in plan.after.items():  # nothing outside the allow-list is ever planned
                allowed.check(key, value)


@settings(max_examples=200, deadline=None)
@given(text=junk)
def test_junk_matches_nothing_in_the_bundled_base(text, kb):
    assert kb.matcher.match(text) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chunk=st.text(min_size=1, max_size=80), tail=st.sampled_from(["", " :53: i/o timeout", " 9100", " https://x.com"])
)
def test_random_64k_pastes_stay_within_time_and_memory(chunk, tail, kb):
    paste = (chunk * (64_000 // len(chunk) + 1))[:64_000] + tail
    tracemalloc.start()
    started = time.monotonic()
    try:
        kb.matcher.match(paste)
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5 and peak < 256 * MB, (elapsed, peak / MB)
