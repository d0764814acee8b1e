"""`fix --set` values: normalised first, then validated, for every annotation a bundled entry may write."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InputError
from bot.remedies.values import MAX_DURATION_SECONDS, normalise
from knowledge.durations import parse_duration
from knowledge.schema import check_value_shape

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _specs(kb):
    return [spec for entry in kb.entries.values() if entry.remedy.patch for spec in entry.remedy.patch.allowed]


def _spec(kb, suffix: str):
    return next(spec for spec in _specs(kb) if spec.key.endswith(suffix))


@pytest.mark.parametrize("value", ["9100", "09100", "0009100", " 9100 ", "９１００", "٩١٠٠", "9100\u200b"])
def test_forbidden_port_in_any_spelling_is_refused(kb, value):
    with pytest.raises(InputError):
        normalise(_spec(kb, "metrics-port"), value)


def test_full_width_and_leading_zero_ports_are_written_plainly(kb):
    spec = _spec(kb, "metrics-port")
    assert normalise(spec, "09110") == "9110"
    assert normalise(spec, "9110".translate(FULL_WIDTH)) == "9110"


@pytest.mark.parametrize("value", ["9" * 400, "9" * 400 + "s", "99999999999999999999h", "169h", "1e400"])
def test_absurd_durations_are_a_clear_input_error(kb, value):
    with pytest.raises(InputError) as raised:
        normalise(_spec(kb, "ipvs-tcp-timeout"), value)
    assert len(str(raised.value)) < 300  # 400 nines are not echoed in full


def test_longest_duration_is_accepted(kb):
    assert normalise(_spec(kb, "ipvs-tcp-timeout"), "168h") == f"{MAX_DURATION_SECONDS}s"


values = st.one_of(
    st.text(max_size=30),
    st.integers(0, 10**30).map(str),
    st.integers(0, 70000).map(lambda n: f"{n:07d}"),
    st.integers(0, 70000).map(lambda n: str(n).translate(FULL_WIDTH)),
    st.tuples(st.integers(0, 10**25).map(str), st.sampled_from(["ms", "s", "m", "h", "", "S", "sec"])).map("".join),
    st.sampled_from(["9100", "09100", "1800s", "30m", "0s", "120s", " 5s ", "1h30m", "1.5s"]),
)


@settings(max_examples=300, deadline=None)
@given(value=values, data=st.data())
def test_normalised_values_are_valid_canonical_and_never_forbidden(kb, value, data):
    spec = data.draw(st.sampled_from(_specs(kb)))
    try:
        written = normalise(spec, value)
    except InputError:
        return
    check_value_shape(spec, written)  # raises if the written form is not valid
    assert written not in spec.forbidden and written == written.strip()
    assert normalise(spec, written) == written  # canonical: normalising again changes nothing
    if spec.shape == "port":
        assert written.isascii() and written.isdigit() and 1 <= int(written) <= 65535
        assert str(int(written)) == written
    if spec.shape == "duration":
        assert parse_duration(written) <= MAX_DURATION_SECONDS
