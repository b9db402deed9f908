"""User-supplied text made safe for each output it reaches, so it is always shown as text.

Folium and branca build the map page with Jinja, and branca compiles the *rendered* script of
every element a second time as a template (``branca.element.Element(template)``). A ``{{ … }}``
or ``{% … %}`` inside an attribute value, an attribute name or a file name would therefore be
evaluated on the server. Every string that can come from a user passes through one function
here before it reaches a page or file; no other module escapes by hand.
"""

from __future__ import annotations

import html
import json

#: Characters that open Jinja syntax (``{{``, ``{%``, ``{#``) and their HTML character references.
_HTML_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})
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

    Escapes ``& < > " '`` and writes ``{`` and ``}`` as character references, which a browser
    shows as the braces themselves but no template engine can read as syntax.

    Parameters
    ----------
    text
        Any value; ``str()`` is applied.

    Returns
    -------
    str
        Markup-free, template-inert HTML text.
    """
    return html.escape(str(text), quote=True).translate(_HTML_BRACES)


def script_json(value: object) -> str:
    r"""JSON for a ``<script>`` block or a JavaScript literal inside a templated page.

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
