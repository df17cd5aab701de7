/* papersite search: the rules of text, shared by the built-in engine and
 * the search page of both engines: the tokeniser, how a query is read, and
 * how well a paper's title and abstract match it.
 *
 * It must give exactly the tokens that generator/search.py gives, for any
 * text: tests/search_vectors.json is asserted against both, and a test
 * compares the two over every Unicode code point. The steps, in order:
 *
 *   1. fold: NFKD, drop combining marks, NFC (so NFKC without accents:
 *      "Schrödinger" = "schrodinger", "ﬁ" = "fi"), lower case, then
 *      "ß" -> "ss" and "ς" -> "σ" (what case folding adds to lower case);
 *   2. digit groups: a comma between a digit and exactly three digits goes
 *      ("10,000" -> "10000");
 *   3. an apostrophe between two letters or digits goes ("model's" ->
 *      "models");
 *   4. tokens are runs of letters and digits, and a dot between two digits
 *      stays inside one ("int8", "t5", "3.5", "gpt", "4o");
 *   5. a light English stemmer for plurals on tokens of letters a-z only.
 *
 * A classic script (window.PapersiteText) and a CommonJS module (tests).
 */
(function (root) {
  "use strict";

  var NOT_ASCII = /[^\x00-\x7f]/;
  var MARKS = /\p{M}+/gu;
  var DIGIT_GROUP = /(?<=[0-9]),(?=[0-9]{3}(?![0-9]))/g;
  var APOSTROPHE = /(?<=[\p{L}\p{N}])['\u2019](?=[\p{L}\p{N}])/gu;
  var TOKEN = /[\p{L}\p{N}]+(?:(?<=[0-9])\.(?=[0-9])[\p{L}\p{N}]+)*/gu;
  /* A word as it is written, for highlighting: marks, apostrophes and the
   * separators inside numbers included, so that its span covers the text a
   * reader sees as one word. */
  var WORD = /[\p{L}\p{N}\p{M}]+(?:['\u2019.,][\p{L}\p{N}\p{M}]+)*/gu;
  var LETTERS = /^[a-z]+$/;
  var MIN_PREFIX = 2; /* a shorter last term is matched exactly */

  function fold(text) {
    if (NOT_ASCII.test(text)) {
      text = text.normalize("NFKD").replace(MARKS, "").normalize("NFC");
    }
    return text.toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ");
  }

  /* Plurals only: "models" -> "model", "studies" -> "study", "classes" -> "class". */
  function stem(token) {
    if (token.length < 4 || !LETTERS.test(token)) return token;
    if (token.length > 4 && token.endsWith("ies")) return token.slice(0, -3) + "y";
    if (/(?:sses|xes|ches|shes)$/.test(token)) return token.slice(0, -2);
    if (token.endsWith("s") && !/(?:ss|is)$/.test(token) && (token.length === 4 || !token.endsWith("us"))) {
      return token.slice(0, -1); /* gpus -> gpu, but corpus */
    }
    return token;
  }

  function tokenize(text) {
    var folded = fold(text).replace(DIGIT_GROUP, "").replace(APOSTROPHE, "");
    return (folded.match(TOKEN) || []).map(stem);
  }

  /* The written words of `text`: [{start, end, tokens}], in order. */
  function words(text) {
    var found = [];
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      found.push({ start: match.index, end: match.index + match[0].length, tokens: tokenize(match[0]) });
    }
    return found;
  }

  /* {terms, prefix, quoted, phrases}: the query's tokens; whether the last one
   * is still being typed; per term, whether it was in double quotes (matched
   * as written, no longer words); and the quoted runs of two or more terms,
   * which must be adjacent in a paper. An unclosed quote runs to the end. */
  function parseQuery(query) {
    var terms = [];
    var quoted = [];
    var phrases = [];
    query.split('"').forEach(function (segment, index) {
      var tokens = tokenize(segment);
      var inQuotes = index % 2 === 1;
      tokens.forEach(function (token) {
        terms.push(token);
        quoted.push(inQuotes);
      });
      if (inQuotes && tokens.length > 1) phrases.push(tokens);
    });
    var last = terms.length ? terms[terms.length - 1] : "";
    var typing = !quoted[terms.length - 1] && /[\p{L}\p{N}]$/u.test(query);
    return { terms: terms, prefix: typing && last.length >= MIN_PREFIX, quoted: quoted, phrases: phrases };
  }

  /* Is `phrase` (terms) a run of `tokens`? */
  function hasPhrase(tokens, phrase) {
    for (var start = 0; start + phrase.length <= tokens.length; start++) {
      var i = 0;
      while (i < phrase.length && tokens[start + i] === phrase[i]) i++;
      if (i === phrase.length) return true;
    }
    return false;
  }

  /* Does `token` match query term `index`? The last one may be a prefix, and
   * `parsed.compounds` (if given) lists, per term, the compound words that
   * count as it ("qlora" for "lora"). */
  function matcher(parsed) {
    var lastIndex = parsed.terms.length - 1;
    return function (token, index) {
      var term = parsed.terms[index];
      if (parsed.compounds && parsed.compounds[index].indexOf(token) !== -1) return true;
      return parsed.prefix && index === lastIndex ? token.startsWith(term) : token === term;
    };
  }

  function phraseAt(tokens, start, parsed, matches) {
    for (var i = 0; i < parsed.terms.length; i++) {
      if (start + i >= tokens.length || !matches(tokens[start + i], i)) return false;
    }
    return true;
  }

  function containsPhrase(tokens, parsed, matches) {
    for (var start = 0; start + parsed.terms.length <= tokens.length; start++) {
      if (phraseAt(tokens, start, parsed, matches)) return true;
    }
    return false;
  }

  /* Is every term of the query in one of the names of `authors` ("Ada
   * Lovelace, Alan Turing et al."), in any order: "Tri Dao", "Dao Tri"? */
  function namesAnAuthor(parsed, authors, matches) {
    return authors.split(/,| et al\./).some(function (name) {
      var tokens = tokenize(name);
      return parsed.terms.every(function (term, index) {
        return tokens.some(function (token) { return matches(token, index); });
      });
    });
  }

  /* 3: the title is the query; 2: the query is a phrase in the title; 1: every
   * term is in the title, or the query is a phrase in the abstract, or names
   * one of the authors; else 0. */
  function tier(parsed, title, abstract, authors) {
    var matches = matcher(parsed);
    var titleTokens = tokenize(title);
    if (titleTokens.length === parsed.terms.length && phraseAt(titleTokens, 0, parsed, matches)) return 3;
    if (containsPhrase(titleTokens, parsed, matches)) return 2;
    var everyInTitle = parsed.terms.every(function (term, index) {
      return titleTokens.some(function (token) { return matches(token, index); });
    });
    if (everyInTitle || containsPhrase(tokenize(abstract), parsed, matches) ||
        (authors && namesAnAuthor(parsed, authors, matches))) return 1;
    return 0;
  }

  var api = { fold: fold, stem: stem, tokenize: tokenize, words: words, parseQuery: parseQuery,
              hasPhrase: hasPhrase, tier: tier };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.PapersiteText = api;
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
