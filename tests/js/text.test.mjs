// The rules of text: the tokeniser against the vectors that tests/test_search.py
// asserts for the Python one, query parsing and result tiers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const T = require("../../themes/default/static/js/search-text.js");
const { vectors } = JSON.parse(readFileSync(new URL("../search_vectors.json", import.meta.url), "utf8"));

for (const { text, tokens } of vectors) {
  test(`tokenize ${JSON.stringify(text).slice(0, 40)}`, () => {
    assert.deepEqual(T.tokenize(text), tokens);
  });
}

test("words keep their written spans and know their tokens", () => {
  const text = "The model's 10,000 GPUs (Schro\u0308dinger).";
  const words = T.words(text).map((w) => [text.slice(w.start, w.end), w.tokens]);
  assert.deepEqual(words, [
    ["The", ["the"]],
    ["model's", ["model"]],
    ["10,000", ["10000"]],
    ["GPUs", ["gpu"]],
    ["Schro\u0308dinger", ["schrodinger"]],
  ]);
});

test("stem is idempotent and leaves words with digits or accents alone", () => {
  for (const word of ["models", "studies", "classes", "gpus", "corpus", "analysis", "boxes", "ties"]) {
    assert.equal(T.stem(T.stem(word)), T.stem(word));
  }
  assert.equal(T.stem("a100s"), "a100s");
  assert.equal(T.stem("cafés"), "cafés");
});

test("the tier of a result: exact title, phrase in title, all in title or phrase in abstract", () => {
  const q = (text) => T.parseQuery(text);
  assert.equal(T.tier(q("Attention Is All You Need "), "Attention is all you need!", ""), 3);
  assert.equal(T.tier(q("sparse attention "), "Efficient Sparse Attention", ""), 2);
  assert.equal(T.tier(q("attention sparse "), "Efficient Sparse Attention", ""), 1);
  assert.equal(T.tier(q("sparse attention "), "Attention", "a sparse attention layer"), 1);
  assert.equal(T.tier(q("sparse attention "), "Attention", "sparse and dense attention"), 0);
  assert.equal(T.tier(q("sparse atten"), "Efficient Sparse Attention", ""), 2);
  assert.equal(T.tier(q("tri dao "), "Mamba", "a model", "Albert Gu, Tri Dao"), 1); /* an author's name */
  assert.equal(T.tier(q("dao tri "), "Mamba", "a model", "Albert Gu, Tri Dao et al."), 1); /* in any order */
  assert.equal(T.tier(q("gu dao "), "Mamba", "a model", "Albert Gu, Tri Dao"), 0); /* two authors: no name */
  const lora = { ...q("lora "), compounds: [["qlora"]] };
  assert.equal(T.tier(lora, "QLoRA: Efficient Finetuning", ""), 2); /* a compound counts as the word */
  assert.deepEqual(q("int8 on 10,000 GPUs"),
    { terms: ["int8", "on", "10000", "gpu"], prefix: true, quoted: [false, false, false, false], phrases: [] });
  assert.equal(q("models ").prefix, false);
  assert.equal(q("a").prefix, false); /* one letter: matched exactly */
});

test("words in double quotes are a phrase, matched as written", () => {
  const q = T.parseQuery('"state space" models');
  assert.deepEqual(q.terms, ["state", "space", "model"]);
  assert.deepEqual(q.quoted, [true, true, false]);
  assert.deepEqual(q.phrases, [["state", "space"]]);
  assert.equal(q.prefix, true);
  assert.equal(T.parseQuery('mamba "state space"').prefix, false); /* the quote is closed */
  assert.deepEqual(T.parseQuery('"lora"').phrases, []); /* one quoted word: exact, no phrase */
  assert.deepEqual(T.parseQuery('"lora"').quoted, [true]);
  assert.deepEqual(T.parseQuery('mamba "state spa').phrases, [["state", "spa"]]); /* open to the end */
  assert.equal(T.parseQuery('mamba "state spa').prefix, false);
});

test("a phrase is a run of tokens", () => {
  const tokens = T.tokenize("Selective state-space models, state of the art");
  assert.ok(T.hasPhrase(tokens, ["state", "space"]));
  assert.ok(T.hasPhrase(tokens, ["space", "model"]));
  assert.ok(!T.hasPhrase(tokens, ["space", "state"]));
  assert.ok(!T.hasPhrase(tokens, ["model", "art"]));
});
