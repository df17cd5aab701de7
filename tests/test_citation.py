"""generator/citation.py: keys, BibTeX escaping and entries, plain-text citations."""

from __future__ import annotations

import pytest

from generator.citation import (
    apa_name, bibtex, bibtex_escape, citation, citation_key, plain_citation, split_name,
)

CLIMB = "CLIMB: CLustering-based Iterative Data Mixture Bootstrapping for Language Model Pre-training"


@pytest.mark.parametrize("authors, year, title, key", [
    (["Shizhe Diao", "Yu Yang"], 2025, CLIMB, "diao2025climb"),
    (["Jörg Müller"], 2024, "Über Attention", "muller2024uber"),
    (["Łukasz Kaiser"], 2017, "One Model To Learn Them All", "kaiser2017one"),
    (["Laurens van der Maaten", "Geoffrey Hinton"], 2008, "Visualizing Data using t-SNE",
     "vandermaaten2008visualizing"),
    (["Jean-Pierre de la Fontaine"], 2020, "The Fables", "delafontaine2020fables"),
    (["Yingyan"], 2025, "A Study of Things", "yingyan2025study"),
    (["Martin Luther King Jr."], 1963, "I Have a Dream", "king1963i"),
    (["Diao, Shizhe"], 2025, "On the Road", "diao2025road"),
    (["Le Yu"], 2023, "Towards Better Models", "yu2023better"),  # a capital "Le" is a given name
    (["张三"], 2024, "深度学习 and LongWriter-Zero", "2024longwriter"),
    ([], 2024, "What Is Attention?", "2024attention"),
    (["Ada Lovelace"], None, "Notes", "lovelacenotes"),
    ([], None, "的", "paper"),
])
def test_citation_key(authors, year, title, key):
    assert citation_key(authors, year, title) == key


@pytest.mark.parametrize("name, parts, apa", [
    ("Shizhe Diao", ("Shizhe", "Diao"), "Diao, S."),
    ("Laurens van der Maaten", ("Laurens", "van der Maaten"), "van der Maaten, L."),
    ("Jean-Pierre  Luc\tDupont", ("Jean-Pierre Luc", "Dupont"), "Dupont, J.-P. L."),
    ("Yingyan", ("", "Yingyan"), "Yingyan"),
    ("Diao, Shizhe", ("Shizhe", "Diao"), "Diao, S."),
])
def test_names_split_into_given_and_family(name, parts, apa):
    assert split_name(name) == parts
    assert apa_name(name) == apa


@pytest.mark.parametrize("text, escaped", [
    ("Plain words", "Plain words"),
    ("100% & more", r"100\% \& more"),
    ("C# and F#", r"C\# and F\#"),
    ("snake_case costs $5", r"snake\_case costs \$5"),
    ("x^2 ~ y", r"x\textasciicircum{}2 \textasciitilde{} y"),
    ("back\\slash", r"back\textbackslash{}slash"),
    ("a {paired} brace", r"a \{paired\} brace"),
    ("} closes first {", r"\textbraceright{} closes first \textbraceleft{}"),
    ("{{one} left open", r"\textbraceleft{}\{one\} left open"),
    ("two\n  lines", "two lines"),
])
def test_bibtex_escape(text, escaped):
    assert bibtex_escape(text) == escaped


@pytest.mark.parametrize("text", ["}{", "{{{", "}}}a{", "\\{", "{\\}", "%{_}#$"])
def test_escaped_braces_always_balance(text):
    depth = 0
    for char in bibtex_escape(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_bibtex_entry_of_an_arxiv_paper():
    assert bibtex("diao2025climb", CLIMB, ["Shizhe Diao", "Yu Yang", "Yonggan Fu"], 2025,
                  "2504.13161") == """@misc{diao2025climb,
  title = {CLIMB: CLustering-based Iterative Data Mixture Bootstrapping for Language Model Pre-training},
  author = {Shizhe Diao and Yu Yang and Yonggan Fu},
  year = {2025},
  eprint = {2504.13161},
  archivePrefix = {arXiv},
  url = {https://arxiv.org/abs/2504.13161}
}"""


def test_bibtex_braces_a_name_that_would_split_and_leaves_out_unknown_fields():
    assert bibtex("key", "R&D 100%", ["Research and Development Team", "Smith, Ann", "Bo Li"],
                  None, None) == """@misc{key,
  title = {R\\&D 100\\%},
  author = {{Research and Development Team} and {Smith, Ann} and Bo Li}
}"""


def test_plain_citation():
    assert plain_citation(CLIMB, ["Shizhe Diao", "Yu Yang", "Yonggan Fu"], 2025, "2504.13161") == (
        "Diao, S., Yang, Y., & Fu, Y. (2025). CLIMB: CLustering-based Iterative Data Mixture "
        "Bootstrapping for Language Model Pre-training. arXiv:2504.13161.")
    assert plain_citation("Why?", ["Yingyan"], None, None) == "Yingyan (n.d.). Why?"
    assert plain_citation("Title", [], 2024, "2401.00001") == "(2024). Title. arXiv:2401.00001."


def test_plain_citation_past_twenty_authors_names_nineteen_and_the_last():
    authors = [f"Ann Author{n}" for n in range(1, 24)]
    expected = ", ".join(f"Author{n}, A." for n in range(1, 20)) + ", … Author23, A. (2025). T."
    assert plain_citation("T", authors, 2025, None) == expected


def test_no_citation_without_authors_or_an_arxiv_id():
    assert citation("Known only from a saved page", [], 2025, None) is None
    made = citation("T", [], 2025, "2501.00001")
    assert made["key"] == "2025t" and made["text"] == "(2025). T. arXiv:2501.00001."
