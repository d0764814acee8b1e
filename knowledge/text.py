"""Text normalisation shared by the matcher's index and its queries.

Pasted logs are noisy: timestamps, pod hashes, IP addresses, full-width characters. Normalisation keeps
what carries meaning (words, ports, whether an address is public or private) and drops the rest.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from knowledge.numbers import chinese_numbers, english_numbers

#: Longest text the matcher reads; a longer paste keeps its head and tail, where errors usually are.
MAX_CHARS = 64_000

_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.]*\d)")
_DIGIT_DOT = re.compile(r"\d\.\d")  # a cheap test first: most texts hold no address
URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+")
TOKEN = re.compile(r"[a-z0-9_]+(?:['/.\-][a-z0-9_]+)*")
_POSSESSIVE = re.compile(r"(?<=[a-z])'s\b")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "：": ":", "，": ",", "。": "."})


#: Numbers written as words are read in this many leading characters.
NUMBERS_CHARS = 1_500

_VARYING = re.compile(r"[0-9a-f]{5,}|\d+")


def bound(text: str) -> str:
    """At most MAX_CHARS of `text`, losing as little signal as possible.

    Long pastes are mostly the same log line with other numbers: lines that differ only in digits
    and hashes are kept once. Only if that is still too long are the head and tail kept.
    """
    if len(text) <= MAX_CHARS:
        return text
    seen: set[str] = set()
    kept = []
    for line in text.splitlines():
        shape = _VARYING.sub("#", line)
        if shape not in seen:
            seen.add(shape)
            kept.append(line)
    text = "\n".join(kept)
    if len(text) <= MAX_CHARS:
        return text
    half = MAX_CHARS // 2
    return text[:half] + "\n" + text[-half:]


def _classify_ip(match: re.Match[str]) -> str:
    try:
        address = ipaddress.IPv4Address(match.group(1))
    except ValueError:
        return match.group(0)
    if address.is_unspecified or address.is_loopback:
        return match.group(0)  # 0.0.0.0:9100 and 127.0.0.1 are about ports, not destinations
    # 100.64/10 is where Tencent Cloud's internal services live: not the internet.
    private = address.is_private or address in ipaddress.IPv4Network("100.64.0.0/10")
    return "ipv4private" if private else "ipv4public"


def normalise(text: str) -> str:
    """Lower-cased, NFKC-folded text with IPv4 addresses replaced by ipv4public/ipv4private and
    numbers written as words turned into digits ("two hundred" -> "200", "两千" -> "2000")."""
    folded = bound(text)
    if not folded.isascii():  # ASCII is its own NFKC form and holds none of the quotes mapped
        folded = unicodedata.normalize("NFKC", folded).translate(_QUOTES)
    folded = folded.lower()
    if "'s" in folded:
        folded = _POSSESSIVE.sub("", folded)
    # Numbers in words belong to prose, which comes first; the rest of a long paste is logs.
    head, tail = folded[:NUMBERS_CHARS], folded[NUMBERS_CHARS:]
    head = english_numbers(head)
    if has_cjk(head):
        head = chinese_numbers(head)
    folded = head + tail
    return _IPV4.sub(_classify_ip, folded) if _DIGIT_DOT.search(folded) else folded


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def tokens(text: str) -> list[str]:
    """Word tokens of normalised text; compound tokens (istio-proxy, i/o) are kept whole."""
    return TOKEN.findall(text)


def split_compound(token: str) -> list[str]:
    return [part for part in re.split(r"['/.\-]", token) if part]


NEGATORS = frozenset({"no", "not", "without", "non", "never", "isn't", "aren't", "don't", "doesn't", "didn't", "nor"})
#: Words that deny a verb ("nobody can start pods", "can't reach") but say nothing about the things
#: named after it ("can't resolve istio service names" still names istio).
VERB_NEGATORS = frozenset(
    {
        "can't",
        "cannot",
        "cant",
        "couldn't",
        "won't",
        "wont",
        "unable",
        "nobody",
        "nothing",
        "none",
        "neither",
        "fail",
        "fails",
    }
)
#: Every word that negates what follows it, in either way.
ALL_NEGATORS = NEGATORS | VERB_NEGATORS
_NEGATORS_ZH = ("没有", "不是", "没用", "未", "无", "非", "不用", "没设", "没配", "没开", "没加", "没装")


def negated_zh(before: str) -> bool:
    return any(before.endswith(word) or word in before[-3:] for word in _NEGATORS_ZH)


#: A negation that sets something apart ("pods without the sidecar are fine", "没有注入 sidecar 的 Pod
#: 正常"), as opposed to one that denies it ("there is no ResourceQuota").
#: Negated subjects ("none of the pods ... start"): their negation reaches further, to the verb.
SUBJECT_NEGATORS = frozenset({"nobody", "nothing", "none", "neither"})
WITHOUT = "without"
WITHOUT_WORDS = frozenset({"without", "w/o"})
#: A verb denied ("can't start"): it turns the verb's concept (`negated_as`) but nothing else.
VERB = "verb"


def negation_kind(word: str) -> str | bool:
    if word in WITHOUT_WORDS:
        return WITHOUT
    return VERB if word in VERB_NEGATORS else True


def denies_thing(negated: str | bool) -> bool:
    """Whether a negation denies the things named after it ("no istio", "without the sidecar")."""
    return negated is True or negated == WITHOUT


_WORD = re.compile(r"[a-z][a-z']*")


def negation_before(text: str, at: int, start: int) -> str | bool:
    """How the words just before `at` (within its clause, from `start`) negate what a pattern found
    there: "there is no ResourceQuota" denies it as a word would. False when nothing negates it."""
    before = text[max(start, at - 40) : at]
    for word in reversed(_WORD.findall(before)[-3:]):
        if word in NEGATORS:
            return negation_kind(word)
    return zh_negation(text, at, start) if has_cjk(before) else False


def zh_negation(text: str, at: int, start: int) -> str | bool:
    """How the Chinese text before `at` negates what follows: False, True, or WITHOUT when the negated
    words describe a kind of thing ("没有 sidecar 的 Pod")."""
    if not negated_zh(text[max(start, at - 4) : at]):
        return False
    return WITHOUT if "的" in text[at : at + 12] else True


_SUFFIXES = ("'s", "ing", "ed", "es", "s", "ly")


def stems(token: str) -> list[str]:
    """Cheap English suffix stripping: enough to map 'timeouts' to 'timeout', 'scaled' to 'scale'."""
    out = []
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            base = token[: -len(suffix)]
            out.append(base)
            if suffix in ("ed", "ing"):
                out.append(base + "e")
    return out


#: Everyday three-letter words: never read as a swapped-letter typo ('ask' is not 'aks').
COMMON_SHORT_WORDS = frozenset(
    """
    ask all and any are bad but can day did due end few for get got had has her him his how its job let
    lot may new not now off old one our out own put ran run saw say see set she the too top try two use
    was way who why yes yet you act add age ago aim air arm art bit box buy car cut dog eat far fit fix
    fun gas god guy hit hot key kid law lay led leg lie low map men mix net nor odd oil pay per pop raw
    red row sad sat sea sit six sky son sum tax ten tie tip war web wet win won
    """.split()
)

#: Everyday words that are never typos of a lexicon word even when one letter away ('status' is not
#: 'stats', 'state' is not 'stale'). Only consulted before a typo-tolerant lookup.
COMMON_WORDS = frozenset(
    """
    about above after again against also always another any because been before being below between
    both build built call called calls came cannot case change changed check client close closed code
    come config could create created current data default delete does doing done down during each
    else error event every field file find first from full give given going good group have having
    help here host image info into just keep kind last later least level like line list load local
    long look made make many message might more most much must name need never next node none only
    open order other over part path place point port post read ready real reason request return right
    same says seen send sent server service set should show side since some start started state status
    still stop such sure take taken team than that their them then there these they thing think this
    those through time times today token total true trying under until user using value very want
    was were what when where which while will with within without work worked works would write wrong
    year your stage store stored table takes tests text these three token tried type types version
    system systems process processes memory network networks worker workers thread threads socket
    sockets handler manager master cluster clusters window windows output input result results
    record records remote session sessions source target traffic update updated upgrade
    even ever evening rest feel feels felt
    """.split()
)
