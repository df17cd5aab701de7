/* papersite default theme script.
 *
 * Loaded with `defer` on every page, so the DOM is parsed when it runs.
 * It must never throw and must work without any other script. Keep it
 * dependency-free, and add no inline scripts or styles to the templates
 * (the Content-Security-Policy forbids them). Each feature below starts in
 * its own `run(...)`, so a fault in one leaves the others working, and is
 * reported on the console (which the browser tests fail on).
 *
 * Everything the reader chooses stays in this browser, in localStorage:
 *   papersite.hiddenTopics    JSON array of topic slugs
 *   papersite.mutedWords      JSON array of words or phrases
 *   papersite.highlightWords  JSON array of words or phrases
 *   papersite.readingList     JSON array of {id, title, url, meta, date,
 *                             bibtex, pending, saved}: `url` is the paper link's
 *                             pathname (so a site under a sub-path works),
 *                             `saved` an ISO time.
 * Without storage (turned off, full, forbidden) those features stay off;
 * sorting and the keyboard shortcuts still work. Controls that need this
 * script carry the `hidden` attribute in the HTML and are revealed here, so
 * without JavaScript every paper shows and no dead control does.
 *
 * Lists. Every list of papers is `.paper-list`, its items `.paper-item`
 * carrying data-id, data-topics, data-date and data-upvotes. An item is
 * hidden when its topics are all hidden topics (on a topic's own page,
 * `data-topic` on the list, that topic counts as shown) or when its title
 * or abstract preview (`.preview p`) holds a muted word. One notice before
 * each list (`.hide-notice`) counts them, names why, links to where each
 * reason is changed, and can show them again; shown again, each is flagged
 * "Muted" or "Hidden topic". Highlighted words are wrapped in
 * <mark class="highlight"> (text nodes only, never HTML from the reader) in
 * titles and previews, and the item gets `.has-highlight` and a
 * "Highlighted" flag. Words match as topic phrases do: case-insensitively,
 * whole words only (not inside a longer word) with or without a plural
 * "s"/"es", and with any run of spaces inside a phrase.
 *
 * Sorting. Each list names the orders it offers in data-sorts, its own
 * server-side order first (`position` = listing order, `date` = newest,
 * `upvotes` = most upvoted). Pages built on list_base.html have an empty
 * `.list-tools` box beside the list: a "Sort by" <select> goes there, with
 * the orders of the page's lists (the first list's first). A page may have
 * several lists (the home page: the latest listing and the most upvoted of
 * the week); the choice applies to every list that offers it and puts the
 * others back in their own order, and the box says so. Sorting is stable
 * (ties keep the server's order), papers without a date or a count go last,
 * and an ordered list is renumbered from the top. The default is the
 * server's order, which is what a page shows without this script. On a
 * paginated page it sorts that page's papers only, and says so.
 *
 * Keyboard. `/` focuses the search box (the search page's own, else the
 * header's); `j`/`k` move a visible "current" marker (`.is-current`,
 * aria-current) to the next/previous shown paper of the page, scroll it
 * into view and focus its link, so Enter opens it; `s` saves or unsaves the
 * current paper (on a paper page with no current item, the page's paper);
 * `?` opens a <dialog> listing the keys (Esc or its Close button closes it,
 * and focus goes back). No key acts while the focus is in a field (input,
 * textarea, select, contenteditable), with Ctrl, Alt or Meta held, or while
 * a dialog is open. Search results (`.search-result`) count as papers too.
 *
 * Reading list. Every `.save-button` (list items, search results, which
 * search.js announces with a `papersite:results` event, and the paper page) is a
 * toggle: aria-pressed, and "Save"/"Saved". A list's items come without one,
 * to keep lists small: each `.paper-item` gets its button here. The BibTeX
 * of a paper saved on its page is the page's `#bibtex`; a paper saved from a
 * list is `pending` until its BibTeX comes from its own page,
 * fetched when it is saved (or, if that failed, when the reading list is
 * next opened online); a page without one ends the wait. The reading list itself never needs the network. The /reading-list/ page lists
 * the saved papers, newest saved first, with Remove buttons (and Undo), a
 * count, Clear, "Export BibTeX" (a .bib file through a Blob URL and
 * <a download>, which the site's policy allows; where that fails, the text
 * is shown to copy) and "Show BibTeX". Papers without a BibTeX entry are
 * named in comment lines at the top of the export. Its Preferences form
 * edits the muted and highlighted words. Other tabs follow through the
 * `storage` event, and a page restored from the back-forward cache re-reads
 * everything.
 *
 * Copy buttons. A `.copy-button` (`data-copy-target` naming an element's
 * id) is hidden in the HTML and shown here. It copies the target's text
 * with the clipboard API and says "Copied" in the `.copy-status` live
 * region beside it; where the clipboard API is missing or refused, it
 * selects the text instead and says how to copy it.
 */
(function () {
  "use strict";

  var KEYS = {
    hidden: "papersite.hiddenTopics",
    muted: "papersite.mutedWords",
    highlighted: "papersite.highlightWords",
    saved: "papersite.readingList"
  };
  var ITEMS = ".paper-item, .search-result";
  var ITEM_LINKS = ".paper-link, .search-result-link";
  var SORTS = { position: "Listing order", date: "Newest", upvotes: "Most upvoted" };

  var store = null;
  var state = { hidden: new Set(), muted: [], highlighted: [], saved: [] };
  var patterns = { muted: null, highlighted: null };
  /* What other parts must redo when the reader's choices change (filled in as they start). */
  var refreshers = [];

  /* ---- Helpers ------------------------------------------------------- */

  function report(error) {
    try {
      if (window.console && console.error) console.error("papersite site.js:", error);
    } catch (ignored) { /* nothing left to do */ }
  }

  function run(setUp) {
    try {
      setUp();
    } catch (error) {
      report(error);
    }
  }

  /* `handler` for an event listener, never throwing out of it. */
  function guard(handler) {
    return function (event) {
      try {
        return handler.call(this, event);
      } catch (error) {
        report(error);
      }
    };
  }

  function each(nodes, callback) {
    Array.prototype.forEach.call(nodes, callback);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function button(className, text) {
    var node = el("button", className, text);
    node.type = "button";
    return node;
  }

  function setText(root, selector, text) {
    var element = root && root.querySelector(selector);
    if (element) element.textContent = text;
  }

  function plural(count, word, many) {
    return count + " " + (count === 1 ? word : many || word + "s");
  }

  function squash(text) {
    return String(text || "").replace(/\s+/g, " ").trim();
  }

  function openStorage() {
    try {
      var candidate = window.localStorage;
      candidate.setItem("papersite.probe", "1");
      candidate.removeItem("papersite.probe");
      return candidate;
    } catch (error) {
      return null; // disabled, full or forbidden: the reader's choices are off
    }
  }

  function readJSON(key) {
    try {
      var value = JSON.parse(store.getItem(key));
      return value === null ? undefined : value;
    } catch (error) {
      return undefined;
    }
  }

  /* True if written; false if storage refused (full, or gone). */
  function writeJSON(key, value) {
    try {
      store.setItem(key, JSON.stringify(value));
      return true;
    } catch (error) {
      return false;
    }
  }

  function strings(value) {
    return Array.isArray(value) ? value.filter(function (item) {
      return typeof item === "string" && item.trim() !== "";
    }) : [];
  }

  function loadChoices() {
    state.hidden = new Set(strings(readJSON(KEYS.hidden)));
    state.muted = parseWords(strings(readJSON(KEYS.muted)).join("\n"));
    state.highlighted = parseWords(strings(readJSON(KEYS.highlighted)).join("\n"));
    patterns.muted = wordPattern(state.muted);
    patterns.highlighted = wordPattern(state.highlighted);
  }

  /* A site URL, from the home link in the header (it carries any sub-path). */
  function siteURL(path) {
    var home = document.querySelector(".site-title[href]");
    try {
      return new URL(path, home ? home.href : window.location.origin + "/").href;
    } catch (error) {
      return "/" + path;
    }
  }

  /* ---- Words: muted and highlighted ------------------------------------ */

  /* Words and phrases as typed: split at commas and line ends, spaces
     collapsed, repeats (in any case) left out. */
  function parseWords(text) {
    var seen = new Set();
    var words = [];
    String(text).split(/[,\n\r]+/).forEach(function (part) {
      var word = squash(part);
      var key = word.toLowerCase();
      if (word && !seen.has(key)) {
        seen.add(key);
        words.push(word);
      }
    });
    return words;
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&");
  }

  /* A global, case-insensitive pattern for any of `words` as whole words
     (no letter, digit or _ just before or after), with or without a plural
     "s" or "es", as topics match; null for no words. The longest words come
     first, so a phrase wins over a word inside it. */
  function wordPattern(words) {
    if (!words.length) return null;
    var body = words.slice().sort(function (a, b) { return b.length - a.length; })
      .map(function (word) { return escapeRegExp(word).replace(/ /g, "\\s+"); })
      .join("|");
    try {
      return new RegExp("(?<![\\p{L}\\p{N}_])(?:" + body + ")(?:e?s)?(?![\\p{L}\\p{N}_])", "giu");
    } catch (error) { // no lookbehind in this browser: ASCII word boundaries
      try {
        return new RegExp("(?:^|\\b|(?=\\W))(?:" + body + ")(?:e?s)?(?:$|\\b|(?=\\W))", "gi");
      } catch (ignored) {
        return null;
      }
    }
  }

  function matches(pattern, text) {
    if (!pattern) return false;
    pattern.lastIndex = 0;
    var found = pattern.test(text);
    pattern.lastIndex = 0;
    return found;
  }

  /* The text a paper is muted by: its title and its abstract preview. */
  function itemText(item) {
    var parts = [];
    each(item.querySelectorAll(".paper-link, .preview p"), function (node) {
      parts.push(node.textContent);
    });
    return parts.join("\n");
  }

  function unhighlight(root) {
    each(root.querySelectorAll("mark.highlight"), function (mark) {
      var parent = mark.parentNode;
      parent.replaceChild(document.createTextNode(mark.textContent), mark);
      parent.normalize();
    });
  }

  /* Wraps each match of `pattern` in the text of `root` in a mark; returns how many. */
  function highlight(root, pattern) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var nodes = [];
    var count = 0;
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue;
      var fragment = null;
      var last = 0;
      var match;
      pattern.lastIndex = 0;
      while ((match = pattern.exec(text)) !== null) {
        if (!match[0]) {
          pattern.lastIndex += 1;
          continue;
        }
        fragment = fragment || document.createDocumentFragment();
        if (match.index > last) fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
        fragment.appendChild(el("mark", "highlight", match[0]));
        last = match.index + match[0].length;
        count += 1;
      }
      if (fragment) {
        if (last < text.length) fragment.appendChild(document.createTextNode(text.slice(last)));
        node.parentNode.replaceChild(fragment, node);
      }
    });
    pattern.lastIndex = 0;
    return count;
  }

  /* A word-sized label at the start of an item's meta line, or none. */
  function setFlag(item, className, text) {
    var meta = item.querySelector(".meta");
    if (!meta) return;
    var flag = meta.querySelector(".flag." + className);
    if (!text) {
      if (flag) flag.remove();
      return;
    }
    if (!flag) {
      flag = el("span", "flag " + className);
      meta.insertBefore(flag, meta.firstChild);
    }
    flag.textContent = text;
  }

  function highlightAll() {
    each(document.querySelectorAll(".paper-item"), function (item) {
      var found = 0;
      each(item.querySelectorAll(".paper-link, .preview p"), function (target) {
        unhighlight(target);
        if (patterns.highlighted) found += highlight(target, patterns.highlighted);
      });
      item.classList.toggle("has-highlight", found > 0);
      setFlag(item, "highlight-flag", found > 0 ? "Highlighted" : null);
    });
  }

  /* ---- Lists: hidden topics and muted words ---------------------------- */

  /* The notice a template puts right before a list, if any. */
  function noticeOf(list) {
    var notice = list.previousElementSibling;
    return notice && notice.classList.contains("hide-notice") ? notice : null;
  }

  function isPaperItem(node) {
    return node.classList && node.classList.contains("paper-item");
  }

  /* Hide (or, once asked, show) a list's papers from hidden topics or with
     muted words; number an ordered list's items; update its notice. */
  function filterList(list) {
    var own = list.getAttribute("data-topic");
    var showAll = list.hasAttribute("data-show-hidden");
    var count = 0;
    var byTopic = 0;
    var byWord = 0;
    each(list.children, function (item, index) {
      if (!isPaperItem(item)) return;
      if (list.tagName === "OL") item.value = index + 1; // numbers stay put when items hide
      var topics = (item.getAttribute("data-topics") || "").split(" ").filter(Boolean);
      var topicHidden = topics.length > 0 && topics.every(function (slug) {
        return slug !== own && state.hidden.has(slug);
      });
      var muted = matches(patterns.muted, itemText(item));
      var hide = topicHidden || muted;
      if (topicHidden) byTopic += 1;
      if (muted) byWord += 1;
      if (hide) count += 1;
      item.hidden = hide && !showAll;
      setFlag(item, "hidden-flag", hide && showAll ? (muted ? "Muted" : "Hidden topic") : null);
    });
    var notice = noticeOf(list);
    if (!notice) return;
    notice.hidden = count === 0;
    var because = [];
    var whose = [];
    if (byTopic) {
      because.push("topics you hid");
      whose.push("from topics you hid");
    }
    if (byWord) {
      because.push("words you muted");
      whose.push("with words you muted");
    }
    setText(notice, ".hide-notice-text", showAll
      ? plural(count, "paper") + " " + whose.join(" or ") + (count === 1 ? " is" : " are") + " shown."
      : plural(count, "paper") + " hidden because of " + because.join(" or ") + ".");
    setText(notice, ".hide-notice-toggle", showAll ? "Hide them again" : "Show them");
    var topicsLink = notice.querySelector("a[href*='#hide-topics']");
    if (topicsLink) topicsLink.hidden = byTopic === 0;
    var wordsLink = notice.querySelector(".hide-notice-words");
    if (!wordsLink && byWord) {
      wordsLink = el("a", "hide-notice-words", "Change muted words");
      wordsLink.href = siteURL("reading-list/#preferences");
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(wordsLink);
    }
    if (wordsLink) wordsLink.hidden = byWord === 0;
  }

  function filterAll() {
    each(document.querySelectorAll(".paper-list"), filterList);
  }

  function setUpLists() {
    each(document.querySelectorAll(".paper-list"), function (list) {
      var notice = noticeOf(list);
      var toggle = notice && notice.querySelector(".hide-notice-toggle");
      if (toggle) toggle.addEventListener("click", guard(function () {
        list.toggleAttribute("data-show-hidden");
        filterList(list);
      }));
    });
    filterAll();
    highlightAll();
    refreshers.push(function () {
      filterAll();
      highlightAll();
    });
  }

  /* ---- Sorting ------------------------------------------------------- */

  function sortKeys(list) {
    return (list.getAttribute("data-sorts") || "").split(/\s+/).filter(function (key) {
      return Object.prototype.hasOwnProperty.call(SORTS, key);
    });
  }

  function sortValue(item, key) {
    var raw = item.getAttribute("data-" + key) || "";
    if (key === "upvotes") return /^\d+$/.test(raw) ? Number(raw) : null;
    return /^\d{4}-\d{2}-\d{2}$/.test(raw) ? raw : null;
  }

  function setUpSorting() {
    var tools = document.querySelector(".list-tools");
    if (!tools) return;
    var serverOrder = new Map();
    var lists = Array.prototype.filter.call(document.querySelectorAll(".paper-list"), function (list) {
      var items = Array.prototype.filter.call(list.children, isPaperItem);
      items.forEach(function (item, index) { serverOrder.set(item, index); });
      return sortKeys(list).length > 1 && items.length > 1;
    });
    var keys = [];
    lists.forEach(function (list) {
      sortKeys(list).forEach(function (key) {
        if (keys.indexOf(key) === -1) keys.push(key);
      });
    });
    if (keys.length < 2) return;

    /* `key`, if the list offers it and it is not the list's own order; else the list's own order. */
    function sortList(list, key) {
      var offered = sortKeys(list);
      var by = offered.indexOf(key) > 0 && key !== "position" ? key : null;
      var items = Array.prototype.filter.call(list.children, isPaperItem);
      items.sort(function (a, b) {
        if (by) {
          var first = sortValue(a, by);
          var second = sortValue(b, by);
          if (first === null && second !== null) return 1;
          if (second === null && first !== null) return -1;
          if (first !== second) return first < second ? 1 : -1; // largest, newest first
        }
        return serverOrder.get(a) - serverOrder.get(b);
      });
      var fragment = document.createDocumentFragment();
      items.forEach(function (item) { fragment.appendChild(item); });
      list.appendChild(fragment);
      filterList(list); // renumbers an ordered list
    }

    var box = el("div", "sort-control");
    var label = el("label", null, "Sort by");
    label.htmlFor = "sort-order";
    var select = el("select");
    select.id = "sort-order";
    keys.forEach(function (key) {
      var option = el("option", null, SORTS[key]);
      option.value = key;
      select.appendChild(option);
    });
    select.value = sortKeys(lists[0])[0];
    box.appendChild(label);
    box.appendChild(select);
    tools.appendChild(box);
    var note = lists.length > 1 ? "Sorts every list on this page that can be sorted that way."
      : document.querySelector(".pager") ? "Sorts the papers on this page only." : "";
    if (note) tools.appendChild(el("p", "sort-note", note));
    var status = el("p", "visually-hidden");
    status.setAttribute("role", "status");
    tools.appendChild(status);
    select.addEventListener("change", guard(function () {
      lists.forEach(function (list) { sortList(list, select.value); });
      status.textContent = "Sorted: " + SORTS[select.value] + ".";
    }));
    tools.hidden = false;
  }

  /* ---- Reading list: the save buttons ---------------------------------- */

  function cleanEntry(entry) {
    if (!entry || typeof entry !== "object" || typeof entry.id !== "string" || !entry.id) return null;
    function text(value) { return typeof value === "string" ? value : ""; }
    var url = text(entry.url);
    return {
      id: entry.id,
      title: squash(text(entry.title)) || "Untitled paper",
      url: /^\/(?![\/\\])/.test(url) ? url : "", // a path on this site, nothing else
      meta: squash(text(entry.meta)),
      date: text(entry.date),
      bibtex: text(entry.bibtex).trim(),
      pending: entry.pending === true,
      saved: text(entry.saved)
    };
  }

  function readSaved() {
    var seen = new Set();
    var list = readJSON(KEYS.saved);
    return (Array.isArray(list) ? list : []).map(cleanEntry).filter(function (entry) {
      if (!entry || seen.has(entry.id)) return false;
      seen.add(entry.id);
      return true;
    });
  }

  function writeSaved() {
    return writeJSON(KEYS.saved, state.saved);
  }

  /* The saved papers, newest saved first (of two saved at once, the later one). */
  function newestFirst() {
    return state.saved.map(function (entry, index) { return [entry, index]; })
      .sort(function (a, b) {
        if (a[0].saved !== b[0].saved) return a[0].saved < b[0].saved ? 1 : -1;
        return b[1] - a[1];
      })
      .map(function (pair) { return pair[0]; });
  }

  function isSaved(id) {
    return state.saved.some(function (entry) { return entry.id === id; });
  }

  /* The texts of an element's parts, upvotes left out (a count goes stale), joined by " · ". */
  function partsText(element) {
    if (!element) return [];
    var parts = [];
    each(element.children, function (child) {
      if (child.classList.contains("upvotes") || child.classList.contains("flag")) return;
      var text = squash(child.textContent);
      if (text) parts.push(text);
    });
    return parts;
  }

  /* What the reading list keeps of the paper a save button belongs to. */
  function entryFor(saveButton) {
    var entry = {
      id: saveButton.getAttribute("data-id"),
      bibtex: "",
      saved: new Date().toISOString()
    };
    var item = saveButton.closest(ITEMS);
    if (item) {
      entry.pending = !entry.bibtex;
      var link = item.querySelector(ITEM_LINKS);
      entry.title = link ? link.textContent : "";
      entry.url = link ? link.pathname : "";
      entry.meta = partsText(item.querySelector(".meta")).join(" · ");
      entry.date = item.getAttribute("data-date") || "";
      return cleanEntry(entry);
    }
    // The paper page: the title beside the button, the authors and byline below it.
    entry.bibtex = pageBibtex(document);
    var row = saveButton.closest(".paper-title-row");
    var heading = row && row.querySelector("h1");
    entry.title = heading ? heading.textContent : document.title;
    entry.url = window.location.pathname;
    var parts = [];
    var authors = document.querySelector(".author-list p");
    if (authors) {
      var label = authors.querySelector(".label");
      var names = squash(authors.textContent.slice(label ? label.textContent.length : 0))
        .split(", ").filter(function (name) { return name && name !== "…"; });
      if (names.length) parts.push(names.slice(0, 3).join(", ") + (names.length > 3 ? " et al." : ""));
    }
    var byline = document.querySelector(".byline");
    parts = parts.concat(partsText(byline));
    entry.meta = parts.join(" · ");
    var time = byline && byline.querySelector("time[datetime]");
    entry.date = time ? time.getAttribute("datetime") : "";
    return cleanEntry(entry);
  }

  function labelSaveButton(saveButton) {
    var label = saveButton.querySelector(".save-label");
    if (!label) {
      // "Save" for the eye; in a list, the paper's title for a screen reader's list of buttons.
      var item = saveButton.closest(ITEMS);
      var link = item && item.querySelector(ITEM_LINKS);
      saveButton.textContent = "";
      label = el("span", "save-label");
      saveButton.appendChild(label);
      if (link) saveButton.appendChild(el("span", "visually-hidden", " " + squash(link.textContent)));
    }
    var saved = isSaved(saveButton.getAttribute("data-id"));
    label.textContent = saved ? "Saved" : "Save";
    saveButton.setAttribute("aria-pressed", saved ? "true" : "false");
  }

  function refreshSaveButtons() {
    each(document.querySelectorAll(".save-button[data-id]"), labelSaveButton);
  }

  /* Saves or unsaves; false if storage refused the change. */
  function toggleSave(saveButton) {
    var id = saveButton.getAttribute("data-id");
    state.saved = readSaved(); // another tab may have changed it
    var before = state.saved;
    if (isSaved(id)) {
      state.saved = before.filter(function (entry) { return entry.id !== id; });
    } else {
      var entry = entryFor(saveButton);
      if (entry) state.saved = before.concat([entry]);
    }
    var written = writeSaved();
    if (!written) state.saved = before;
    refreshSaveButtons();
    if (written) fetchMissingBibtex();
    return written;
  }

  /* Fills in the BibTeX of the pending saved papers from each paper's page
   * (its `#bibtex`). Where there is no network nothing
   * changes; a page without one (a paper known only from saved pages) ends
   * the wait. */
  var bibtexAsked = new Set(); // paper ids, once per page view

  function fetchMissingBibtex() {
    if (typeof window.fetch !== "function" || typeof window.DOMParser !== "function") return;
    state.saved.filter(function (entry) { return entry.pending && entry.url && !bibtexAsked.has(entry.id); })
      .forEach(function (wanted) {
        bibtexAsked.add(wanted.id);
        window.fetch(wanted.url, { credentials: "same-origin" }).then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        }).then(guard(function (html) {
          var bibtex = pageBibtex(new window.DOMParser().parseFromString(html, "text/html"));
          state.saved = readSaved();
          var entry = state.saved.filter(function (saved) { return saved.id === wanted.id; })[0];
          if (!entry || !entry.pending) return;
          entry.bibtex = bibtex;
          entry.pending = false;
          if (writeSaved()) refreshers.forEach(function (refresh) { run(refresh); });
        }), function () { /* offline, or opened from disk: try again another time */ });
      });
  }

  /* A paper page's BibTeX entry, or "" for a page without one. */
  function pageBibtex(page) {
    var source = page.getElementById("bibtex");
    return source ? source.textContent.trim() : "";
  }

  /* The buttons below `root` not yet shown (a button is hidden until it works);
   * a list item gets its button first. */
  function wireSaveButtons(root) {
    each(root.querySelectorAll(".paper-item[data-id]:not(.reading-item) > .paper-head"), function (head) {
      if (head.querySelector(".save-button")) return;
      var saveButton = head.appendChild(el("button", "save-button", "Save"));
      saveButton.type = "button";
      saveButton.hidden = true;
      saveButton.setAttribute("data-id", head.parentNode.getAttribute("data-id"));
      saveButton.setAttribute("aria-pressed", "false");
    });
    each(root.querySelectorAll(".save-button[data-id][hidden]"), function (saveButton) {
      saveButton.addEventListener("click", guard(function () {
        if (!toggleSave(saveButton)) saveButton.title = "This browser's storage is full or turned off.";
      }));
      saveButton.hidden = false;
      labelSaveButton(saveButton);
    });
  }

  function setUpSaveButtons() {
    wireSaveButtons(document);
    refreshers.push(refreshSaveButtons);
    // Search results come after the page has loaded: search.js says when.
    document.addEventListener("papersite:results", guard(function (event) {
      wireSaveButtons(event.target);
    }));
  }

  /* ---- Reading list: the page ------------------------------------------ */

  function bibtexKeyed(entry, keys) {
    // Two papers may share a key (smith2025learning): the later ones get b, c, ...
    var match = /^(@\w+\s*\{\s*)([^,\s]*)/.exec(entry);
    if (!match) return entry;
    var key = match[2];
    var unique = key;
    for (var n = 0; keys.has(unique); n += 1) {
      unique = key + (n < 25 ? String.fromCharCode(98 + n) : String(n + 2));
    }
    keys.add(unique);
    return unique === key ? entry : match[1] + unique + entry.slice(match[0].length);
  }

  /* The reading list as a .bib file; papers without an entry are named in comments. */
  function bibtexExport(entries) {
    var title = squash((document.querySelector(".site-title") || {}).textContent) || "papersite";
    var without = entries.filter(function (entry) { return !entry.bibtex; });
    var lines = ["% Reading list from " + title + ": " + plural(entries.length, "paper") + ", exported "
      + new Date().toISOString().slice(0, 10) + "."];
    if (without.length) {
      lines.push("% " + plural(without.length, "paper has", "papers have")
        + " no BibTeX entry (no author names or arXiv id known):");
    }
    without.forEach(function (entry) {
      var where = entry.url ? " <" + new URL(entry.url, window.location.href).href + ">" : "";
      // "@" would open an entry even in a comment line: spell it out.
      lines.push("%   " + (entry.title + where).replace(/@/g, "(at)"));
    });
    var keys = new Set();
    entries.forEach(function (entry) {
      if (entry.bibtex) lines.push("", bibtexKeyed(entry.bibtex, keys));
    });
    return lines.join("\n") + "\n";
  }

  /* Downloads `text` as a file; false where the browser cannot. */
  function download(text, name) {
    try {
      var link = document.createElement("a");
      if (!("download" in link) || !window.Blob || !window.URL || !URL.createObjectURL) return false;
      var address = URL.createObjectURL(new Blob([text], { type: "application/x-bibtex;charset=utf-8" }));
      link.href = address;
      link.download = name;
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(address); }, 30000);
      return true;
    } catch (error) {
      return false;
    }
  }

  function savedOn(entry) {
    var date = new Date(entry.saved);
    if (isNaN(date.getTime())) return "";
    try {
      return date.toLocaleDateString(document.documentElement.lang || undefined,
        { year: "numeric", month: "short", day: "numeric" });
    } catch (error) {
      return entry.saved.slice(0, 10);
    }
  }

  function setUpReadingListPage() {
    var list = document.querySelector("ol.reading-list");
    if (!list) return;
    var intro = document.querySelector(".reading-list-needs-script");
    if (!store) {
      if (intro) {
        intro.textContent = "Your reading list is kept in this browser's storage, which is turned "
          + "off or full here, so there is nothing to show. Allow this site to keep data, then reload.";
      }
      return;
    }
    var tools = document.querySelector(".reading-list-tools");
    var feedback = document.querySelector(".reading-list-feedback");
    var status = document.querySelector(".reading-list-status");
    var undo = document.querySelector(".reading-list-undo");
    var exportButton = document.querySelector(".reading-list-export");
    var showButton = document.querySelector(".reading-list-show-bibtex");
    var clearButton = document.querySelector(".reading-list-clear");
    var panel = document.getElementById("reading-list-bibtex");
    var panelText = panel && panel.querySelector("pre");
    var undone = null; // the entries the last Remove or Clear took away

    if (intro) intro.tabIndex = -1; // focus lands here when the list empties
    if (feedback) feedback.hidden = false;

    function say(text, taken) {
      undone = taken || null;
      if (status) status.textContent = text;
      if (undo) undo.hidden = !undone;
    }

    function removeButton(entry) {
      var remove = button("remove-button");
      remove.appendChild(document.createTextNode("Remove"));
      remove.appendChild(el("span", "visually-hidden", " " + entry.title));
      remove.addEventListener("click", guard(function () {
        var before = Array.prototype.indexOf.call(list.querySelectorAll(".remove-button"), remove);
        state.saved = readSaved().filter(function (saved) { return saved.id !== entry.id; });
        if (!writeSaved()) {
          say("Could not remove it: this browser's storage refused the change.");
          return;
        }
        render();
        var left = list.querySelectorAll(".remove-button");
        var next = left[Math.min(before, left.length - 1)];
        (next || intro || document.getElementById("main")).focus();
        say("Removed “" + entry.title + "”.", [entry]);
      }));
      return remove;
    }

    function itemFor(entry) {
      var item = el("li", "paper-item reading-item");
      item.setAttribute("data-id", entry.id);
      var head = el("div", "paper-head");
      var title = el(entry.url ? "a" : "span", "paper-link", entry.title);
      if (entry.url) title.href = entry.url;
      head.appendChild(title);
      head.appendChild(removeButton(entry));
      item.appendChild(head);
      var meta = el("div", "meta");
      if (entry.meta) meta.appendChild(el("span", null, entry.meta));
      var when = savedOn(entry);
      if (when) {
        var saved = el("span", null, "Saved ");
        var time = el("time", null, when);
        time.dateTime = entry.saved;
        saved.appendChild(time);
        meta.appendChild(saved);
      }
      if (!entry.bibtex) {
        meta.appendChild(el("span", "no-bibtex", entry.pending ? "BibTeX not fetched yet" : "No BibTeX"));
      }
      item.appendChild(meta);
      return item;
    }

    function render() {
      var entries = newestFirst();
      list.textContent = "";
      entries.forEach(function (entry) { list.appendChild(itemFor(entry)); });
      list.hidden = entries.length === 0;
      if (tools) tools.hidden = entries.length === 0;
      if (intro) {
        intro.textContent = entries.length
          ? plural(entries.length, "paper") + " saved in this browser, newest saved first."
          : "No papers saved yet. Press Save beside any paper, in a list or on its page, and it "
            + "appears here. The list is kept in this browser only.";
      }
      if (panelText) panelText.textContent = bibtexExport(entries);
      if (!entries.length) showBibtex(false);
      highlightAll();
    }

    function showBibtex(show) {
      if (!panel || !showButton) return;
      panel.hidden = !show;
      showButton.setAttribute("aria-expanded", show ? "true" : "false");
      showButton.textContent = show ? "Hide BibTeX" : "Show BibTeX";
    }

    if (undo) undo.addEventListener("click", guard(function () {
      var back = undone || [];
      state.saved = readSaved();
      back.forEach(function (entry) {
        if (!isSaved(entry.id)) state.saved.push(entry);
      });
      if (!writeSaved()) {
        say("Could not put it back: this browser's storage refused the change.");
        return;
      }
      render();
      if (intro) intro.focus();
      say("Put back " + plural(back.length, "paper") + ".");
    }));

    if (clearButton) clearButton.addEventListener("click", guard(function () {
      var taken = readSaved();
      state.saved = [];
      if (!writeSaved()) {
        state.saved = taken;
        say("Could not clear it: this browser's storage refused the change.");
        return;
      }
      render();
      say("Removed all " + plural(taken.length, "paper") + " from your reading list.", taken);
      if (undo) undo.focus();
    }));

    if (exportButton) exportButton.addEventListener("click", guard(function () {
      var entries = newestFirst();
      var text = bibtexExport(entries);
      var withEntry = entries.filter(function (entry) { return entry.bibtex; }).length;
      var without = entries.length - withEntry;
      var what = plural(withEntry, "BibTeX entry", "BibTeX entries")
        + (without ? ", and " + plural(without, "paper") + " without one named in comments" : "");
      if (download(text, "reading-list.bib")) {
        say("Downloaded reading-list.bib: " + what + ".");
      } else {
        if (panelText) panelText.textContent = text;
        showBibtex(true);
        say("This browser did not download the file: the BibTeX is shown below to copy (" + what + ").");
      }
    }));

    if (showButton) showButton.addEventListener("click", guard(function () {
      showBibtex(panel ? panel.hidden : false);
    }));

    render();
    refreshers.push(render);
    fetchMissingBibtex();
  }

  /* ---- Preferences: muted and highlighted words ------------------------ */

  function setUpPreferences() {
    var section = document.getElementById("preferences");
    var form = section && section.querySelector(".preferences-form");
    var muted = document.getElementById("muted-words");
    var highlighted = document.getElementById("highlight-words");
    if (!form || !muted || !highlighted) return;
    var clear = form.querySelector(".preferences-clear");
    var status = form.querySelector(".preferences-status");

    function fill() {
      if (document.activeElement !== muted) muted.value = state.muted.join("\n");
      if (document.activeElement !== highlighted) highlighted.value = state.highlighted.join("\n");
    }

    function save(mutedWords, highlightedWords, done) {
      var written = writeJSON(KEYS.muted, mutedWords) && writeJSON(KEYS.highlighted, highlightedWords);
      loadChoices();
      muted.value = state.muted.join("\n");
      highlighted.value = state.highlighted.join("\n");
      refreshers.forEach(function (refresh) { run(refresh); });
      if (status) {
        status.textContent = written ? done
          : "Could not save: this browser's storage is full or turned off.";
      }
    }

    form.addEventListener("submit", guard(function (event) {
      event.preventDefault();
      var mutedWords = parseWords(muted.value);
      var highlightedWords = parseWords(highlighted.value);
      save(mutedWords, highlightedWords, "Saved: " + plural(mutedWords.length, "muted word")
        + " and " + plural(highlightedWords.length, "highlighted word") + ".");
    }));
    if (clear) clear.addEventListener("click", guard(function () {
      save([], [], "Cleared: no word is muted or highlighted.");
    }));
    section.hidden = false;
    fill();
    refreshers.push(fill);
  }

  /* ---- Hidden topics: the controls on the topics index ----------------- */

  function setUpTopicControls() {
    var panel = document.getElementById("hide-topics");
    var boxes = document.querySelectorAll(".hide-topic-input");
    var reset = panel && panel.querySelector(".hide-topics-reset");
    if (!panel || !boxes.length) return;

    function refresh() {
      each(boxes, function (box) {
        box.checked = state.hidden.has(box.value);
        var item = box.closest("li");
        if (item) item.classList.toggle("topic-is-hidden", box.checked);
      });
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; });
      setText(panel, ".hide-topics-status",
        ticked.length ? plural(ticked.length, "topic") + " hidden." : "No topic is hidden.");
    }

    function write() {
      writeJSON(KEYS.hidden, Array.from(state.hidden).sort()); // if refused, it lasts for this page
      refresh();
    }

    each(boxes, function (box) {
      var label = box.closest("label");
      if (label) label.hidden = false;
      box.addEventListener("change", guard(function () {
        // A topic's sub-topics, listed inside its item, go with it.
        var item = box.closest("li");
        var nested = item && item.querySelector(".subtopics");
        var slugs = [box.value];
        if (nested) each(nested.querySelectorAll(".hide-topic-input"), function (child) { slugs.push(child.value); });
        slugs.forEach(function (slug) {
          if (box.checked) state.hidden.add(slug); else state.hidden.delete(slug);
        });
        write();
      }));
    });
    if (reset) reset.addEventListener("click", guard(function () {
      state.hidden.clear();
      write();
    }));
    panel.hidden = false;
    refresh();
    refreshers.push(refresh);
  }

  /* ---- Keyboard shortcuts ---------------------------------------------- */

  var current = null; // the paper j and k last moved to
  var dialog = null;
  var opener = null; // focused before the dialog opened

  function isShown(item) {
    return !item.closest("[hidden]") && item.getClientRects().length > 0;
  }

  function setCurrent(item) {
    if (current && current !== item) {
      current.classList.remove("is-current");
      current.removeAttribute("aria-current");
    }
    current = item;
    item.classList.add("is-current");
    item.setAttribute("aria-current", "true");
    item.scrollIntoView({ block: "nearest" });
    var link = item.querySelector(ITEM_LINKS);
    if (link) link.focus({ preventScroll: true });
  }

  /* The next (step 1) or previous (-1) shown paper; from the focused or current
     one, else the first one not scrolled past. False if there is none. */
  function move(step) {
    var all = Array.prototype.slice.call(document.querySelectorAll(ITEMS));
    var active = document.activeElement;
    var from = active && active.closest ? active.closest(ITEMS) : null;
    if (!from && current && document.contains(current)) from = current;
    var target = null;
    var index = from ? all.indexOf(from) : -1;
    if (index === -1) {
      target = all.filter(isShown).filter(function (item) {
        return item.getBoundingClientRect().bottom > 0;
      })[0] || null;
    } else {
      for (var i = index + step; i >= 0 && i < all.length; i += step) {
        if (isShown(all[i])) {
          target = all[i];
          break;
        }
      }
    }
    if (!target) return false;
    setCurrent(target);
    return true;
  }

  function saveButtonToToggle() {
    var item = current && document.contains(current) && isShown(current) ? current : null;
    var found = item ? item.querySelector(".save-button")
      : document.querySelector(".paper-title-row .save-button");
    return found && !found.hidden ? found : null;
  }

  function shortcuts() {
    var keys = [
      ["/", "Search"],
      ["j", "Next paper on the page"],
      ["k", "Previous paper on the page"],
      ["Enter", "Open the current paper"]
    ];
    if (store) keys.push(["s", "Save the current paper to your reading list, or remove it"]);
    keys.push(["?", "This list of keys"], ["Esc", "Close it"]);
    return keys;
  }

  function keysDialog() {
    if (dialog) return dialog;
    var made = document.createElement("dialog");
    if (typeof made.showModal !== "function") return null;
    made.className = "keys-dialog";
    made.setAttribute("aria-labelledby", "keys-dialog-title");
    var body = el("div", "keys-dialog-body");
    var title = el("h2", null, "Keyboard shortcuts");
    title.id = "keys-dialog-title";
    var list = el("dl", "keys-list");
    shortcuts().forEach(function (pair) {
      var term = el("dt");
      term.appendChild(el("kbd", null, pair[0]));
      list.appendChild(term);
      list.appendChild(el("dd", null, pair[1]));
    });
    var close = button("keys-close", "Close");
    close.addEventListener("click", guard(function () { made.close(); }));
    body.appendChild(title);
    body.appendChild(list);
    body.appendChild(el("p", "keys-note", "The keys do nothing while you type in a field."));
    body.appendChild(close);
    made.appendChild(body);
    // A click on the backdrop (outside the body) closes it too.
    made.addEventListener("click", guard(function (event) {
      if (event.target === made) made.close();
    }));
    made.addEventListener("close", guard(function () {
      if (opener && document.contains(opener) && typeof opener.focus === "function") opener.focus();
      opener = null;
    }));
    document.body.appendChild(made);
    dialog = made;
    return dialog;
  }

  function openKeys() {
    var made = keysDialog();
    if (!made || made.open) return false;
    opener = document.activeElement;
    made.showModal();
    return true;
  }

  function isTyping(target) {
    if (!target || target.nodeType !== 1) return false;
    if (target.isContentEditable) return true;
    return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (isTyping(event.target) || isTyping(document.activeElement)) return;
    if (document.querySelector("dialog[open]")) return; // Esc, and the dialog's own keys
    var done = false;
    switch (event.key) {
      case "/":
        var search = document.getElementById("search-query") || document.getElementById("site-search-input");
        if (search) {
          search.focus();
          search.select();
          done = true;
        }
        break;
      case "j":
        done = move(1);
        break;
      case "k":
        done = move(-1);
        break;
      case "s":
        var saveButton = store && saveButtonToToggle();
        if (saveButton) {
          saveButton.click();
          done = true;
        }
        break;
      case "?":
        done = openKeys();
        break;
    }
    if (done) event.preventDefault();
  }

  function setUpKeys() {
    document.addEventListener("keydown", guard(onKey));
    var tools = document.querySelector(".list-tools");
    if (tools && typeof document.createElement("dialog").showModal === "function") {
      var help = button("keys-open", "Keyboard shortcuts");
      help.setAttribute("aria-keyshortcuts", "?");
      help.addEventListener("click", guard(openKeys));
      var row = el("p", "keys-hint");
      row.appendChild(help);
      tools.appendChild(row);
      tools.hidden = false;
    }
  }

  /* ---- Copy buttons ---------------------------------------------------- */

  function setUpCopyButtons() {
    each(document.querySelectorAll(".copy-button[data-copy-target]"), function (copyButton) {
      var source = document.getElementById(copyButton.getAttribute("data-copy-target"));
      var status = copyButton.parentNode && copyButton.parentNode.querySelector(".copy-status");
      if (!source) return;

      function say(text) {
        if (status) status.textContent = text;
      }

      function selectSource() {
        try {
          var selection = window.getSelection();
          selection.removeAllRanges();
          var range = document.createRange();
          range.selectNodeContents(source);
          selection.addRange(range);
          say("Selected: press Ctrl+C (⌘C on a Mac) to copy.");
        } catch (error) {
          say("Select the text above to copy it.");
        }
      }

      copyButton.addEventListener("click", guard(function () {
        say("");
        var clipboard = navigator.clipboard;
        if (!clipboard || typeof clipboard.writeText !== "function") {
          selectSource();
          return;
        }
        clipboard.writeText(source.textContent).then(function () {
          say("Copied");
        }, selectSource);
      }));
      copyButton.hidden = false;
    });
  }

  /* ---- Other tabs, and pages back from the cache ----------------------- */

  function resync() {
    loadChoices();
    state.saved = readSaved();
    refreshers.forEach(function (refresh) { run(refresh); });
  }

  function setUpSync() {
    window.addEventListener("storage", guard(function (event) {
      if (event.storageArea !== store) return;
      var ours = event.key === null || Object.keys(KEYS).some(function (name) {
        return KEYS[name] === event.key;
      });
      if (ours) resync();
    }));
    window.addEventListener("pageshow", guard(function (event) {
      if (event.persisted) resync();
    }));
  }

  /* ---- Start ----------------------------------------------------------- */

  run(setUpCopyButtons);
  store = openStorage();
  if (store) {
    run(loadChoices);
    run(function () { state.saved = readSaved(); });
  }
  run(setUpLists);
  run(setUpSorting);
  run(setUpKeys);
  if (store) {
    run(setUpSaveButtons);
    run(setUpPreferences);
    run(setUpTopicControls);
    run(setUpSync);
  }
  run(setUpReadingListPage);
})();
