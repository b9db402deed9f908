"""User-supplied text made safe for each output it reaches, so it is always shown as text.

One function per output; every string that can come from a user (attribute names and values,
file names, URL parameters) passes through the one for its output, and no other module escapes
by hand:

============================  ===================================================================
output                        function
============================  ===================================================================
HTML (map, page, HTML file)   :func:`html_text`
JSON inside a page's script   :func:`script_json`
Streamlit Markdown            :func:`markdown_text` (headings, alerts, captions, help texts)
Matplotlib text (print map)   :func:`mathtext_text`
CSV cell or column name       :func:`csv_cell`
============================  ===================================================================

Why each is needed: HTML and script text must not close an element or a ``<script>`` block;
they also keep braces as references or escapes, so they stay text even where a template engine
reads them (no part of the atlas renders a template now, but the exported HTML file may be
pasted into a site that does); Streamlit renders Markdown (links, images that fetch remote
URLs, ``:red[…]``, ``$…$`` LaTeX) in headings and alerts; Matplotlib interprets text between
two ``$`` as mathtext, and a lone ``$`` pair that is not valid TeX makes drawing fail;
spreadsheets execute a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula.
GeoJSON and GeoPackage exports keep every value verbatim.
"""

from __future__ import annotations

import html
import json
import re

#: Characters HTML escaping leaves alone but that matter where the HTML is embedded: braces open
#: template syntax (``{{``, ``{%``, ``{#``) wherever a template engine reads the text; ``$``
#: opens LaTeX and a blank line ends an HTML block in Streamlit Markdown. Written as character
#: references, a browser shows the characters.
_HTML_EXTRA = str.maketrans(
    {"{": "&#123;", "}": "&#125;", "$": "&#36;", "\n": "&#10;", "\r": "&#13;"}
)
#: Every ASCII punctuation character: CommonMark lets a backslash escape each of them.
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
#: Where GitHub-flavoured Markdown would turn bare text into a link (``scheme://``, ``www.``,
#: ``name@host``): it does so after parsing, on the unescaped text, so escapes cannot stop it.
_AUTOLINK_START = re.compile(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?<=@)")
#: U+2060 WORD JOINER: invisible, but no autolink pattern runs across it.
WORD_JOINER = "\u2060"
#: A cell a spreadsheet would read as a formula (OWASP CSV injection: it starts with ``=``,
#: ``+``, ``-``, ``@``, tab or CR), possibly behind apostrophes this rule added before.
_CSV_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
#: The same characters, plus the ones that could close a ``<script>`` block, as JSON escapes.
_SCRIPT_JSON = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "{": "\\u007b",
        "}": "\\u007d",
    }
)


def html_text(text: object) -> str:
    """Text for an HTML context (``innerHTML``, an attribute value, an element body).

    Escapes ``& < > " '`` and writes ``{ } $`` and line breaks as character references, which
    a browser shows as the characters themselves but no template engine can read as syntax,
    and which keep an HTML block inside Streamlit Markdown one block with no LaTeX.

    Parameters
    ----------
    text
        Any value; ``str()`` is applied.

    Returns
    -------
    str
        Markup-free, template-inert HTML text.
    """
    return html.escape(str(text), quote=True).translate(_HTML_EXTRA)


def script_json(value: object) -> str:
    r"""JSON for a ``<script>`` block or a JavaScript literal inside a page.

    Parameters
    ----------
    value
        Anything :func:`json.dumps` accepts.

    Returns
    -------
    str
        JSON text in which no string can close the script block, look like HTML or open
        template syntax: ``< > & { }`` inside strings become ``\u`` escapes, which
        ``JSON.parse`` and JavaScript decode back to the same characters. Object braces
        outside strings stay, and ``{`` is then always followed by ``"`` or ``}``, never by
        ``{``, ``%`` or ``#``.
    """
    encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return _escape_json_strings(encoded)


def _escape_json_strings(encoded: str) -> str:
    """Apply :data:`_SCRIPT_JSON` inside the string literals of JSON text only."""
    out: list[str] = []
    in_string = False
    escaped = False
    for char in encoded:
        if in_string:
            if escaped:
                escaped = False
                out.append(char)
                continue
            if char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            out.append(char.translate(_SCRIPT_JSON))
        else:
            in_string = char == '"'
            out.append(char)
    return "".join(out)


def markdown_text(text: object) -> str:
    r"""Text for Streamlit's Markdown (``st.markdown``, headings, alerts, captions, help).

    Every ASCII punctuation character is backslash-escaped, which CommonMark shows as the
    character itself: no link, image (a remote fetch), emphasis, heading, list, ``:red[…]``
    colour, ``:emoji:`` or ``$…$`` LaTeX can form. Streamlit does not render raw HTML there,
    but ``<`` and ``>`` are escaped too. GitHub-flavoured Markdown links bare URLs and e-mail
    addresses after parsing, whatever the escapes, so an invisible :data:`WORD_JOINER` is put
    after ``:`` in ``scheme://``, after ``www`` before ``.`` and after ``@``.

    Parameters
    ----------
    text
        Any value; ``str()`` is applied.

    Returns
    -------
    str
        Markdown that displays ``text`` (with the invisible word joiners above).
    """
    joined = _AUTOLINK_START.sub(WORD_JOINER, str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", joined)


def mathtext_text(text: object) -> str:
    r"""Text for a Matplotlib ``Text`` (the print map), shown literally.

    Matplotlib treats a string with an even number of unescaped ``$`` as mathtext and fails to
    draw invalid TeX (``$rac$``); ``\$`` is a literal dollar sign and, once no unescaped
    ``$`` is left, the string is drawn as plain text with ``\$`` shown as ``$``.

    Parameters
    ----------
    text
        Any value; ``str()`` is applied. Wrap lines before escaping, so no line break falls
        between a backslash and its ``$``.

    Returns
    -------
    str
        Text Matplotlib draws exactly as ``text`` (with ``usetex`` off, the default).
    """
    return str(text).replace("$", "\\$")


def csv_cell(text: str) -> str:
    """A CSV cell or column name that no spreadsheet runs as a formula (OWASP).

    A text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    ``'``, which spreadsheets read as "text follows" and show without it. Text already
    starting with ``'`` before such a character gets one more, so the rule can be undone
    exactly: strip one leading ``'`` wherever the rest still matches it.

    Parameters
    ----------
    text
        A text cell or a column name (numbers are not text and need no prefix).

    Returns
    -------
    str
        ``text``, prefixed with ``'`` when it could start a formula.
    """
    return "'" + text if _CSV_NEEDS_QUOTE.match(text) else text
