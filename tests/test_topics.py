"""Topic matching: the phrase rules, and the default taxonomy on the real dumps."""

from __future__ import annotations

import collections
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.catalog import build_catalog
from generator.diagnostics import Diagnostics
from generator.inputs import read_dumps
from generator.topics import Topic, assign_topics, load_topics, words
from tests.conftest import HEADER, ROOT


def topics_of(dumps, title, abstract, topics):
    dumps.write("a.txt", HEADER + f"Dec 10\n\n{title}\n\n{abstract}\n")
    catalog, _ = dumps.catalog()
    assign_topics(catalog, topics)
    return catalog.papers[0].topics


SPEECH = Topic(slug="speech", name="Speech", phrases=["speech recognition", "pre-training"])
RAG = Topic(slug="rag", name="RAG", phrases=["retrieval", "retriever", "RAG"], exclude=["image retrieval"])


@pytest.mark.parametrize("title", [
    "Better Speech Recognition", "Speech-Recognition Models", "speech recognitions at scale",
    "SPEECH RECOGNITION", "Pretraining for all", "Pre training for all", "Pre-Training for all",
])
def test_phrases_match_across_case_plural_and_hyphen_variants(dumps, title):
    assert topics_of(dumps, title, "Nothing to see.", [SPEECH]) == ["speech"]


@pytest.mark.parametrize("title", ["Speechless recognition", "Free speech recognitionist", "Repre-training"])
def test_phrases_match_only_whole_words(dumps, title):
    assert topics_of(dumps, title, "Nothing to see.", [SPEECH]) == []


def test_a_title_match_outweighs_abstract_matches(dumps):
    # One title phrase (3) passes; two abstract phrases (1 each) do not.
    assert topics_of(dumps, "Retrieval", "Nothing.", [RAG]) == ["rag"]
    assert topics_of(dumps, "Nothing", "A retriever and RAG.", [RAG]) == []
    assert topics_of(dumps, "Nothing", "A retriever, RAG and retrieval.", [RAG]) == ["rag"]


def test_the_same_phrase_counts_once(dumps):
    assert topics_of(dumps, "Nothing", "RAG, RAG and more RAG.", [RAG]) == []


def test_exclusions_veto_the_topic(dumps):
    assert topics_of(dumps, "Retrieval of images", "For image retrieval.", [RAG]) == []


def test_boilerplate_about_code_does_not_count(dumps):
    code = Topic(slug="code", name="Code", phrases=["code", "source code", "github"])
    abstract = "We study birds. Our source code is available at https://github.com/x/y."
    assert topics_of(dumps, "Birds", abstract, [code]) == []


def test_topics_are_ordered_best_match_first(dumps):
    first = Topic(slug="first", name="First", phrases=["retrieval"])
    second = Topic(slug="second", name="Second", phrases=["speech", "audio"])
    assert topics_of(dumps, "Speech audio retrieval", "Nothing else.", [first, second]) == ["second", "first"]


def test_topics_toml_mistakes_are_diagnosed(tmp_path):
    (tmp_path / "topics.toml").write_text(
        '[[topic]]\nname = "Fine"\nphrases = ["a"]\n\n[[topic]]\nname = "No phrases"\n'
        '\n[[topic]]\nname = "Fine"\nphrases = ["b"]\n')
    diagnostics = Diagnostics()
    topics = load_topics(tmp_path, diagnostics)
    assert [t.slug for t in topics] == ["fine"]
    assert [(d.line, d.level) for d in diagnostics] == [(5, "error"), (8, "error")]


@pytest.fixture(scope="module")
def real_catalog(real_dumps):
    diagnostics = Diagnostics()
    catalog = build_catalog(read_dumps(real_dumps, diagnostics), {}, diagnostics)
    topics = load_topics(ROOT / "content", diagnostics)
    assert list(diagnostics) == []
    assign_topics(catalog, topics)
    return catalog, topics


def test_default_taxonomy_covers_the_field(real_catalog):
    _, topics = real_catalog
    assert len(topics) >= 15
    for required in ["long-context", "rag", "peft", "training-data", "distributed-training",
                     "inference-acceleration", "kv-cache-serving", "state-space-models",
                     "diffusion-language-models", "multimodal", "audio-speech", "code-sql",
                     "evaluation", "rl-reasoning", "quantization-compression"]:
        assert required in {t.slug for t in topics}


def test_coverage_and_largest_share_on_the_real_dumps(real_catalog):
    catalog, _ = real_catalog
    papers = catalog.papers
    covered = sum(1 for paper in papers if paper.topics)
    counts = collections.Counter(slug for paper in papers for slug in paper.topics)
    assert covered / len(papers) >= 0.95
    assert max(counts.values()) / len(papers) <= 0.35


# Hand labels: every 7th paper in slug order, starting at the 4th (40 papers).
# For each, every topic a reader would find right for it, judged from its title
# and abstract, written down before looking at what the matcher assigns.
HAND_LABELS = {
    "A Survey of Mamba": {"state-space-models", "evaluation", "language-models"},
    "AgriLiRa4D: A Multi-Sensor UAV Dataset for Robust SLAM in Challenging Agricultural Fields": {"datasets"},
    "Arctic Long Sequence Training: Scalable And Efficient Training For Multi-Million Token Sequences": {"long-context", "distributed-training"},
    "BART: Denoising Sequence-to-Sequence Pre-training for Natural Language Generation, Translation, and Comprehension": {"language-models", "sequence-modeling"},
    "BiBERT: Accurate Fully Binarized BERT": {"quantization-compression", "language-models"},
    "BudgetLongformer: Can we Cheaply Pretrain a SotA Legal Language Model From Scratch?": {"long-context", "domain-models", "language-models"},
    "Can Models Learn Skill Composition from Examples?": {"fine-tuning", "evaluation"},
    "CO2: Efficient Distributed Training with Full Communication-Computation Overlap": {"distributed-training"},
    "Convolutional State Space Models for Long-Range Spatiotemporal Modeling": {"state-space-models", "long-context", "multimodal", "sequence-modeling"},
    "DataStates-LLM: Lazy Asynchronous Checkpointing for Large Language Models": {"distributed-training"},
    "DeepSpeed Ulysses: System Optimizations for Enabling Training of Extreme Long Sequence Transformer Models": {"distributed-training", "long-context"},
    "Doctors Handwritten Prescription Recognition System In Multi Language Using Deep Learning": {"handwriting-ocr", "domain-models"},
    "Dynosaur: A Dynamic Growth Paradigm for Instruction-Tuning Data Curation": {"fine-tuning", "training-data"},
    "Efficiently Modeling Long Sequences with Structured State Spaces": {"state-space-models", "long-context", "sequence-modeling"},
    "FAIR Jupyter: a knowledge graph approach to semantic sharing and granular exploration of a computational notebook reproducibility dataset": {"datasets"},
    "FP8 versus INT8 for efficient deep learning inference": {"quantization-compression", "inference-acceleration"},
    "GottBERT: a pure German Language Model": {"language-models", "domain-models"},
    "How Abilities in Large Language Models are Affected by Supervised Fine-tuning Data Composition": {"fine-tuning", "training-data", "evaluation"},
    "IC-Cache: Efficient Large Language Model Serving via In-context Caching": {"kv-cache-serving", "inference-acceleration"},
    "InstructRetro: Instruction Tuning post Retrieval-Augmented Pretraining": {"rag", "fine-tuning", "language-models", "information-retrieval"},
    "KV Prediction for Improved Time to First Token": {"kv-cache-serving", "inference-acceleration"},
    "Life-Code: Central Dogma Modeling with Multi-Omics Sequence Unification": {"domain-models", "sequence-modeling", "language-models"},
    "LongGenBench: Long-context Generation Benchmark": {"long-context", "evaluation"},
    "Mamba-360: Survey of State Space Models as Transformer Alternative for Long Sequence Modelling: Methods, Applications, and Challenges": {"state-space-models", "long-context", "sequence-modeling", "evaluation"},
    "MG-Verilog: Multi-grained Dataset Towards Enhanced LLM-assisted Verilog Generation": {"datasets", "code-sql", "domain-models", "fine-tuning"},
    "Multi-Granularity Semantic Revision for Large Language Model Distillation": {"quantization-compression"},
    "On the Theoretical Limitations of Embedding-Based Retrieval": {"information-retrieval", "evaluation"},
    "ParallelBench: Understanding the Trade-offs of Parallel Decoding in Diffusion LLMs": {"inference-acceleration", "diffusion-language-models", "evaluation"},
    "Pre-training Tasks for Embedding-based Large-scale Retrieval": {"information-retrieval", "language-models"},
    "Prototype-Sample Relation Distillation: Towards Replay-Free Continual Learning": {"continual-learning"},
    "ReaLHF: Optimized RLHF Training for Large Language Models through Parameter Reallocation": {"rl-reasoning", "distributed-training"},
    "RegMix: Data Mixture as Regression for Language Model Pre-training": {"training-data", "language-models"},
    "Same Pre-training Loss, Better Downstream: Implicit Bias Matters for Language Models": {"language-models", "interpretability", "optimization"},
    "Sequence to Sequence Learning with Neural Networks": {"sequence-modeling", "state-space-models"},
    "SkipPipe: Partial and Reordered Pipelining Framework for Training LLMs in Heterogeneous Networks": {"distributed-training"},
    "Stacking Your Transformers: A Closer Look at Model Growth for Efficient LLM Pre-Training": {"language-models", "continual-learning", "distributed-training"},
    "The Chronicles of RAG: The Retriever, the Chunk and the Generator": {"rag", "information-retrieval"},
    "Towards Exploiting Background Knowledge for Building Conversation Systems": {"dialogue", "datasets", "sequence-modeling"},
    "Unsupervised Parsing by Searching for Frequent Word Sequences among Sentences with Equivalent Predicate-Argument Structures": {"sequence-modeling"},
    "Wide Attention Is The Way Forward For Transformers?": {"language-models"},
}


def test_hand_labelled_precision_is_at_least_90_percent(real_catalog):
    catalog, topics = real_catalog
    assert len(HAND_LABELS) == 40
    slugs = {t.slug for t in topics}
    assert set().union(*HAND_LABELS.values()) <= slugs  # the labels use real topics
    sample = [p for p in catalog.papers[3::7][:40]]
    assert {p.title for p in sample} == set(HAND_LABELS)
    assigned = sum(len(p.topics) for p in sample)
    right = sum(len(set(p.topics) & HAND_LABELS[p.title]) for p in sample)
    wrong = {p.title: sorted(set(p.topics) - HAND_LABELS[p.title]) for p in sample
             if set(p.topics) - HAND_LABELS[p.title]}
    assert right / assigned >= 0.90, wrong


@given(st.text(alphabet=st.characters(max_codepoint=127)) | st.text())
def test_words_split_ascii_text_as_the_word_pattern_does(text):
    """The ASCII fast path of words() must find the same words as the regex it stands in for."""
    assert words(text) == re.findall(r"[^\W_]+", text.casefold())
