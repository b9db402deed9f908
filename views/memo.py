"""The page's memos: the last value made under a session key, with what it was made from.

A page run redoes nothing a widget did not change: a table read, a join, a layer's listing
or a summary is kept in ``st.session_state`` under its :class:`~views.keys.Key` together
with its inputs, and made again only when the inputs differ. A refusal (an
:class:`~geo.errors.AtlasError`'s one sentence) is kept like a value, so it is said on every
rerun and the work is not retried until the inputs change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import streamlit as st

from geo.errors import AtlasError
from views.keys import Key

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Same:
    """An input compared by identity (a table, a layer, a join result: no value equality).

    The memo holds the object, so its ``id`` cannot be reused by another while it is kept.
    """

    obj: object

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


@dataclass(frozen=True)
class Refused:
    """What a refused computation left: the error's one sentence, for the user."""

    sentence: str


@dataclass(frozen=True)
class Memo(Generic[T]):
    """A value kept in the session with the inputs it was made from."""

    inputs: tuple[object, ...]
    value: T


def recall(key: Key, inputs: tuple[object, ...]) -> object | None:
    """The value kept under ``key`` if it was made from ``inputs``, else None.

    Inputs are compared with ``==`` (wrap objects without value equality in :class:`Same`).
    The value is returned as ``object``: narrow it with ``isinstance``.
    """
    held = st.session_state.get(key)
    if isinstance(held, Memo) and held.inputs == inputs:
        return held.value
    return None


def remember(key: Key, inputs: tuple[object, ...], value: T) -> T:
    """Keep ``value`` under ``key`` as made from ``inputs`` (replacing what was kept); return it."""
    st.session_state[key] = Memo(inputs, value)
    return value


def memo(key: Key, inputs: tuple[object, ...], compute: Callable[[], T]) -> T:
    """``compute()``, made once per ``inputs`` and kept under ``key`` in the session.

    Parameters
    ----------
    key
        Where the value is kept (one key per memo).
    inputs
        What the value is made from, compared with ``==`` to what the kept one was made from
        (wrap objects without value equality in :class:`Same`).
    compute
        Makes the value; called only when nothing is kept for these inputs.

    Returns
    -------
    T
        The kept value, or the one just made.
    """
    held = st.session_state.get(key)
    if isinstance(held, Memo) and held.inputs == inputs:
        kept: T = held.value
        return kept
    return remember(key, inputs, compute())


def refused_or(compute: Callable[[], T]) -> T | Refused:
    """``compute()``, or :class:`Refused` with the sentence of the AtlasError it raised."""
    try:
        return compute()
    except AtlasError as error:
        return Refused(str(error))


__all__ = ["Memo", "Refused", "Same", "memo", "recall", "refused_or", "remember"]
