r"""An abstract's text as HTML (:func:`abstract_html`) or plain text (:func:`abstract_text`).

An abstract is plain text from arXiv, with whatever LaTeX its authors left in
it. Everything is escaped: the only markup is the markup written here. The rules:

* An http(s) URL is an outbound link. It runs to the next space or to a closing
  bracket opened before it, less the punctuation that ends a sentence.
* ``\%`` ``\&`` ``\#`` ``\_`` ``\$`` ``\{`` ``\}`` are their character, ``\,`` a
  narrow no-break space and ``\ `` a space. A bare ``~`` stays: in abstracts it
  means "approximately" far more often than a LaTeX tie.
* ``\textbf{…}`` is ``<strong>``; ``\emph{…}`` and ``\textit{…}`` are ``<em>``;
  ``\texttt{…}`` is ``<code>``; ``\textsc{…}`` is its text (small capitals need
  a font the site does not load). ``{\bf …}``, ``{\it …}`` and ``{\em …}`` are
  the same. They nest; one whose braces do not balance stays as typed.
* ``\url{u}`` is a link when ``u`` is an http(s) URL, ``\href{u}{text}`` links
  ``text`` likewise; otherwise each is its text.
* The accents ``\'e`` ``\"u`` ``\`a`` ``\^o`` ``\~n`` (also ``\'{e}``,
  ``\'{\i}``) are the accented letter; ``\~`` before anything else is ``~``
  ("\~8B").
* ``\eg``, ``\ie``, ``\etc`` (one full stop in "\etc."), ``\deg`` (°),
  ``\textgreater``, ``\textless``, ``\LaTeX`` and ``\TeX`` are their text,
  ``\nobreakdash`` and ``\allowbreak`` nothing; any other control word that
  latex2mathml turns into one symbol is that symbol (``\times`` ×, ``\Delta`` Δ,
  ``\approx`` ≈), also written ``{\Delta}`` or ``\Delta{}``. Other macros stay
  as typed: ``\method`` names a paper's system, and its definition is lost.
* Inline math ``$…$`` and ``\(…\)`` is MathML made by latex2mathml. A ``$``
  opens math only when a non-space follows it, and closes it only when a
  non-space other than a backslash precedes it and no digit follows it (Pandoc's
  rule), so "$5 and $10" is money; ``$$…$$`` stays as typed. The formula must
  fit on one line in ``MAX_MATH`` characters and balance its braces, and only
  the first ``MAX_CONVERSIONS`` formulas are converted. latex2mathml's output is
  parsed and written again from an allow-list of MathML elements and attributes;
  a formula that fails to convert, is empty, keeps a macro that latex2mathml did
  not know, reads as prose whose backslashes were lost ("$P(final output is
  incorrect) le …$": MathML would run its words together), or makes anything
  outside the allow-list stays as typed.
* In plain text the markup goes and a formula is its LaTeX source, without the
  ``$`` or ``\(…\)`` around it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

from latex2mathml.converter import convert
from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText
from markdown_it.common.utils import escapeHtml

#: Longest formula, in characters, that becomes MathML.
MAX_MATH = 300
#: latex2mathml runs at most this many times per abstract (about 0.2 ms each);
#: real abstracts need a handful, and a hostile one must still be fast.
MAX_CONVERSIONS = 64
#: Deepest nesting of \textbf{…} and the like; deeper commands stay as typed.
MAX_DEPTH = 16

# The parsed abstract is a list of nodes:
#   (TEXT, text)  (STYLE, tag or None, nodes)  (LINK, url, nodes)  (MATH, source, mathml)
TEXT, STYLE, LINK, MATH = range(4)
#: One node: a tuple whose first item is its kind, and whose other items are
#: strings, None or nodes as the kind says, so they are typed as Any.
Node = tuple[Any, ...]
#: What a construct reads as (a node, or plain text) and the index after it.
Found = tuple[Node | str, int]

_URL_RE = re.compile(r"https?://[^\s<>\"`]+")
_TRAILING = ".,:;!?*'"
_OPENING = {")": "(", "]": "[", "}": "{"}

_SPECIAL_RE = re.compile(r"[\\${]")
_ESCAPES = frozenset("%&#_${}")
_SPACES = {",": "\u202f", " ": " "}
_WORD_RE = re.compile(r"\\([A-Za-z]+)")
_PAREN_MATH_RE = re.compile(r"\\\((.+)\\\)", re.DOTALL)
_ACCENT_RE = re.compile(r"\\(['\"`^~])(\{\\i\}|\{[A-Za-z]\}|[A-Za-z])")
_ACCENTS = {"'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303"}
_SWITCH_RE = re.compile(r"\{\\(bf|it|em)(?![A-Za-z])\s*")
_BRACED_WORD_RE = re.compile(r"\{\\([A-Za-z]+)\}")
_DOLLAR_MATH_RE = re.compile(r"(?<!\$)\$(?=[^\s$])([^$\n]{1,%d})(?<=[^\s\\])\$(?![\d$])" % MAX_MATH)

_WRAPPERS = {"textbf": "strong", "textit": "em", "emph": "em", "texttt": "code", "textsc": None}
_SWITCHES = {"bf": "strong", "it": "em", "em": "em"}
_WORDS = {"eg": "e.g.", "ie": "i.e.", "etc": "etc.", "deg": "°", "textgreater": ">", "textless": "<",
          "LaTeX": "LaTeX", "TeX": "TeX", "nobreakdash": "", "allowbreak": ""}

# Lost backslashes leave words where macros were: "final output is incorrect".
_PROSE_RE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,} +[A-Za-z]{2,}")
_MACRO_GROUP_RE = re.compile(r"\\[A-Za-z]+\{[^{}]*\}")  # \text{…}, \mathrm{…}: words are fine there

_MATHML = "{http://www.w3.org/1998/Math/MathML}"
MATH_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "semantics", "annotation",
})
MATH_ATTRIBUTES = frozenset({
    "display", "mathvariant", "stretchy", "fence", "separator", "form", "lspace", "rspace",
    "minsize", "maxsize", "accent", "accentunder", "columnalign", "columnspacing", "rowspacing",
    "linethickness", "width", "height", "depth", "notation", "displaystyle", "scriptlevel",
    "movablelimits", "encoding",
})


def _url_end(url: str) -> str:
    depth = {opening: 0 for opening in _OPENING.values()}
    for index, char in enumerate(url):
        if char in depth:
            depth[char] += 1
        elif char in _OPENING:
            if not depth[_OPENING[char]]:
                url = url[:index]
                break
            depth[_OPENING[char]] -= 1
    return url.rstrip(_TRAILING)


def url_spans(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each http(s) URL in ``text``."""
    match = _URL_RE.search(text)
    while match:
        url = _url_end(match[0])
        end = match.start() + len(url)
        if url.partition("://")[2][:1].isalnum():  # a host name, not "https://." or "https://("
            yield match.start(), end
        match = _URL_RE.search(text, max(end, match.start() + 1))


def _link(url: str, inner_html: str) -> str:
    return (f'<a href="{escapeHtml(normalizeLink(url))}" rel="noopener noreferrer" class="outbound">'
            f"{inner_html}</a>")


def _linked(text: str) -> str:
    """``text`` escaped, with its http(s) URLs as outbound links."""
    parts = []
    done = 0
    for start, end in url_spans(text):
        url = text[start:end]
        parts.append(escapeHtml(text[done:start]))
        parts.append(_link(url, escapeHtml(normalizeLinkText(url))))
        done = end
    parts.append(escapeHtml(text[done:]))
    return "".join(parts)


def _is_url(text: str) -> bool:
    """Whether the whole of ``text`` is one http(s) URL."""
    return next(url_spans(text), None) == (0, len(text))


def _closing_braces(text: str) -> dict[int, int]:
    """The index of the ``}`` that closes each balanced ``{``; ``\\{`` and ``\\}`` do not count."""
    closing = {}
    opened = []
    for match in re.finditer(r"\\.|[{}]", text, re.DOTALL):
        if match[0] == "{":
            opened.append(match.start())
        elif match[0] == "}" and opened:
            closing[opened.pop()] = match.start()
    return closing


def _balanced(source: str) -> bool:
    depth = 0
    for match in re.finditer(r"\\.|[{}]", source, re.DOTALL):
        if match[0] in "{}":
            depth += 1 if match[0] == "{" else -1
            if depth < 0:
                return False
    return depth == 0


def _unescape(text: str) -> str:
    return re.sub(r"\\([%&#_${}~])", r"\1", text)


def _accented(match: re.Match[str]) -> str:
    letter = match[2].strip("{}").replace("\\i", "i")
    return unicodedata.normalize("NFC", letter + _ACCENTS[match[1]])


def _clean_element(element: ElementTree.Element, parts: list[str]) -> bool:
    """Write ``element`` as HTML into ``parts``; False if anything in it is not allowed."""
    name = element.tag.removeprefix(_MATHML)
    if name == element.tag or name not in MATH_ELEMENTS or not MATH_ATTRIBUTES.issuperset(element.attrib):
        return False
    xmlns = ' xmlns="http://www.w3.org/1998/Math/MathML"' if name == "math" else ""
    attributes = "".join(f' {key}="{escapeHtml(value)}"' for key, value in element.attrib.items())
    parts.append(f"<{name}{xmlns}{attributes}>{escapeHtml(element.text or '')}")
    for child in element:
        if child.tag == _MATHML + "math" or not _clean_element(child, parts):
            return False
        parts.append(escapeHtml(child.tail or ""))
    parts.append(f"</{name}>")
    return True


def clean_mathml(xml: str) -> str | None:
    """latex2mathml's output rewritten from the allow-list, or None if it strays from it."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:  # such as "<mtext><b>" from \text{<b>}
        return None
    texts = "".join(root.itertext())
    if root.tag != _MATHML + "math" or not texts.strip() or "\\" in texts:  # empty, or an unknown macro
        return None
    parts: list[str] = []
    return "".join(parts) if _clean_element(root, parts) else None


@functools.lru_cache(maxsize=4096)
def _mathml(source: str) -> str | None:
    """The formula as sanitised MathML, or None when it should stay as typed."""
    if not source.strip() or not _balanced(source) or _PROSE_RE.search(_MACRO_GROUP_RE.sub("", source)):
        return None
    try:
        xml = convert(source)
    except Exception:  # latex2mathml's own errors, and IndexError and the like on odd input
        return None
    return clean_mathml(xml)


@functools.lru_cache(maxsize=1024)
def _symbol(name: str) -> str | None:
    """The one symbol latex2mathml makes of ``\\name``: × for times; None for anything else."""
    try:
        root = ElementTree.fromstring(convert("\\" + name))
    except Exception:  # as in _mathml
        return None
    leaves = [element for element in root.iter() if len(element) == 0]
    text = leaves[0].text or "" if len(leaves) == 1 else ""
    return text if len(text) == 1 and not text.isascii() else None


class _Reader:
    """One abstract's text read into nodes; each method reads one construct at an index."""

    def __init__(self, text: str):
        self.text = text
        self.conversions = 0

    @functools.cached_property
    def closing(self) -> dict[int, int]:
        return _closing_braces(self.text)

    def nodes(self, start: int, end: int, depth: int = 0) -> list[Node]:
        nodes: list[Node] = []
        plain: list[str] = []
        index = start
        while match := _SPECIAL_RE.search(self.text, index, end):
            plain.append(self.text[index:match.start()])
            found = self.construct(match.start(), end, depth)
            if found is None:
                plain.append(match[0])
                index = match.end()
                continue
            node, index = found
            if isinstance(node, str):
                plain.append(node)
            else:
                nodes.extend(_text_node(plain))
                nodes.append(node)
                plain = []
        plain.append(self.text[index:end])
        nodes.extend(_text_node(plain))
        return nodes

    def construct(self, at: int, end: int, depth: int) -> Found | None:
        """``(node or plain text, index after it)`` for the construct at ``at``, or None."""
        char = self.text[at]
        if char == "$":
            return self.math(_DOLLAR_MATH_RE.match(self.text, at, end))
        if char == "{":
            return self.switch(at, end, depth) or self.braced_word(at, end)
        following = self.text[at + 1:at + 2]
        if following in _ESCAPES:
            return following, at + 2
        if following in _SPACES:
            return _SPACES[following], at + 2
        if following == "(":
            return self.paren_math(at, end)
        if accent := _ACCENT_RE.match(self.text, at, end):
            return _accented(accent), accent.end()
        if following == "~":
            return "~", at + 2
        if word := _WORD_RE.match(self.text, at, end):
            return self.command(word, end, depth)
        return None

    def group(self, opening: int, end: int) -> int | None:
        """The index of the ``}`` closing the ``{`` at ``opening``, if both are before ``end``."""
        if self.text[opening:opening + 1] != "{":
            return None
        closing = self.closing.get(opening)
        return closing if closing is not None and closing < end else None

    def math(self, match: re.Match[str] | None) -> Found | None:
        """A formula as MathML; one that does not convert stays as typed, all of it."""
        if match is None:
            return None
        source = match[1].strip()
        self.conversions += 1
        mathml = _mathml(source) if self.conversions <= MAX_CONVERSIONS else None
        return ((MATH, source, mathml) if mathml else match[0]), match.end()

    def paren_math(self, at: int, end: int) -> Found | None:
        """``\\(…\\)`` on one line; str.find, as a lazy pattern would try every length."""
        closing = self.text.find("\\)", at + 2, min(end, at + 4 + MAX_MATH))
        if closing < 0 or "\n" in self.text[at:closing]:
            return None
        return self.math(_PAREN_MATH_RE.fullmatch(self.text, at, closing + 2))

    def switch(self, at: int, end: int, depth: int) -> Found | None:
        """``{\\bf …}``, ``{\\it …}``, ``{\\em …}``."""
        match = _SWITCH_RE.match(self.text, at, end)
        closing = self.group(at, end) if match and depth < MAX_DEPTH else None
        if match is None or closing is None or closing < match.end():
            return None
        return (STYLE, _SWITCHES[match[1]], self.nodes(match.end(), closing, depth + 1)), closing + 1

    def braced_word(self, at: int, end: int) -> Found | None:
        """``{\\Delta}``: TeX's way to end a control word before a letter."""
        match = _BRACED_WORD_RE.match(self.text, at, end)
        word = match and self.word(match[1])
        return (word, match.end()) if match and word else None

    def word(self, name: str) -> str | None:
        if name in _WORDS:
            return _WORDS[name]
        if self.conversions >= MAX_CONVERSIONS:
            return None
        self.conversions += 1
        return _symbol(name)

    def command(self, match: re.Match[str], end: int, depth: int) -> Found | None:
        name, after = match[1], match.end()
        if name in _WRAPPERS or name in ("url", "href"):
            closing = self.group(after, end) if depth < MAX_DEPTH else None
            if closing is None:
                return None
            if name in _WRAPPERS:
                return (STYLE, _WRAPPERS[name], self.nodes(after + 1, closing, depth + 1)), closing + 1
            url = _unescape(self.text[after + 1:closing])
            if name == "url":
                return ((LINK, url, [(TEXT, normalizeLinkText(url))]) if _is_url(url) else url), closing + 1
            text_closing = self.group(closing + 1, end)
            if text_closing is None:
                return None
            inner = self.nodes(closing + 2, text_closing, depth + 1)
            return ((LINK, url, inner) if _is_url(url) else (STYLE, None, inner)), text_closing + 1
        word = self.word(name)
        if word is None:
            return None
        if self.text.startswith("{}", after) and after + 2 <= end:
            after += 2
        elif word.endswith(".") and self.text.startswith(".", after) and after < end:
            after += 1  # "\etc." ends a sentence with one full stop
        return word, after


def _text_node(plain: list[str]) -> list[Node]:
    text = "".join(plain)
    return [(TEXT, text)] if text else []


def _html(nodes: list[Node], in_link: bool = False) -> str:
    """The nodes as HTML; inside a link, URLs are text, as links do not nest."""
    parts = []
    for node in nodes:
        kind = node[0]
        if kind == TEXT:
            parts.append(escapeHtml(node[1]) if in_link else _linked(node[1]))
        elif kind == MATH:
            parts.append(node[2])
        elif kind == LINK:
            parts.append(_html(node[2], True) if in_link else _link(node[1], _html(node[2], True)))
        else:
            inner = _html(node[2], in_link)
            parts.append(f"<{node[1]}>{inner}</{node[1]}>" if node[1] else inner)
    return "".join(parts)


def _text(nodes: list[Node]) -> str:
    return "".join(node[1] if node[0] in (TEXT, MATH) else _text(node[2]) for node in nodes)


def _parse(text: str) -> list[Node]:
    return _Reader(text).nodes(0, len(text))


def abstract_html(text: str) -> str:
    """The abstract as HTML: escaped, its URLs as outbound links, its LaTeX as the authors meant it."""
    return _html(_parse(text)) if _SPECIAL_RE.search(text) else _linked(text)


def abstract_text(text: str) -> str:
    """The abstract as plain text, for descriptions and feeds: its LaTeX read, formulas as source."""
    return _text(_parse(text)) if _SPECIAL_RE.search(text) else text
