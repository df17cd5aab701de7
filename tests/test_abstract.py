r"""LaTeX left in abstracts, shown as its authors meant it. Every expected value
is written by hand; the MathML ones were checked against latex2mathml's rules
for the few constructs used (mi, mn, mo, msup, msub)."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.abstract import MATH_ATTRIBUTES, MATH_ELEMENTS, abstract_html, abstract_text

MATH = '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">'


def link(url: str, text: str | None = None) -> str:
    return f'<a href="{url}" rel="noopener noreferrer" class="outbound">{text or url}</a>'


@pytest.mark.parametrize("text, html, plain", [
    (r"+80\% on Who\&When, \#1, a\_b, \$5, \{x\}", "+80% on Who&amp;When, #1, a_b, $5, {x}",
     "+80% on Who&When, #1, a_b, $5, {x}"),
    (r"1.5\,TB and vs.\ x", "1.5\u202fTB and vs. x", "1.5\u202fTB and vs. x"),
    ("about ~8B and ~ 3%", "about ~8B and ~ 3%", "about ~8B and ~ 3%"),
    (r"the \textbf{Distribution Alignment Assumption} holds",
     "the <strong>Distribution Alignment Assumption</strong> holds",
     "the Distribution Alignment Assumption holds"),
    (r"\textit{stable perplexity} and \emph{Uni-Instruct}",
     "<em>stable perplexity</em> and <em>Uni-Instruct</em>", "stable perplexity and Uni-Instruct"),
    (r"\textbf{a \emph{b {c} d} e}", "<strong>a <em>b {c} d</em> e</strong>", "a b {c} d e"),
    (r"\texttt{LIVEditor} and \textsc{FastCuRL}", "<code>LIVEditor</code> and FastCuRL",
     "LIVEditor and FastCuRL"),
    (r"a {\em DeepSpeak} {\it vs.} {\bf bold}", "a <em>DeepSpeak</em> <em>vs.</em> <strong>bold</strong>",
     "a DeepSpeak vs. bold"),
    (r"Fr\'echet, Pl\"ucker, Bolet\'{\i}n, vis-\`a-vis, \^o, \~n",
     "Fréchet, Plücker, Boletín, vis-à-vis, ô, ñ", "Fréchet, Plücker, Boletín, vis-à-vis, ô, ñ"),
    (r"(\eg, PPO), \ie, \etc. 360{\deg} scenes, \etc", "(e.g., PPO), i.e., etc. 360° scenes, etc.",
     "(e.g., PPO), i.e., etc. 360° scenes, etc."),
    (r"3.6\times faster, ({\Delta}G), p\approx0.37, \textgreater 96\%",
     "3.6× faster, (ΔG), p≈0.37, &gt; 96%", "3.6× faster, (ΔG), p≈0.37, > 96%"),
    (r"we propose \method, and \ours{}", r"we propose \method, and \ours{}",
     r"we propose \method, and \ours{}"),
    (r"LLaMA\nobreakdash-3.1 in \LaTeX", "LLaMA-3.1 in LaTeX", "LLaMA-3.1 in LaTeX"),
])
def test_text_constructs(text, html, plain):
    assert abstract_html(text) == html
    assert abstract_text(text) == plain


@pytest.mark.parametrize("text, html", [
    (r"\textbf{unbalanced", r"\textbf{unbalanced"),
    (r"\emph{a \textbf{b}", r"\emph{a <strong>b</strong>"),
    (r"\textbf x", r"\textbf x"),
    (r"{\it never closed", r"{\it never closed"),
    (r"PSRD (Phase-wise \textbf{Self-Reward Decoding) for", r"PSRD (Phase-wise \textbf{Self-Reward Decoding) for"),
    (r"a}b{c", "a}b{c"),
    (r"\~8B ARs", "~8B ARs"),
])
def test_what_does_not_balance_stays_as_typed(text, html):
    assert abstract_html(text) == html


@pytest.mark.parametrize("text, html", [
    (r"code at \url{https://github.com/bytedance/SALMONN/}.",
     f"code at {link('https://github.com/bytedance/SALMONN/')}."),
    (r"\url{https://x.org/a\_b}", link("https://x.org/a_b")),
    (r"\url{www.x.org}", "www.x.org"),
    (r"\url{javascript:alert(1)}", "javascript:alert(1)"),
    (r"\href{https://a.org/p}{the \emph{demo}}",
     '<a href="https://a.org/p" rel="noopener noreferrer" class="outbound">the <em>demo</em></a>'),
    (r"\href{javascript:alert(1)}{click}", "click"),
    (r"\href{https://a.org}{see https://b.org}", link("https://a.org", "see https://b.org")),
    (r"\textbf{see https://x.org}.", f"<strong>see {link('https://x.org')}</strong>."),
    (r"\emph{(https://x.org/a_(b))}", f"<em>({link('https://x.org/a_(b)')})</em>"),
    (r"https://x.github.io/DAP\_website/ and https://x.io/\#demo",
     f"{link('https://x.github.io/DAP_website/')} and {link('https://x.io/#demo')}"),
])
def test_urls_and_latex_compose(text, html):
    assert abstract_html(text) == html


def test_url_commands_in_plain_text_are_their_text():
    assert abstract_text(r"\url{https://a.org/x\_y} or \href{https://a.org}{the site}") == \
        "https://a.org/x_y or the site"


X_SQUARED = f"{MATH}<mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>"


@pytest.mark.parametrize("text, html, plain", [
    ("so $x^2$ grows", f"so {X_SQUARED} grows", "so x^2 grows"),
    (r"with \( x^2 \) time", f"with {X_SQUARED} time", "with x^2 time"),
    (r"$3\times$", f"{MATH}<mrow><mn>3</mn><mo>×</mo></mrow></math>", r"3\times"),
    ("$p_{i}$", f"{MATH}<mrow><msub><mi>p</mi><mrow><mi>i</mi></mrow></msub></mrow></math>", "p_{i}"),
    (r"$\Delta$", f"{MATH}<mrow><mi>Δ</mi></mrow></math>", r"\Delta"),
])
def test_inline_math_is_mathml_and_its_source_in_plain_text(text, html, plain):
    assert abstract_html(text) == html
    assert abstract_text(text) == plain


@pytest.mark.parametrize("text", [
    "costs $5 and $10 per run",  # money: the closing $ follows a space
    "from $5-$10 a month",  # money: a digit follows the closing $
    "budget of $1,500 and US$44",
    "prevent 87-$89% of",
    "$ x$ and $x $",  # a space inside either end
    "$$x$$",  # display math is not inline
    "$$",
    r"$P(final output is incorrect) le (1 - p_{gen})^N$",  # lost backslashes: prose
    r"$textbf{specialist} and textbf{generalist}$ models",
    r"$\method$ and $\unknownmacro{x}$",  # macros that latex2mathml does not know
    "$a}$ and ${b$",  # unbalanced
    "$x^$",  # latex2mathml fails
    r"$\color{red}{x}$",  # mathcolor is not allowed
    r"$\href{javascript:alert(1)}{x}$",  # href is not allowed
    "$\\text{a\nb}$",  # over a line break
    "$" + "x" * 301 + "$",  # too long
    r"\(\)",
])
def test_what_is_not_clearly_math_stays_as_typed(text):
    assert "<" not in abstract_html(text)
    assert abstract_text(text) == text


def test_an_escaped_dollar_neither_opens_nor_closes_math():
    assert abstract_html(r"$x\$ y and \$x$") == "$x$ y and $x$"


def test_a_formula_that_does_not_convert_stays_as_typed_entire():
    assert abstract_html(r"see $\method \textbf{x}$ now") == r"see $\method \textbf{x}$ now"


@pytest.mark.parametrize("text, html", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    (r"\textbf{<script>alert(1)</script>}", "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>"),
    (r"\emph{<b onmouseover=x>}", "<em>&lt;b onmouseover=x&gt;</em>"),
    (r"$\text{<script>alert(1)</script>}$", r"$\text{&lt;script&gt;alert(1)&lt;/script&gt;}$"),
    (r"$\text{<b>x</b>}$", r"$\text{&lt;b&gt;x&lt;/b&gt;}$"),
    (r"$\text{&lt;}$", f"{MATH}<mrow><mtext>&lt;</mtext></mrow></math>"),
    ("$<script>$", f"{MATH}<mrow><mo>&lt;</mo><mi>s</mi><mi>c</mi><mi>r</mi><mi>i</mi><mi>p</mi>"
                   "<mi>t</mi><mo>&gt;</mo></mrow></math>"),
    (r'\url{https://a.org/"onclick=x}', link("https://a.org/") + "&quot;onclick=x"),
    (r'\href{https://a.org/x}{<i>}', link("https://a.org/x", "&lt;i&gt;")),
    (r"\(<img src=x onerror=alert(1)>\)", r"\(&lt;img src=x onerror=alert(1)&gt;\)"),
])
def test_markup_in_every_construct_is_escaped(text, html):
    assert abstract_html(text) == html


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    r"\textbf{" * 25_000,
    "{\\it " * 40_000,
    "$x$ " * 50_000,
    "".join(f"$x_{{{n}}}$ " for n in range(20_000)),
    "\\(" * 100_000,
    "$" * 200_000,
    "{" * 100_000 + "}" * 100_000,
    "".join(f"\\m{n:x} " for n in range(30_000)).replace("0", "a").replace("1", "b"),
    "https://a.org/" * 15_000,
    "\\'e\\\"u\\,\\% " * 20_000,
])
def test_long_hostile_input_stays_fast(text):
    start = time.perf_counter()
    abstract_html(text)
    abstract_text(text)
    assert time.perf_counter() - start < 0.8


def test_only_the_first_formulas_of_an_abstract_are_converted():
    html = abstract_html(" ".join(f"$x_{n}$" for n in range(100)))
    assert html.count("<math") == 64
    assert html.endswith("$x_99$")


class Fragment(HTMLParser):
    """The elements, attributes and text of an HTML fragment, checking that tags nest."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        raise AssertionError(f"self-closing <{tag}/>")

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"</{tag}> closes nothing open"

    def handle_data(self, data):
        self.text.append(data)


ALLOWED = {"a": {"href", "rel", "class"}, "strong": set(), "em": set(), "code": set(),
           **{name: set(MATH_ATTRIBUTES) for name in MATH_ELEMENTS}}
ALLOWED["math"] = ALLOWED["math"] | {"xmlns"}

PIECES = [
    "$", "$$", "\\(", "\\)", "{", "}", "\\", "\\textbf{", "\\emph{", "\\textit{", "\\texttt{",
    "\\textsc{", "\\url{", "\\href{", "{\\it ", "{\\em ", "{\\bf ", "\\text{", "\\mathrm{", "\\frac{",
    "\\%", "\\&", "\\_", "\\$", "\\{", "\\}", "\\,", "\\'", '\\"', "\\~", "\\times", "\\Delta", "\\eg",
    "\\method", "{\\Delta}", "x^2", "_{i}", "https://a.org/", "http://b.org/x_(y)", "javascript:",
    "&", "&amp;", '"', "'", ">", "<script>", "</b>", "<math>", "<!--", "\n", " ", "x", "5",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=30).map("".join))
def test_any_text_is_a_well_formed_fragment_of_allowed_elements(text):
    html = abstract_html(text)
    fragment = Fragment(html)
    assert fragment.open == []
    for tag, attributes in fragment.elements:
        assert tag in ALLOWED and set(attributes) <= ALLOWED[tag], (tag, attributes)
        if tag == "a":
            assert attributes["href"].startswith(("http://", "https://"))
    for match in re.finditer("<", html):  # every "<" opens or closes one of ours
        assert re.match(r"</?([a-z]+)[ >]", html[match.start():])[1] in ALLOWED
    if "<" not in text:
        assert "<" not in "".join(fragment.text)
    assert "<" not in abstract_text(text) or "<" in text
