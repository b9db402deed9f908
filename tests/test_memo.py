"""The page's memos (``views/memo.py``): a value is made once per inputs, a refusal is kept."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from views.keys import Key
from views.memo import Memo, Refused, Same

RUN_TIMEOUT_S = 30


def _memo_script() -> None:
    """Show the memo of ``n`` (a number widget); run inside ``AppTest.from_function``."""
    import streamlit as st

    from geo.errors import TableError
    from views.keys import Key
    from views.memo import Refused, memo, refused_or

    n = int(st.number_input("n", value=1, key="n"))
    calls: list[int] = st.session_state.setdefault("calls", [])

    def make() -> list[int]:
        calls.append(n)
        if n < 0:
            raise TableError("No negative numbers.")
        return [n * 10]

    made = memo(Key.JOIN_TABLE, (n,), lambda: refused_or(make))
    st.text(made.sentence if isinstance(made, Refused) else str(made))


def _run(at: AppTest, n: int | None = None) -> tuple[str, list[int]]:
    if n is not None:
        at.number_input(key="n").set_value(n)
    at.run(timeout=RUN_TIMEOUT_S)
    assert not at.exception
    return at.text[0].value, list(at.session_state["calls"])


def test_memo_makes_a_value_once_per_inputs_and_keeps_a_refusal() -> None:
    at = AppTest.from_function(_memo_script)
    assert _run(at) == ("[10]", [1])
    first = at.session_state[Key.JOIN_TABLE]
    assert isinstance(first, Memo) and first.inputs == (1,)
    # A rerun with the same inputs makes nothing and returns the very object kept.
    assert _run(at) == ("[10]", [1])
    assert at.session_state[Key.JOIN_TABLE].value is first.value
    assert _run(at, 2) == ("[20]", [1, 2])
    # A refusal is said on every rerun and not retried until the inputs change.
    assert _run(at, -1) == ("No negative numbers.", [1, 2, -1])
    assert _run(at) == ("No negative numbers.", [1, 2, -1])
    assert at.session_state[Key.JOIN_TABLE].value == Refused("No negative numbers.")
    # Only the last value is kept: going back makes it again.
    assert _run(at, 1) == ("[10]", [1, 2, -1, 1])


def test_same_compares_by_identity_and_holds_the_object() -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    assert Same(frame) == Same(frame)
    assert Same(frame) != Same(frame.copy())
    assert (Same(frame), "x") == (Same(frame), "x")
    assert (Same(frame), "x") != (Same(frame), "y")
    assert hash(Same(frame)) == hash(Same(frame))
    assert Same(frame).obj is frame
