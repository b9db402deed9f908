"""Showing untrusted text (file names, import messages) in Streamlit's markdown widgets."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(text: str) -> str:
    r"""Escape markdown so ``text`` is shown literally by ``st.error``/``st.success``.

    Streamlit renders alert bodies as markdown; a file name such as ``a_b_<img>.zip`` would
    otherwise lose characters or be read as markup. Raw HTML is never rendered there, but the
    user must still see exactly what the file said.

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    str
        The text with every markdown control character backslash-escaped.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
