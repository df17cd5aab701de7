/* papersite search: the built-in engine, over the index that
 * generator/search.py writes to /search-index/ (its docstring describes the
 * files). No DOM here: the page script (search.js) gives it a loader that
 * fetches index files (whole and inflated, or a range of bytes as stored)
 * and an inflater, and the tests give it ones that read them from disk.
 *
 * A query is a list of terms; with `prefix`, the last one is still being
 * typed and also matches the most frequent terms that begin with it. Every
 * term must match (AND); when no paper has them all, every term also matches
 * the terms it begins (`widened`), and failing that the papers with most of
 * the terms are returned (`partial`). Ranking happens twice:
 *   1. over all matches, from the postings: papers with every term in the
 *      title first, then by BM25F score (title-boosted), then newest;
 *   2. within each page of results, from the papers' text: an exact title
 *      match first, then the query as a phrase in the title, then every term
 *      in the title or the phrase in the abstract, then the rest.
 * A term's shard holds only its best postings; its tail (the rest) is
 * fetched when the best postings of the query's terms cannot fill the page
 * asked for. Until then the count is a lower bound ("120+ results"), but for
 * a single term, whose document frequency is the count.
 */
(function (root) {
  "use strict";

  var T = typeof module === "object" && module.exports
    ? require("./search-text.js") : root.PapersiteText;

  var PREFIX_TERMS = 8; /* completions of the term being typed, most frequent first */
  var PREFIX_WEIGHT = 0.8; /* a completion scores this much of an exact match */
  var PREFIX_SHARDS = 2; /* completions are looked for in this many shards at most */
  var WIDEN_MIN = 4; /* when no paper has every term, terms this long match their completions */
  var TITLE_BONUS = 127; /* added to a posting's weight (1..127) in a title: it outranks any abstract match */
  var COMPOUND_WEIGHT = 0.7; /* a compound word ("qlora" for "lora") scores this much of an exact match */
  var PHRASE_CHECKS = 200; /* papers read at most, per page of results, to check a quoted phrase */
  var SUGGEST_DF = 3; /* a word in this many papers or fewer may be a misspelling... */
  var SUGGEST_GAIN = 10; /* ... of a word within two edits in this many times as many */
  var UPVOTE_BLOCK = 4096; /* documents per upvotes file (u/<n>.bin) */
  var FORMAT = 3;

  var utf8 = new TextDecoder();

  function Reader(bytes) {
    this.bytes = bytes;
    this.at = 0;
  }
  Reader.prototype.varint = function () {
    var value = 0;
    var shift = 0;
    var byte;
    do {
      byte = this.bytes[this.at++];
      value += (byte & 127) * Math.pow(2, shift);
      shift += 7;
    } while (byte & 128);
    return value;
  };
  Reader.prototype.take = function (length) {
    var slice = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return slice;
  };
  Reader.prototype.docs = function (count) {
    var docs = new Uint32Array(count);
    var doc = 0;
    for (var i = 0; i < count; i++) {
      doc += this.varint();
      docs[i] = doc;
    }
    return docs;
  };

  /* term -> {term, df, docs, weights, tail: null | {id, inTitle, other} (the tail's mean weights),
   *          compound: null | {term, df, docs, weights, tail: null, names}}: the postings of
   * the compound words `names` that the term is a part of, for the papers without the term. */
  function parseShard(bytes) {
    var reader = new Reader(bytes);
    var terms = new Map();
    for (var n = reader.varint(); n > 0; n--) {
      var term = utf8.decode(reader.take(reader.varint()));
      var df = reader.varint();
      var head = reader.varint();
      var tail = null;
      if (head < df) {
        tail = { id: reader.varint(), inTitle: reader.bytes[reader.at], other: reader.bytes[reader.at + 1] };
        reader.at += 2;
      }
      var docs = reader.docs(head);
      var weights = reader.take(head);
      var names = [];
      for (var c = reader.varint(); c > 0; c--) names.push(utf8.decode(reader.take(reader.varint())));
      var compound = null;
      if (names.length) {
        var compoundDf = reader.varint();
        var count = reader.varint();
        compound = { term: term, df: compoundDf, docs: reader.docs(count), weights: reader.take(count),
                     tail: null, names: names };
      }
      terms.set(term, { term: term, df: df, docs: docs, weights: weights, tail: tail, compound: compound });
    }
    return terms;
  }

  /* {without, docs, inTitle}: the tail's documents or, if `without`, those
   * without the term; and the tail's documents with the term in their title. */
  function parseTail(bytes) {
    var reader = new Reader(bytes);
    var without = reader.bytes[reader.at++] === 1;
    var docs = reader.docs(reader.varint());
    return { without: without, docs: docs, inTitle: new Set(reader.docs(reader.varint())) };
  }

  /* The index position of the shard that holds `term`: the last one whose first term is <= it. */
  function shardOf(boundaries, term) {
    var low = 0;
    var high = boundaries.length - 1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (boundaries[middle] <= term) low = middle; else high = middle - 1;
    }
    return low;
  }

  function idf(docCount, df) {
    return Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
  }

  /**
   * options.load(path, version) -> Promise<Uint8Array>: an index file, inflated;
   * options.load(path, version, [start, end]) -> Promise<Uint8Array>: bytes
   *   start..end (exclusive) of it as stored (a document slot or an abstract's rest);
   * options.inflate(bytes) -> Promise<Uint8Array>: raw deflate data, inflated.
   * options.baseUrl: the site's base URL ("/" or "/sub/"), put before paper URLs.
   */
  function create(options) {
    var files = new Map(); /* path, or path#start-end for a part, -> Promise of it parsed */
    var manifest = null;

    /* What load() promises, kept under `key`: everything is fetched once. */
    function once(key, load) {
      if (!files.has(key)) {
        var loading = load();
        loading.catch(function () { files.delete(key); }); /* a failed fetch may be retried */
        files.set(key, loading);
      }
      return files.get(key);
    }

    /* The file at `path`, parsed. */
    function file(path, parse) {
      return once(path, function () {
        return manifest.then(function (m) { return options.load(path, m.version); }).then(parse);
      });
    }

    /* Bytes start..end (exclusive) of the file at `path`, parsed. */
    function part(path, start, end, parse) {
      return once(path + "#" + start + "-" + end, function () {
        return manifest.then(function (m) { return options.load(path, m.version, [start, end]); }).then(parse);
      });
    }

    function init() {
      if (!manifest) {
        manifest = options.load("manifest.bin", null).then(function (bytes) {
          var m = JSON.parse(utf8.decode(bytes));
          if (m.format !== FORMAT) throw new Error("search index format " + m.format + " is not " + FORMAT);
          return m;
        });
        manifest.catch(function () { manifest = null; });
      }
      return manifest;
    }

    function shard(index) {
      return file("s/" + index + ".bin", parseShard);
    }

    /* The groups of entries a query needs, one per term: the term itself, the
     * compound words it is a part of (unless quoted) and, for a prefix, its
     * most frequent completions. `widen` makes every unquoted term of
     * WIDEN_MIN letters or more a prefix. Each wanted term also learns its
     * document frequency (`df`) and the compounds it matched (`compounds`). */
    async function groups(m, parsed, widen) {
      var wanted = [];
      parsed.terms.forEach(function (term, index) {
        var quoted = parsed.quoted[index];
        var prefix = !quoted && ((parsed.prefix && index === parsed.terms.length - 1) ||
          (widen && term.length >= WIDEN_MIN));
        if (!wanted.some(function (w) { return w.term === term && w.prefix === prefix && w.quoted === quoted; })) {
          wanted.push({ term: term, prefix: prefix, quoted: quoted, df: 0, compounds: [] });
        }
      });
      var found = await Promise.all(wanted.map(async function (w) {
        var term = w.term;
        var first = shardOf(m.shards, term);
        var exact = (await shard(first)).get(term);
        var entries = exact && exact.df ? [{ entry: exact, weight: 1, full: true, bonus: TITLE_BONUS }] : [];
        w.df = exact ? exact.df : 0;
        if (exact && exact.compound && !w.quoted) {
          entries.push({ entry: exact.compound, weight: COMPOUND_WEIGHT, full: false, bonus: TITLE_BONUS });
          w.compounds = exact.compound.names;
        }
        if (!w.prefix) return entries;
        var completions = [];
        for (var s = first; s < m.shards.length && s < first + PREFIX_SHARDS; s++) {
          if (s > first && !m.shards[s].startsWith(term)) break;
          (await shard(s)).forEach(function (entry, other) {
            if (other !== term && entry.df && other.startsWith(term)) completions.push(entry);
          });
        }
        completions.sort(function (a, b) { return b.df - a.df || (a.term < b.term ? -1 : 1); });
        completions.slice(0, PREFIX_TERMS).forEach(function (entry) {
          entries.push({ entry: entry, weight: PREFIX_WEIGHT, full: false, bonus: 0 });
        });
        return entries;
      }));
      found.wanted = wanted;
      return found;
    }

    /* doc -> [score, in title] over a group's entries (the best entry wins: one
     * in the title, then the higher score). A posting in a title scores
     * TITLE_BONUS more than its weight, so a title match of a term (or of a
     * compound of it) outranks its abstract matches, however often the
     * abstract repeats it; a completion of a word being typed has no bonus,
     * so that it does not outrank the word itself ("wei" is not "weights").
     * The entries of a prefix share one IDF, that of all of them together, so
     * that a rare completion does not outrank the common one being typed. */
    function groupScores(m, group, tails) {
      var best = new Map();
      function add(doc, score, inTitle) {
        var seen = best.get(doc);
        if (!seen || seen[1] < inTitle || (seen[1] === inTitle && seen[0] < score)) best.set(doc, [score, inTitle]);
      }
      var df = 0;
      group.forEach(function (item) { df += item.entry.df; });
      var weight = idf(m.docs, Math.min(m.docs, df)) / 127;
      group.forEach(function (item) {
        var entry = item.entry;
        var scale = item.weight * weight;
        for (var i = 0; i < entry.docs.length; i++) {
          var inTitle = entry.weights[i] >> 7;
          add(entry.docs[i], scale * ((entry.weights[i] & 127) + inTitle * item.bonus), inTitle);
        }
        var tail = tails && item.full && entry.tail && tails.get(entry.tail.id);
        if (!tail) return;
        var addTail = function (doc) {
          if (tail.inTitle.has(doc)) add(doc, scale * (entry.tail.inTitle + item.bonus), 1);
          else add(doc, scale * entry.tail.other, 0);
        };
        if (!tail.without) {
          tail.docs.forEach(addTail);
          return;
        }
        var skip = new Uint8Array(m.docs); /* every document but these and the head */
        tail.docs.forEach(function (doc) { skip[doc] = 1; });
        entry.docs.forEach(function (doc) { skip[doc] = 1; });
        for (var doc = 0; doc < m.docs; doc++) {
          if (!skip[doc]) addTail(doc);
        }
      });
      return best;
    }

    /* A test of a document number for the year and topic filters, or null. */
    async function filterOf(m, filters) {
      var has = Object.prototype.hasOwnProperty;
      var year = filters.year ? (has.call(m.years, filters.year) ? m.years[filters.year] : [0, 0]) : null;
      var topic = null;
      if (filters.topic) {
        topic = new Set(has.call(m.topics, filters.topic) ? await file("f/" + filters.topic + ".bin", function (bytes) {
          var reader = new Reader(bytes);
          return reader.docs(reader.varint());
        }) : []);
      }
      if (!year && !topic) return null;
      return function (doc) {
        return (!year || (doc >= year[0] && doc < year[1])) && (!topic || topic.has(doc));
      };
    }

    /* Every match, best first: {ranked: [{doc, score, inTitle, terms}], total, exact, widened, partial}.
     * Papers with every term; failing that, with every term or a completion
     * of it (widened); failing that, with some of the terms (partial). */
    async function match(m, parsed, keep, wanted) {
      var found = await matchAll(m, parsed, keep, wanted, false);
      var widened = !found.ranked.length && parsed.terms.length > 1;
      if (widened) found = await matchAll(m, parsed, keep, wanted, true);
      var partial = !found.ranked.length && found.groups.length > 1;
      if (partial) {
        found.ranked = union(found.scored, keep);
        found.total = found.ranked.length;
      }
      found.ranked.sort(function (a, b) {
        return b.terms - a.terms || b.inTitle - a.inTitle || b.score - a.score || b.doc - a.doc;
      });
      found.widened = widened && !partial;
      found.partial = partial;
      return found;
    }

    /* The papers with every term (or a completion of it): from the terms'
     * best postings when those give the `wanted` number of results, else from
     * all their postings. (Stopping as soon as some tails fill the page would
     * fetch less, but rank worse: on 100,000 papers, 83% of title queries found
     * their paper instead of 97%.) */
    async function matchAll(m, parsed, keep, wanted, widen) {
      var all = await groups(m, parsed, widen);
      var entries = all.filter(function (group) { return group.length > 0; });
      var found = {
        groups: all,
        scored: entries.map(function (group) { return groupScores(m, group, null); }),
        highlight: {
          words: all.wanted.reduce(function (words, w) {
            return words.concat(w.prefix ? [] : [w.term], w.compounds);
          }, []),
          prefixes: all.wanted.filter(function (w) { return w.prefix; }).map(function (w) { return w.term; }),
        },
        wanted: all.wanted,
      };
      var items = entries.flat();
      var everyTerm = entries.length === all.length;
      found.ranked = everyTerm ? intersect(found.scored, keep) : [];
      /* A compound's postings are its best ones; the rest are left out. */
      var cut = function (item) { return !item.entry.tail && item.entry.docs.length < item.entry.df; };
      var truncated = items.some(function (item) { return item.entry.tail || cut(item); });
      /* One term and no filter: the document frequency is the exact count. */
      var single = items.length === 1 && keep === null ? items[0].entry.df : 0;
      found.total = single || found.ranked.length;
      found.exact = !truncated || single > 0;
      found.complete = !truncated; /* whether `ranked` holds every match */
      if (!everyTerm || !truncated || found.ranked.length >= wanted) return found;
      var tails = new Map();
      await Promise.all(items.map(async function (item) {
        var tail = item.entry.tail;
        if (tail && item.full) tails.set(tail.id, await file("t/" + tail.id + ".bin", parseTail));
      }));
      found.scored = entries.map(function (group) { return groupScores(m, group, tails); });
      found.ranked = intersect(found.scored, keep);
      found.total = single || found.ranked.length;
      /* A completion of a prefix, or a compound, keeps to its best postings. */
      found.complete = !items.some(function (item) { return (item.entry.tail && !item.full) || cut(item); });
      found.exact = single > 0 || found.complete;
      return found;
    }

    /* The papers in every group, with their summed scores and whether every group hit the title. */
    function intersect(scored, keep) {
      scored = scored.slice().sort(function (a, b) { return a.size - b.size; });
      var ranked = [];
      scored[0].forEach(function (first, doc) {
        if (keep && !keep(doc)) return;
        var score = first[0];
        var inTitle = first[1];
        for (var g = 1; g < scored.length; g++) {
          var other = scored[g].get(doc);
          if (!other) return;
          score += other[0];
          inTitle += other[1];
        }
        ranked.push({ doc: doc, score: score, inTitle: inTitle === scored.length ? 1 : 0, terms: scored.length });
      });
      return ranked;
    }

    /* When no paper has every term: the papers with some of them, most terms first. */
    function union(scored, keep) {
      var hits = new Map();
      scored.forEach(function (group) {
        group.forEach(function (value, doc) {
          if (keep && !keep(doc)) return;
          var hit = hits.get(doc);
          if (!hit) hits.set(doc, hit = { doc: doc, score: 0, inTitle: 0, terms: 0 });
          hit.score += value[0];
          hit.terms += 1;
        });
      });
      return Array.from(hits.values());
    }

    function newestFirst(m, keep) {
      var ranked = [];
      for (var doc = m.docs - 1; doc >= 0; doc--) {
        if (keep(doc)) ranked.push({ doc: doc, score: 0, inTitle: 0, terms: 0 });
      }
      return { ranked: ranked, total: ranked.length, exact: true, complete: true, widened: false,
               partial: false, highlight: { words: [], prefixes: [] } };
    }

    /* A document's record, from its slot in its block: the record's length, the
     * offset and length of its abstract's rest in r/<block>.bin, the deflated record. */
    function documentFile(doc) {
      return manifest.then(function (m) {
        var block = Math.floor(doc / m.block);
        var size = m.slots[block];
        var start = (doc % m.block) * size;
        return part("d/" + block + ".bin", start, start + size, async function (bytes) {
          var reader = new Reader(bytes);
          var length = reader.varint();
          var restAt = reader.varint();
          var restLength = reader.varint();
          var record = JSON.parse(utf8.decode(await options.inflate(reader.take(length))));
          record.rest = restLength ? { path: "r/" + block + ".bin", start: restAt, end: restAt + restLength } : null;
          return record;
        });
      });
    }

    async function abstractRest(doc) {
      var rest = (await documentFile(doc)).rest;
      return part(rest.path, rest.start, rest.end, async function (bytes) {
        return utf8.decode(await options.inflate(bytes));
      });
    }

    /* A result: the paper's document file and, if the query's terms are not
     * all in its title and the abstract's start, the rest of its abstract. */
    async function paper(doc, wanted) {
      var d = await documentFile(doc);
      var abstract = d.a;
      if (d.rest && !explained(wanted, d.t + " " + d.a + " " + (d.w || ""))) abstract += await abstractRest(doc);
      return { url: options.baseUrl + d.u.replace(/^\//, ""), title: d.t, date: d.d, topics: d.c,
               id: d.i, listed: d.l || null, upvotes: d.v === undefined ? null : d.v, upvotesKind: d.k || "api",
               org: d.o ? { name: d.o, url: options.baseUrl + "orgs/" + encodeURIComponent(d.h) + "/" } : null,
               authors: d.w || "", abstract: abstract };
    }

    /* Is every wanted term (or a compound of it, or a completion) in `text`? */
    function explained(wanted, text) {
      var tokens = T.tokenize(text);
      return wanted.every(function (w) {
        return tokens.some(function (token) {
          return token === w.term || w.compounds.indexOf(token) !== -1 || (w.prefix && token.startsWith(w.term));
        });
      });
    }

    /* Does the paper have every phrase, each within its title, abstract or authors? */
    async function hasPhrases(doc, phrases) {
      var d = await documentFile(doc);
      var inFields = function (fields) {
        var tokens = fields.map(T.tokenize);
        return phrases.every(function (phrase) {
          return tokens.some(function (field) { return T.hasPhrase(field, phrase); });
        });
      };
      if (inFields([d.t, d.a, d.w || ""])) return true;
      return d.rest ? inFields([d.a + (await abstractRest(doc))]) || false : false;
    }

    /* The first `needed` hits with every quoted phrase, reading PHRASE_CHECKS
     * papers beyond them at most: {hits, checked: whether every hit was read}. */
    async function withPhrases(ranked, phrases, needed) {
      var hits = [];
      var at = 0;
      var stop = Math.min(ranked.length, needed + PHRASE_CHECKS);
      while (hits.length < needed && at < stop) {
        var batch = ranked.slice(at, Math.min(stop, at + 20));
        at += batch.length;
        var ok = await Promise.all(batch.map(function (hit) { return hasPhrases(hit.doc, phrases); }));
        batch.forEach(function (hit, i) { if (ok[i]) hits.push(hit); });
      }
      return { hits: hits, checked: at === ranked.length };
    }

    /* doc -> upvotes + 1 (0 for none), for the documents of `ranked`. */
    async function upvotesOf(ranked) {
      var blocks = new Set(ranked.map(function (hit) { return Math.floor(hit.doc / UPVOTE_BLOCK); }));
      var votes = new Map();
      await Promise.all(Array.from(blocks, async function (block) {
        var values = await file("u/" + block + ".bin", function (bytes) {
          var reader = new Reader(bytes);
          var read = [];
          while (reader.at < bytes.length) read.push(reader.varint());
          return read;
        });
        values.forEach(function (value, i) { votes.set(block * UPVOTE_BLOCK + i, value); });
      }));
      return votes;
    }

    /* Papers with more of the terms stay first; then the newest, or the most upvoted. */
    async function sortBy(ranked, sort) {
      if (sort === "date") {
        ranked.sort(function (a, b) { return b.terms - a.terms || b.doc - a.doc; });
      } else if (sort === "upvotes") {
        var votes = await upvotesOf(ranked);
        ranked.sort(function (a, b) {
          return b.terms - a.terms || votes.get(b.doc) - votes.get(a.doc) || b.score - a.score || b.doc - a.doc;
        });
      }
    }

    /* Damerau-Levenshtein distance (adjacent transpositions count one), or
     * `limit + 1` as soon as it must exceed `limit`. */
    function distance(a, b, limit) {
      if (Math.abs(a.length - b.length) > limit) return limit + 1;
      var previous2 = null;
      var previous = [];
      for (var j = 0; j <= b.length; j++) previous.push(j);
      for (var i = 1; i <= a.length; i++) {
        var row = [i];
        var best = i;
        for (j = 1; j <= b.length; j++) {
          var cost = a[i - 1] === b[j - 1] ? 0 : 1;
          var value = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
          if (previous2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
            value = Math.min(value, previous2[j - 2] + 1);
          }
          row.push(value);
          best = Math.min(best, value);
        }
        if (best > limit) return limit + 1;
        previous2 = previous;
        previous = row;
      }
      return previous[b.length];
    }

    /* "Did you mean": the query with each word that matched nothing (or, when
     * no paper had every word, a word in SUGGEST_DF papers or fewer) replaced
     * by the most frequent term within one edit (two for words of five letters
     * or more) among the terms of its shard and the two beside it, if that
     * term is in SUGGEST_GAIN times as many papers; or null. */
    async function suggestion(m, query, found) {
      var weak = !found.ranked.length || found.partial || found.widened;
      var replace = new Map();
      await Promise.all(found.wanted.map(async function (w, index) {
        var missing = found.groups[index].length === 0;
        if (w.quoted || !(missing || (weak && w.df <= SUGGEST_DF)) || replace.has(w.term)) return;
        if (!/^\p{L}+$/u.test(w.term)) return;
        var limit = w.term.length >= 5 ? 2 : 1;
        var least = Math.max(2, SUGGEST_GAIN * w.df);
        var first = shardOf(m.shards, w.term);
        var best = null;
        for (var s = Math.max(0, first - 1); s <= Math.min(m.shards.length - 1, first + 1); s++) {
          (await shard(s)).forEach(function (entry, term) {
            if (entry.df < least || term === w.term) return;
            var d = distance(w.term, term, limit);
            if (d > limit) return;
            if (!best || d < best.d || (d === best.d && (entry.df > best.df || (entry.df === best.df && term < best.term)))) {
              best = { term: term, d: d, df: entry.df };
            }
          });
        }
        if (best) replace.set(w.term, best.term);
      }));
      if (!replace.size) return null;
      var text = "";
      var at = 0;
      T.words(query).forEach(function (word) {
        if (word.tokens.length === 1 && replace.has(word.tokens[0])) {
          text += query.slice(at, word.start) + replace.get(word.tokens[0]);
          at = word.end;
        }
      });
      return (text + query.slice(at)).trim();
    }

    /**
     * search("words", {topic, year, sort}, offset, limit)
     *   -> {total, exact, widened, partial, more, highlight: {words, prefixes}, suggestion, results}:
     * `exact` says whether `total` is the count or a lower bound; `widened`
     * that words also matched longer words they begin ("idiom" "idiomatic"),
     * as no paper had every word as written; `partial` that no paper has
     * every word even so (these have some); `more` whether a later page has
     * results; `highlight` the terms that matched whole and as prefixes;
     * `suggestion` a corrected query ("Did you mean") or null. `sort` is
     * "date" (newest first) or "upvotes" (most first); otherwise by relevance.
     * Words in double quotes must be adjacent and match as written. Without
     * words, a filter lists its papers newest first.
     */
    async function search(query, filters, offset, limit) {
      var m = await init();
      var parsed = T.parseQuery(query);
      var keep = await filterOf(m, filters);
      var sort = filters.sort === "date" || filters.sort === "upvotes" ? filters.sort : "";
      if ((!parsed.terms.length && !keep) || !m.docs) {
        return { total: 0, exact: true, widened: false, partial: false, more: false, results: [],
                 suggestion: null, highlight: { words: [], prefixes: [] } };
      }
      /* Another order than relevance needs every match, tails included. */
      var wanted = sort ? Infinity : offset + limit;
      var found = parsed.terms.length ? await match(m, parsed, keep, wanted) : newestFirst(m, keep);
      var ranked = found.ranked;
      await sortBy(ranked, sort);
      var total = found.total;
      var exact = found.exact;
      var complete = found.complete;
      if (parsed.phrases.length) {
        var checked = await withPhrases(ranked, parsed.phrases, offset + limit + 1);
        ranked = checked.hits;
        complete = complete && checked.checked;
        exact = complete;
        total = ranked.length;
      }
      var page = ranked.slice(offset, offset + limit);
      if (found.wanted) {
        parsed.compounds = parsed.terms.map(function (term, index) {
          var w = found.wanted.find(function (w) { return w.term === term && w.quoted === parsed.quoted[index]; });
          return w ? w.compounds : [];
        });
      }
      var papers = await Promise.all(page.map(function (hit) { return paper(hit.doc, found.wanted || []); }));
      var results = page.map(function (hit, i) {
        var p = papers[i];
        return { hit: hit, tier: parsed.terms.length && !sort ? T.tier(parsed, p.title, p.abstract, p.authors) : 0,
                 paper: p };
      });
      if (!sort) {
        results.sort(function (a, b) {
          return b.hit.terms - a.hit.terms || b.tier - a.tier || b.hit.score - a.hit.score || b.hit.doc - a.hit.doc;
        });
      }
      return {
        total: total,
        exact: exact,
        widened: found.widened,
        partial: found.partial,
        highlight: found.highlight,
        suggestion: parsed.terms.length && offset === 0 ? await suggestion(m, query, found) : null,
        more: offset + limit < ranked.length || (!complete && page.length === limit),
        results: results.map(function (r) { return r.paper; }),
      };
    }

    return { init: init, search: search };
  }

  var api = { create: create, shardOf: shardOf };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.PapersiteSearchEngine = api;
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
