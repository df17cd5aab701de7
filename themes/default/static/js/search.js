/* papersite search page: the same page and result markup for both engines.
 *
 * The page (search.html) names the engine, its index URL and the base URL in
 * data- attributes of form.search-form. `?q=&topic=&year=&sort=` runs on
 * load (`sort` is `date` or `upvotes`; relevance without it), the header's
 * search box shows the query too, and
 * the URL follows what the reader types (history.replaceState), so a search
 * can be shared. Typing is debounced; Enter, or changing a filter, searches
 * at once. Results are links in #results, in rank order; #search-status (a
 * live region) says how many there are, or that there are none; with the
 * built-in engine, also when no paper had every word as written (it then
 * matches longer words they begin, or shows the papers with most of them),
 * and #search-suggestion offers a corrected query ("Did you mean") as a link.
 *
 * Everything from the index is put in the page as text (textContent, DOM
 * nodes), never as HTML.
 */
(function () {
  "use strict";

  var form = document.querySelector("form.search-form[data-engine]");
  if (!form) return;

  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 200;
  var SNIPPET_CHARS = 240;
  var SNIPPET_LEAD = 60; /* characters of context before the first match */
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  var T = window.PapersiteText;
  var input = document.getElementById("search-query");
  var topicSelect = document.getElementById("search-topic");
  var yearSelect = document.getElementById("search-year");
  var sortSelect = document.getElementById("search-sort");
  var headerInput = document.getElementById("site-search-input");
  var suggestionLine = document.getElementById("search-suggestion");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var more = document.getElementById("search-more");
  var baseUrl = form.getAttribute("data-base-url");
  var indexUrl = form.getAttribute("data-index");
  var engine = form.getAttribute("data-engine") === "pagefind"
    ? pagefindEngine(indexUrl, baseUrl) : builtinEngine(indexUrl, baseUrl);

  var topicNames = {};
  Array.prototype.forEach.call(topicSelect.options, function (option) {
    if (option.value) topicNames[option.value] = option.textContent;
  });

  /* ---- Engines: search(query, {topic, year, sort}, offset, limit)
   *        -> {total, exact, partial, more, highlight: {words, prefixes}, suggestion, results} */

  /* `format`: "gzip" for a whole file, "deflate-raw" for a document record or rest. */
  async function inflate(body, format) {
    var stream = body.pipeThrough(new DecompressionStream(format));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  function builtinEngine(index, base) {
    return window.PapersiteSearchEngine.create({
      baseUrl: base,
      load: async function (path, version, range) {
        /* The manifest is revalidated; every other file carries its version. */
        var url = index + path + (version ? "?v=" + version : "");
        var init = version ? {} : { cache: "no-cache" };
        if (range) init.headers = { Range: "bytes=" + range[0] + "-" + (range[1] - 1) };
        var response = await fetch(url, init);
        if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
        if (!range) return inflate(response.body, "gzip");
        var bytes = new Uint8Array(await response.arrayBuffer());
        /* A host without range requests sends the whole file (200). */
        return response.status === 206 ? bytes : bytes.subarray(range[0], range[1]);
      },
      inflate: function (bytes) { return inflate(new Response(bytes).body, "deflate-raw"); },
    });
  }

  function pagefindEngine(index, base) {
    var ready = null;
    function init() {
      if (!ready) {
        ready = import(index + "pagefind.js").then(async function (pagefind) {
          await pagefind.options({ baseUrl: base });
          await pagefind.init();
          return pagefind;
        });
        ready.catch(function () { ready = null; });
      }
      return ready;
    }
    return {
      init: init,
      search: async function (query, filters, offset, limit) {
        var pagefind = await init();
        var options = { filters: {} };
        if (filters.topic) options.filters.topic = filters.topic;
        if (filters.year) options.filters.year = filters.year;
        var words = query.trim() ? query : null;
        if (!words && !filters.topic && !filters.year) {
          return { total: 0, exact: true, partial: false, more: false, results: [], highlight: typedTerms("") };
        }
        if (filters.sort === "date" || !words) options.sort = { date: "desc" };
        if (filters.sort === "upvotes") options.sort = { upvotes: "desc" };
        var found = await pagefind.search(words, options);
        var page = await Promise.all(found.results.slice(offset, offset + limit).map(function (result) {
          return result.data();
        }));
        return {
          total: found.results.length,
          exact: true,
          partial: false,
          highlight: typedTerms(query),
          more: offset + limit < found.results.length,
          suggestion: null,
          /* Sorted by date or upvotes, Pagefind's order stands. */
          results: byTier(filters.sort ? "" : query, page.map(function (data) {
            var title = data.meta.title || "";
            var content = data.content || "";
            /* The record is the title (its h1) followed by the abstract. */
            var abstract = content.startsWith(title) ? content.slice(title.length).replace(/^[\s.]+/, "") : content;
            var meta = data.meta;
            return {
              url: data.url,
              title: title,
              date: meta.date || null,
              topics: (data.filters && data.filters.topic) || [],
              upvotes: meta.upvotes ? Number(meta.upvotes) : null,
              upvotesKind: meta.upvotes_kind || "api",
              authors: meta.authors || "",
              org: meta.org ? { name: meta.org, url: base + "orgs/" + encodeURIComponent(meta.org_handle) + "/" } : null,
              abstract: abstract,
            };
          })),
        };
      },
    };
  }

  /* Within a page, an exact title first, then the query as a phrase, as the
   * built-in engine ranks (search-text.js); otherwise Pagefind's order. */
  function byTier(query, results) {
    var parsed = T.parseQuery(query);
    if (!parsed.terms.length) return results;
    return results.map(function (result, index) {
      return { tier: T.tier(parsed, result.title, result.abstract), index: index, result: result };
    }).sort(function (a, b) { return b.tier - a.tier || a.index - b.index; }).map(function (ranked) {
      return ranked.result;
    });
  }

  /* ---- Highlighting and snippets ------------------------------------------ */

  /* What Pagefind matched, as far as highlighting goes: every word, the last as a prefix. */
  function typedTerms(query) {
    var words = T.tokenize(query);
    var prefixes = /[\p{L}\p{N}]$/u.test(query) && words.length ? [words.pop()] : [];
    return { words: words, prefixes: prefixes };
  }

  /* Does a written word match? Its tokens against the terms that matched. */
  function wordMatcher(highlight) {
    var words = new Set(highlight.words);
    return function (word) {
      return word.tokens.some(function (token) {
        return words.has(token) || highlight.prefixes.some(function (prefix) { return token.startsWith(prefix); });
      });
    };
  }

  /* Append `text[start, end)` to `parent`, the matching words in <mark>. */
  function appendMarked(parent, text, start, end, words, matches) {
    var at = start;
    words.forEach(function (word) {
      if (word.start < start || word.end > end || !matches(word)) return;
      if (word.start > at) parent.appendChild(document.createTextNode(text.slice(at, word.start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(word.start, word.end);
      parent.appendChild(mark);
      at = word.end;
    });
    if (end > at) parent.appendChild(document.createTextNode(text.slice(at, end)));
  }

  /* Around the matches of the abstract, cut on word boundaries. */
  function snippet(parent, text, matches) {
    var words = T.words(text);
    var hits = words.filter(matches);
    var start = 0;
    if (hits.length) {
      /* Start before the match that has the most matches after it. */
      var best = 0;
      var bestCount = -1;
      hits.forEach(function (hit, i) {
        var count = 0;
        for (var j = i; j < hits.length && hits[j].end <= hit.start + SNIPPET_CHARS - SNIPPET_LEAD; j++) count++;
        if (count > bestCount) { best = i; bestCount = count; }
      });
      var from = hits[best].start - SNIPPET_LEAD;
      var first = words.find(function (word) { return word.start >= from; });
      start = from > 0 && first ? first.start : 0;
    }
    var end = text.length;
    if (end - start > SNIPPET_CHARS) {
      var inside = words.filter(function (word) { return word.start >= start && word.end <= start + SNIPPET_CHARS; });
      end = inside.length ? inside[inside.length - 1].end : start + SNIPPET_CHARS;
    }
    if (start > 0) parent.appendChild(document.createTextNode("… "));
    appendMarked(parent, text, start, end, words, matches);
    if (end < text.length) parent.appendChild(document.createTextNode(" …"));
  }

  function formatDate(iso) {
    var parts = iso.split("-");
    return MONTHS[Number(parts[1]) - 1] + " " + Number(parts[2]) + ", " + parts[0];
  }

  function resultItem(result, matches) {
    var item = document.createElement("li");
    item.className = "search-result";
    item.setAttribute("data-date", result.date || result.listed || "");
    var link = document.createElement("a");
    link.className = "search-result-link";
    link.href = result.url;
    appendMarked(link, result.title, 0, result.title.length, T.words(result.title), matches);
    if (result.id) {
      /* The reading list's button, as in every list: site.js shows it and keeps the list. */
      var head = item.appendChild(document.createElement("div"));
      head.className = "paper-head";
      head.appendChild(link);
      var save = head.appendChild(document.createElement("button"));
      save.type = "button";
      save.className = "save-button";
      save.hidden = true;
      save.setAttribute("data-id", result.id);
      save.setAttribute("aria-pressed", "false");
      save.textContent = "Save";
    } else {
      item.appendChild(link);
    }

    var meta = document.createElement("span");
    meta.className = "meta";
    function time(iso) {
      var element = document.createElement("time");
      element.dateTime = iso;
      element.textContent = formatDate(iso);
      return element;
    }
    if (result.date) {
      meta.appendChild(time(result.date));
    } else if (result.listed) {
      var listed = meta.appendChild(document.createElement("span"));
      listed.append("Listed ", time(result.listed));
    } else {
      meta.appendChild(document.createElement("span")).textContent = "undated";
    }
    if (result.upvotes !== null && result.upvotes !== undefined) {
      /* As the lists write it: the sign is for the eye, the words for screen readers. */
      var upvotes = meta.appendChild(document.createElement("span"));
      upvotes.className = "upvotes";
      var sign = upvotes.appendChild(document.createElement("span"));
      sign.setAttribute("aria-hidden", "true");
      sign.textContent = result.upvotesKind === "page" ? "# " : "\u25b2 ";
      upvotes.append(String(result.upvotes));
      var words = upvotes.appendChild(document.createElement("span"));
      words.className = "visually-hidden";
      words.textContent = result.upvotesKind === "page" ? " shown on a saved page"
        : result.upvotes === 1 ? " upvote" : " upvotes";
    }
    if (result.authors) {
      var authors = meta.appendChild(document.createElement("span"));
      authors.className = "authors";
      appendMarked(authors, result.authors, 0, result.authors.length, T.words(result.authors), matches);
    }
    if (result.org) {
      var org = meta.appendChild(document.createElement("a"));
      org.className = "org";
      org.href = result.org.url;
      org.textContent = result.org.name;
    }
    item.appendChild(meta);

    if (result.topics.length) {
      var chips = document.createElement("ul");
      chips.className = "chips";
      chips.setAttribute("aria-label", "Topics");
      result.topics.forEach(function (slug) {
        var chip = document.createElement("a");
        chip.className = "chip";
        chip.href = baseUrl + "topics/" + encodeURIComponent(slug) + "/";
        chip.textContent = topicNames[slug] || slug;
        chips.appendChild(document.createElement("li")).appendChild(chip);
      });
      item.appendChild(chips);
    }

    if (result.abstract) {
      var text = document.createElement("p");
      text.className = "search-snippet";
      snippet(text, result.abstract, matches);
      item.appendChild(text);
    }
    return item;
  }

  /* ---- The page ------------------------------------------------------------- */

  var latest = 0; /* only the newest search may touch the page */
  var shown = null; /* {query, filters, offset} of what #results shows */
  var timer = null;

  function current() {
    return { query: input.value,
             filters: { topic: topicSelect.value, year: yearSelect.value, sort: sortSelect.value } };
  }

  function searchParams(state) {
    var params = new URLSearchParams();
    if (state.query.trim()) params.set("q", state.query);
    if (state.filters.topic) params.set("topic", state.filters.topic);
    if (state.filters.year) params.set("year", state.filters.year);
    if (state.filters.sort) params.set("sort", state.filters.sort);
    var search = params.toString();
    return search ? "?" + search : "";
  }

  function syncUrl(state) {
    history.replaceState(null, "", location.pathname + searchParams(state) + location.hash);
    if (headerInput) headerInput.value = state.query;
  }

  /* "Did you mean <a>corrected query</a>?": a real link, which the page runs in place. */
  function showSuggestion(state, suggestion) {
    suggestionLine.replaceChildren();
    suggestionLine.hidden = !suggestion;
    if (!suggestion) return;
    var link = document.createElement("a");
    link.href = location.pathname + searchParams({ query: suggestion, filters: state.filters });
    link.textContent = suggestion;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      input.value = suggestion;
      now();
      input.focus();
    });
    suggestionLine.append("Did you mean ", link, "?");
  }

  function countText(found) {
    var count = found.total.toLocaleString("en") + (found.exact ? "" : "+");
    var text = count + (found.total === 1 && found.exact ? " result" : " results");
    if (found.partial) return "No paper has all of these words. " + text + " with some of them.";
    if (found.widened) return "No paper has all of these words as written. " + text + " with words that begin with them.";
    return text;
  }

  async function run(append) {
    var state = current();
    var offset = append ? shown.offset + PAGE_SIZE : 0;
    var ticket = ++latest;
    syncUrl(state);
    if (!state.query.trim() && !state.filters.topic && !state.filters.year) {
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "";
      showSuggestion(state, null);
      shown = null;
      return;
    }
    form.setAttribute("aria-busy", "true");
    var found;
    try {
      found = await engine.search(state.query, state.filters, offset, PAGE_SIZE);
    } catch (error) {
      if (ticket === latest) {
        form.removeAttribute("aria-busy");
        status.textContent = "Search is not available right now (" + error.message + ").";
      }
      return;
    }
    if (ticket !== latest) return;
    form.removeAttribute("aria-busy");
    var matches = wordMatcher(found.highlight);
    var items = found.results.map(function (result) { return resultItem(result, matches); });
    if (append) list.append.apply(list, items); else list.replaceChildren.apply(list, items);
    list.dispatchEvent(new CustomEvent("papersite:results", { bubbles: true }));
    shown = { offset: offset };
    more.hidden = !found.more;
    if (!append) showSuggestion(state, found.suggestion);
    if (!found.total && !found.results.length) {
      status.textContent = state.query.trim()
        ? "No results for “" + state.query.trim() + "”. Try fewer or other words."
        : "No papers match these filters.";
    } else {
      status.textContent = countText(found);
    }
    if (append && items.length) items[0].querySelector("a").focus();
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(function () { run(false); }, DEBOUNCE_MS);
  }

  function now() {
    clearTimeout(timer);
    run(false);
  }

  /* Select `value` in `select`, adding it if the page does not list it. */
  function choose(select, value) {
    if (!value) return;
    var known = Array.prototype.some.call(select.options, function (option) { return option.value === value; });
    if (!known) select.add(new Option(value, value));
    select.value = value;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    now();
  });
  input.addEventListener("input", later);
  topicSelect.addEventListener("change", now);
  yearSelect.addEventListener("change", now);
  sortSelect.addEventListener("change", now);
  more.addEventListener("click", function () { run(true); });

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  choose(topicSelect, params.get("topic"));
  choose(yearSelect, params.get("year"));
  sortSelect.value = ["date", "upvotes"].indexOf(params.get("sort")) !== -1 ? params.get("sort") : "";
  var filters = form.querySelector(".search-filters"); /* shown and sent only with JavaScript */
  filters.hidden = false;
  filters.disabled = false;
  if (engine.init) engine.init().catch(function () { /* reported by the first search */ });
  run(false);
})();
