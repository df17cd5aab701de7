// The built-in engine on the index of tests/js/fixture-papers.json (plus
// filler papers), which tests/test_search_js.py builds with tiny term heads
// so that frequent terms have tails, and passes in PAPERSITE_SEARCH_INDEX.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync, inflateRawSync } from "node:zlib";

const require = createRequire(import.meta.url);
const Engine = require("../../themes/default/static/js/search-engine.js");
const T = require("../../themes/default/static/js/search-text.js");

const dir = process.env.PAPERSITE_SEARCH_INDEX;
const skip = dir ? false : "needs PAPERSITE_SEARCH_INDEX: tests/test_search_js.py builds the index";

function engine() {
  const loaded = [];
  const created = Engine.create({
    baseUrl: "/base/",
    load: async (path, version, range) => {
      loaded.push(path);
      const bytes = readFileSync(join(dir, path));
      return new Uint8Array(range ? bytes.subarray(range[0], range[1]) : gunzipSync(bytes));
    },
    inflate: async (bytes) => new Uint8Array(inflateRawSync(bytes)),
  });
  created.loaded = loaded;
  return created;
}

/* Every result of a query, page after page. */
async function everything(search, query, filters = {}) {
  const results = [];
  for (let offset = 0; ; offset += 10) {
    const found = await search.search(query, filters, offset, 10);
    results.push(...found.results);
    if (!found.more) return { ...found, results };
  }
}

/* Every document's record, read from its slot as generator/search.py describes it:
 * three varints (the record's length, its rest's offset and length), the deflated record. */
function documents() {
  const manifest = JSON.parse(gunzipSync(readFileSync(join(dir, "manifest.bin"))).toString("utf8"));
  return Array.from({ length: manifest.docs }, (_, n) => {
    const block = Math.floor(n / manifest.block);
    const size = manifest.slots[block];
    const slot = readFileSync(join(dir, "d", `${block}.bin`)).subarray((n % manifest.block) * size);
    let at = 0;
    const varint = () => {
      let value = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = slot[at++];
        value += (byte & 127) * 2 ** shift;
        if (!(byte & 128)) return value;
      }
    };
    const length = varint();
    varint();
    varint();
    return JSON.parse(inflateRawSync(slot.subarray(at, at + length)).toString("utf8"));
  });
}

const titles = (found) => found.results.map((r) => r.title);
const { compounds } = JSON.parse(readFileSync(new URL("../search_vectors.json", import.meta.url), "utf8"));

test("an exact title comes first, then the same words as a phrase in an abstract", { skip }, async () => {
  const found = await everything(engine(), "Attention Is All You Need");
  assert.deepEqual(titles(found), ["Attention Is All You Need", "Recurrence Strikes Back"]);
  assert.equal(found.total, 2);
  assert.equal(found.results[0].url, "/base/papers/attention-is-all-you-need/");
});

test("a phrase in the title ranks first", { skip }, async () => {
  const found = await engine().search("sparse attention", {}, 0, 10);
  assert.equal(found.results[0].title, "Efficient Sparse Attention for Long Documents");
});

test("the last term is a prefix while it is being typed", { skip }, async () => {
  const search = engine();
  /* A completion brings only its best postings (here 3): typing finds the
   * paper with both words in its title; the finished word finds both. */
  const typing = await search.search("mixture of exp", {}, 0, 10);
  assert.equal(typing.results[0].title, "Experts Everywhere: A Mixture for Vision");
  assert.equal(typing.exact, false);
  const finished = await search.search("mixture of experts", {}, 0, 10);
  assert.deepEqual(new Set(titles(finished)),
    new Set(["Routing Tokens to Experts", "Experts Everywhere: A Mixture for Vision"]));
  const spaced = await search.search("mixture of exp ", {}, 0, 10);
  assert.equal(spaced.partial, true); /* "exp" is not a word of any paper */
  const partialWord = await search.search("schr", {}, 0, 10);
  assert.equal(partialWord.results[0].title, "Schrödinger Bridges for Naïve Generative Models");
});

test("every term must match, exactly as a scan of the documents says", { skip }, async () => {
  const docs = documents().map((d) => ({ ...d, tokens: new Set(T.tokenize(d.t + " " + d.a)) }));
  const words = ["attention", "data", "model", "the", "sparse", "vision", "expert", "study", "filler",
    "memory", "long", "image", "token", "train", "a", "we"];
  const search = engine();
  let checked = 0;
  for (const a of words) {
    for (const b of words) {
      if (a >= b) continue;
      for (const filters of [{}, { year: "2024" }, { topic: "nlp" }]) {
        const found = await everything(search, `${a} ${b} `, filters);
        const expected = docs.filter((d) => d.tokens.has(a) && d.tokens.has(b) &&
          (!filters.year || (d.d || "").startsWith(filters.year)) &&
          (!filters.topic || d.c.includes(filters.topic)));
        if (!expected.length) continue; /* then the engine shows partial matches instead */
        assert.deepEqual(titles(found).sort(), expected.map((d) => d.t).sort(), `${a} ${b} ${JSON.stringify(filters)}`);
        assert.equal(found.total, expected.length);
        assert.equal(found.exact, true);
        checked++;
      }
    }
  }
  assert.ok(checked > 60, `only ${checked} queries had matches`);
});

test("one frequent term: its best postings first, the exact count, and every page", { skip }, async () => {
  const docs = documents().filter((d) => T.tokenize(d.t + " " + d.a).includes("data"));
  const search = engine();
  const first = await search.search("data ", {}, 0, 3);
  assert.equal(first.total, docs.length);
  assert.equal(first.exact, true);
  assert.ok(!search.loaded.some((path) => path.startsWith("t/")), "no tail for the first page");
  const found = await everything(search, "data ");
  assert.deepEqual(titles(found).sort(), docs.map((d) => d.t).sort());
});

test("several frequent terms: their best postings while they fill the page", { skip }, async () => {
  const words = ["model", "data", "the", "we", "vision", "study", "memory", "image", "token", "train"];
  let checked = 0;
  for (const a of words) {
    for (const b of words) {
      if (a >= b) continue;
      const search = engine();
      const first = await search.search(`${a} ${b} `, {}, 0, 1);
      if (first.exact || !first.results.length) continue;
      assert.ok(!search.loaded.some((path) => path.startsWith("t/")), "no tail was read");
      assert.equal(first.more, true);
      const all = await everything(search, `${a} ${b} `);
      assert.equal(all.exact, true);
      assert.ok(all.total >= first.total);
      checked++;
    }
  }
  assert.ok(checked > 0, "no query stopped at the best postings");
});

test("when no paper has every word, those with most of them come, marked partial", { skip }, async () => {
  const found = await engine().search("attention zzqx ", {}, 0, 10);
  assert.equal(found.partial, true);
  assert.ok(found.results.length > 0);
  for (const result of found.results) assert.ok(T.tokenize(result.title + " " + result.abstract).includes("attention"));
  const none = await engine().search("zzqxv", {}, 0, 10);
  assert.deepEqual([none.total, none.results.length, none.partial], [0, 0, false]);
});

test("filters narrow the results; without words they list papers newest first", { skip }, async () => {
  const search = engine();
  const all = await everything(search, "model");
  const in2024 = await everything(search, "model", { year: "2024" });
  assert.ok(in2024.results.length > 0 && in2024.results.length < all.results.length);
  for (const r of in2024.results) assert.match(r.date, /^2024-/);
  const vision = await everything(search, "model", { topic: "vision" });
  assert.ok(vision.results.length > 0 && vision.results.length < all.results.length);
  for (const r of vision.results) assert.ok(r.topics.includes("vision"));
  const listed = await everything(search, "", { topic: "nlp", year: "2024" });
  const dates = listed.results.map((r) => r.date);
  assert.ok(dates.length > 1);
  assert.deepEqual(dates, [...dates].sort().reverse());
  const nothing = await search.search("", {}, 0, 10);
  assert.equal(nothing.total, 0);
  for (const filters of [{ topic: "no-such-topic" }, { topic: "__proto__" }, { year: "1066" }, { year: "toString" }]) {
    const unknown = await search.search("model", filters, 0, 10);
    assert.equal(unknown.total, 0, JSON.stringify(filters));
  }
});

test("a query fetches the manifest, its shards and the papers it shows, nothing else", { skip }, async () => {
  const search = engine();
  const found = await search.search("sparse attention ", {}, 0, 10);
  const shards = search.loaded.filter((p) => p.startsWith("s/"));
  const papers = search.loaded.filter((p) => p.startsWith("d/"));
  assert.equal(search.loaded[0], "manifest.bin");
  assert.ok(shards.length <= 2, shards.join());
  assert.equal(papers.length, found.results.length);
  const again = search.loaded.length;
  await search.search("sparse attention ", {}, 0, 10);
  assert.equal(search.loaded.length, again, "a repeated query is served from memory");
});

test("a long abstract's rest is fetched only when the match is in it", { skip }, async () => {
  const search = engine();
  const late = await search.search("zeppelin", {}, 0, 10);
  assert.ok(late.results[0].abstract.endsWith("the zeppelin crew."));
  assert.ok(search.loaded.some((path) => path.startsWith("r/")));
  const other = engine();
  const early = await other.search("long road production", {}, 0, 10);
  assert.equal(early.results[0].title, "The Long Road to Production");
  assert.ok(!other.loaded.some((path) => path.startsWith("r/")));
  assert.ok(!early.results[0].abstract.includes("zeppelin"));
});

test("terms sort as JavaScript compares strings, letters outside the BMP included", { skip }, async () => {
  for (const word of ["\ud840\udc00", "\ufa0e"]) {
    const found = await engine().search(word + " ", {}, 0, 10);
    assert.deepEqual(titles(found), ["\ud840\udc00 and \ufa0e: Two Rare Ideographs"]);
  }
});

test("an empty index finds nothing and fetches nothing but its manifest", async () => {
  const manifest = { format: 3, version: "v", docs: 0, shards: [], years: {}, topics: {}, block: 64, slots: [] };
  const loaded = [];
  const search = Engine.create({ baseUrl: "/", load: async (path) => {
    loaded.push(path);
    return new TextEncoder().encode(JSON.stringify(manifest));
  } });
  const found = await search.search("anything", {}, 0, 10);
  assert.deepEqual([found.total, found.results.length, loaded], [0, 0, ["manifest.bin"]]);
});

test("an index of another format is refused", async () => {
  const search = Engine.create({ baseUrl: "/", load: async () => new TextEncoder().encode('{"format": 99}') });
  await assert.rejects(search.search("x", {}, 0, 10), /format 99/);
});

test("an arXiv id finds its paper", { skip }, async () => {
  const found = await everything(engine(), "2312.00752");
  assert.deepEqual(titles(found), ["Mamba: Linear-Time Sequence Modeling with Selective State Spaces"]);
});

test("an author's name finds their papers, and a result names its first authors", { skip }, async () => {
  const found = await everything(engine(), "Tri Dao");
  assert.deepEqual(titles(found), ["Mamba: Linear-Time Sequence Modeling with Selective State Spaces"]);
  assert.equal(found.results[0].authors, "Albert Gu, Tri Dao");
  const many = await everything(engine(), "Binyuan Hui");
  assert.deepEqual(titles(many), ["A Report Written by Many"]);
  assert.equal(many.results[0].authors, "An Yang, Baosong Yang, Beichen Zhang et al.");
});

test("a paper without authors has none in its result", { skip }, async () => {
  const found = await engine().search("Attention Is All You Need", {}, 0, 10);
  assert.equal(found.results[0].authors, "");
});

for (const { text, parts } of compounds) {
  test(`a part finds its compound: ${text}`, { skip }, async () => {
    for (const [compound, part] of parts) {
      const found = await everything(engine(), part + " ");
      assert.ok(titles(found).includes(text), `${part} -> ${compound}`);
      assert.ok(found.highlight.words.includes(compound));
    }
    const quoted = await everything(engine(), `"${parts.length ? parts[0][1] : "plain"}"`);
    if (parts.length) assert.ok(!titles(quoted).includes(text) || T.tokenize(text).includes(parts[0][1]));
  });
}

test("an exact title match outranks a compound, which outranks an abstract match", { skip }, async () => {
  const found = await everything(engine(), "lora ");
  const lora = titles(found);
  assert.ok(lora.indexOf("LoRA-based tuning with INT8 and 10,000 GPUs") < lora.indexOf("QLoRA: Efficient Finetuning"));
  assert.ok(lora.includes("VeLoRAs for LLMs and VLMs"));
});

test("a quoted phrase keeps the papers with its words adjacent, in order", { skip }, async () => {
  const phrase = await everything(engine(), '"sparse attention"');
  assert.ok(phrase.results.length > 0);
  for (const result of phrase.results) {
    assert.ok(T.hasPhrase(T.tokenize(result.title), ["sparse", "attention"]) ||
      T.hasPhrase(T.tokenize(result.abstract), ["sparse", "attention"]), result.title);
  }
  const reversed = await everything(engine(), '"attention sparse"');
  const words = await everything(engine(), "attention sparse");
  assert.ok(reversed.results.length < words.results.length);
  assert.equal(reversed.exact, true);
});

test("results sort by date or upvotes over every match", { skip }, async () => {
  const byDate = await everything(engine(), "filler", { sort: "date" });
  const dates = byDate.results.map((r) => r.date || "");
  assert.deepEqual(dates, [...dates].sort().reverse());
  const byUpvotes = await everything(engine(), "filler", { sort: "upvotes" });
  const upvotes = byUpvotes.results.map((r) => r.upvotes ?? -1);
  assert.deepEqual(upvotes, [...upvotes].sort((a, b) => b - a));
  assert.equal(byUpvotes.results.length, byDate.results.length);
  const relevance = await everything(engine(), "filler");
  assert.equal(relevance.results.length, byDate.results.length);
});

test("a misspelt word gets a suggestion from the vocabulary, as written around it", { skip }, async () => {
  const search = engine();
  const found = await search.search("Atention mechanisms ", {}, 0, 10);
  assert.equal(found.suggestion, "attention mechanisms ".trim());
  assert.equal((await search.search("attention mechanisms ", {}, 0, 10)).suggestion, null);
  assert.equal((await search.search("zzzzzz", {}, 0, 10)).suggestion, null);
});
