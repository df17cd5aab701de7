"""Citations of a paper: a BibTeX entry and a plain-text line, from its metadata only.

Pure functions of their arguments, with no I/O, so a page's citation is the
same for the same paper.

* The **key** is the first author's family name, the year and the first
  meaningful word of the title, in lower-case ASCII: ``diao2025climb``. The
  family name keeps its particles (``van der Maaten`` gives ``vandermaaten``);
  accents are dropped (``Müller`` gives ``muller``); a name of one word is its
  own family name. A part that has no ASCII letter or digit is left out, and
  a key that would be empty is ``paper``.
* The **BibTeX** entry is ``@misc``, as arXiv itself exports preprints, with
  ``title``, ``author`` (``A and B and C``), ``year``, and for a paper with an
  arXiv id ``eprint``, ``archivePrefix = {arXiv}`` and ``url``. A field's text
  is plain text made safe for BibTeX and LaTeX: ``\\ % & # _ $ ~ ^`` are
  escaped and braces are always balanced (a brace without its pair becomes
  ``\\textbraceleft{}`` or ``\\textbraceright{}``).
* The **plain-text** line follows APA: ``Diao, S., Yang, Y., & Fu, Y. (2025).
  Title. arXiv:2504.13161.`` Up to 20 authors are all named; past that, the
  first 19, an ellipsis and the last one.

A paper known only from saved Daily Papers pages has neither an arXiv id nor
author names, just a count. :func:`citation` gives it no citation at all
(``None``) rather than one that names nobody and points nowhere.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TypedDict

#: Title words that never make a key: articles, prepositions, conjunctions, question words.
STOPWORDS = frozenset("""
a an the and or but nor of on in into onto at by for from to with without within via per vs
versus as is are be do does can could should would will what how why when where which who
towards toward beyond through over under about against between among upon not no yes
""".split())
#: Lower-case words that belong to the family name after them ("van der Maaten").
PARTICLES = frozenset("""
van von der den de del della dei degli di da das dos du la le ten ter zu zur bin ibn al el
""".split())
#: Generational suffixes, which are not the family name ("Martin Luther King Jr.").
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
#: Letters that NFKD does not take apart into an ASCII letter and an accent.
_FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                       "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th",
                       "ð": "d", "Ð": "D", "ı": "i"})
_NOT_KEY_RE = re.compile(r"[^a-z0-9]+")
#: Plain characters with a meaning in BibTeX or LaTeX, and what writes them literally.
_LATEX = {"\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_",
          "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_SPECIAL_RE = re.compile(r"[{}\\%&#_$~^]")
_AND_RE = re.compile(r"\band\b", re.IGNORECASE)
#: APA names every author up to this many.
APA_MAX_AUTHORS = 20


def ascii_fold(text: str) -> str:
    """``text`` without accents, in ASCII as far as it goes: ``Łukasz Müller`` is ``Lukasz Muller``."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(char for char in decomposed if char.isascii())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def split_name(name: str) -> tuple[str, str]:
    """``(given names, family name)`` of a name as written, particles in the family name.

    ``"Diao, Shizhe"`` is read as family name first. Otherwise the family name
    is the last word (a suffix such as ``Jr.`` is dropped) with the particles
    written in lower case just before it (``van der``, but not the ``Le`` of
    ``Le Yu``); a single word is a family name alone.
    """
    name = _one_line(name)
    if "," in name:
        family, _, given = name.partition(",")
        if family.strip() and given.strip():
            return _one_line(given), _one_line(family)
    words = name.split(" ")
    end = len(words)
    while end > 1 and words[end - 1].casefold() in SUFFIXES:
        end -= 1
    start = end - 1
    while start > 0 and words[start - 1] in PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:end])


def _key_part(text: str) -> str:
    return _NOT_KEY_RE.sub("", ascii_fold(text).casefold())


def title_word(title: str) -> str:
    """The first word of ``title`` that is not a stop word, for a key; ``""`` if none."""
    for word in _NOT_KEY_RE.split(ascii_fold(title).casefold()):
        if word and word not in STOPWORDS:
            return word
    return ""


def citation_key(authors: list[str], year: int | None, title: str) -> str:
    """``diao2025climb``: first author's family name, year, first meaningful title word."""
    family = ""
    if authors:
        family = _key_part(split_name(authors[0])[1]) or _key_part(authors[0])
    return f"{family}{year or ''}{title_word(title)}" or "paper"


def bibtex_escape(text: str) -> str:
    """Plain text as a BibTeX field's value: special characters escaped, braces balanced."""
    text = _one_line(text)
    if not _SPECIAL_RE.search(text):
        return text
    # Pair the braces first: a pair is kept as \{ \}, a brace on its own is spelled out.
    paired: set[int] = set()
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}" and opened:
            paired.update((opened.pop(), index))
    out = []
    for index, char in enumerate(text):
        if char in "{}":
            if index in paired:
                out.append("\\" + char)
            else:
                out.append(r"\textbraceleft{}" if char == "{" else r"\textbraceright{}")
        else:
            out.append(_LATEX.get(char, char))
    return "".join(out)


def _bibtex_name(name: str) -> str:
    """One author for ``author = {...}``: a name holding a comma or the word "and" is braced whole."""
    escaped = bibtex_escape(name)
    if "," in escaped or _AND_RE.search(escaped):
        return "{" + escaped + "}"
    return escaped


def bibtex(key: str, title: str, authors: list[str], year: int | None,
           arxiv_id: str | None) -> str:
    """A ``@misc`` BibTeX entry; fields without a value are left out."""
    fields = [("title", bibtex_escape(title))]
    if authors:
        fields.append(("author", " and ".join(_bibtex_name(name) for name in authors)))
    if year:
        fields.append(("year", str(year)))
    if arxiv_id:
        fields += [("eprint", bibtex_escape(arxiv_id)), ("archivePrefix", "arXiv"),
                   ("url", bibtex_escape(f"https://arxiv.org/abs/{arxiv_id}"))]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"


def _initials(given: str) -> str:
    """``Jean-Pierre Luc`` as ``J.-P. L.``."""
    parts = []
    for word in given.split(" "):
        pieces = [piece for piece in word.split("-") if piece]
        letters = [piece[0] + "." for piece in pieces if piece[0].isalpha()]
        if letters:
            parts.append("-".join(letters))
    return " ".join(parts)


def apa_name(name: str) -> str:
    """``Shizhe Diao`` as ``Diao, S.``; a single name stays as it is."""
    given, family = split_name(name)
    initials = _initials(given)
    return f"{family}, {initials}" if initials else family


def plain_citation(title: str, authors: list[str], year: int | None, arxiv_id: str | None) -> str:
    """``Diao, S., Yang, Y., & Fu, Y. (2025). Title. arXiv:2504.13161.``"""
    names = [name for name in authors if name.strip()]
    if len(names) > APA_MAX_AUTHORS:  # spell out only the names that are shown
        shown = [apa_name(name) for name in names[:APA_MAX_AUTHORS - 1]]
        who = ", ".join(shown) + ", … " + apa_name(names[-1])
    elif len(names) > 1:
        who = ", ".join(map(apa_name, names[:-1])) + ", & " + apa_name(names[-1])
    else:
        who = "".join(map(apa_name, names))
    title = _one_line(title)
    if title and title[-1] not in ".?!":
        title += "."
    parts = [f"{who} ({year or 'n.d.'})." if who else f"({year or 'n.d.'}).", title]
    if arxiv_id:
        parts.append(f"arXiv:{arxiv_id}.")
    return " ".join(part for part in parts if part)


class Citation(TypedDict):
    """A paper's citation: its BibTeX key, its BibTeX entry and its plain-text form."""
    key: str
    bibtex: str
    text: str


def citation(title: str, authors: list[str], year: int | None, arxiv_id: str | None) -> Citation | None:
    """``{"key", "bibtex", "text"}`` for a paper, or None when it has no author names and no arXiv id."""
    if not authors and not arxiv_id:
        return None
    key = citation_key(authors, year, title)
    return {"key": key, "bibtex": bibtex(key, title, authors, year, arxiv_id),
            "text": plain_citation(title, authors, year, arxiv_id)}


#: Names a list or a search result shows before "et al.".
BYLINE_AUTHORS = 3


def short_byline(authors: list[str]) -> str:
    """``Ada Lovelace, Alan Turing, Grace Hopper et al.``"""
    shown = ", ".join(authors[:BYLINE_AUTHORS])
    return shown + " et al." if len(authors) > BYLINE_AUTHORS else shown
