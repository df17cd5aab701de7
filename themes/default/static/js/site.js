/* papersite default theme script.
 *
 * Loaded with `defer` on every page, so the DOM is parsed when it runs.
 * It must never throw and must work without any other script. Keep it
 * dependency-free, and add no inline scripts or styles to the templates
 * (a Content-Security-Policy will forbid them).
 *
 * Hiding topics. The reader's hidden topics are a JSON array of slugs in
 * localStorage. In every list (`.paper-list`, items carrying
 * `data-topics="slug slug"`) a paper is hidden when it has topics and all of
 * them are hidden; on a topic's own page (`data-topic` on the list) that
 * topic counts as shown. A notice before the list says how many papers are
 * hidden and can show them again. The controls carry the `hidden` attribute
 * in the HTML and are revealed here, so without JavaScript or without
 * storage every paper shows and no control does.
 *
 * Copy buttons. A paper page's BibTeX is in a <pre> anyone can select; its
 * "Copy" button (`.copy-button`, `data-copy-target` naming the <pre>'s id)
 * is hidden in the HTML and shown here. It copies with the clipboard API
 * and says "Copied" in the `.copy-status` live region beside it; where the
 * clipboard API is missing or refused, it selects the text instead and says
 * how to copy it.
 */
(function () {
  "use strict";

  var KEY = "papersite.hiddenTopics";

  function storage() {
    try {
      var store = window.localStorage;
      store.setItem(KEY + ".probe", "1");
      store.removeItem(KEY + ".probe");
      return store;
    } catch (error) {
      return null; // disabled, full or forbidden: topic hiding is off
    }
  }

  function readHidden(store) {
    try {
      var slugs = JSON.parse(store.getItem(KEY) || "[]");
      return new Set(Array.isArray(slugs) ? slugs.filter(function (slug) {
        return typeof slug === "string";
      }) : []);
    } catch (error) {
      return new Set();
    }
  }

  function writeHidden(store, hidden) {
    try {
      store.setItem(KEY, JSON.stringify(Array.from(hidden).sort()));
    } catch (error) {
      /* the choice lasts for this page only */
    }
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  /* The notice a template puts right before a list, if any. */
  function noticeOf(list) {
    var notice = list.previousElementSibling;
    return notice && notice.classList.contains("hide-notice") ? notice : null;
  }

  function setText(root, selector, text) {
    var element = root.querySelector(selector);
    if (element) element.textContent = text;
  }

  /* Hide (or, once asked, show) a list's papers from hidden topics; update its notice. */
  function filterList(list, hidden) {
    var own = list.getAttribute("data-topic");
    var showAll = list.hasAttribute("data-show-hidden");
    var count = 0;
    Array.prototype.forEach.call(list.children, function (item, index) {
      if (!item.classList.contains("paper-item")) return;
      if (list.tagName === "OL") item.value = index + 1; // numbers stay put when items hide
      var topics = (item.getAttribute("data-topics") || "").split(" ").filter(Boolean);
      var hide = topics.length > 0 && topics.every(function (slug) {
        return slug !== own && hidden.has(slug);
      });
      if (hide) count += 1;
      item.hidden = hide && !showAll;
    });
    var notice = noticeOf(list);
    if (!notice) return;
    notice.hidden = count === 0;
    setText(notice, ".hide-notice-text", showAll
      ? plural(count, "paper") + " from topics you hid " + (count === 1 ? "is" : "are") + " shown."
      : plural(count, "paper") + " hidden because of topics you hid.");
    setText(notice, ".hide-notice-toggle", showAll ? "Hide them again" : "Show them");
  }

  function setUpLists(hidden) {
    document.querySelectorAll(".paper-list").forEach(function (list) {
      filterList(list, hidden);
      var notice = noticeOf(list);
      var toggle = notice && notice.querySelector(".hide-notice-toggle");
      if (!toggle) return;
      toggle.addEventListener("click", function () {
        list.toggleAttribute("data-show-hidden");
        filterList(list, hidden);
      });
    });
  }

  /* The topics index: a "Hide" checkbox per topic, a summary and a reset button. */
  function setUpControls(store, hidden) {
    var panel = document.getElementById("hide-topics");
    var boxes = document.querySelectorAll(".hide-topic-input");
    var reset = panel && panel.querySelector(".hide-topics-reset");
    if (!panel || !boxes.length) return;

    function refresh() {
      boxes.forEach(function (box) {
        box.checked = hidden.has(box.value);
        var item = box.closest("li");
        if (item) item.classList.toggle("topic-is-hidden", box.checked);
      });
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; });
      setText(panel, ".hide-topics-status",
        ticked.length ? plural(ticked.length, "topic") + " hidden." : "No topic is hidden.");
    }

    boxes.forEach(function (box) {
      var label = box.closest("label");
      if (label) label.hidden = false;
      box.addEventListener("change", function () {
        if (box.checked) hidden.add(box.value); else hidden.delete(box.value);
        writeHidden(store, hidden);
        refresh();
      });
    });
    if (reset) reset.addEventListener("click", function () {
      hidden.clear();
      writeHidden(store, hidden);
      refresh();
    });
    panel.hidden = false;
    refresh();
  }

  function setUpCopyButtons() {
    document.querySelectorAll(".copy-button[data-copy-target]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.parentNode && button.parentNode.querySelector(".copy-status");
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

      button.addEventListener("click", function () {
        say("");
        var clipboard = navigator.clipboard;
        if (!clipboard || typeof clipboard.writeText !== "function") {
          selectSource();
          return;
        }
        clipboard.writeText(source.textContent).then(function () {
          say("Copied");
        }, selectSource);
      });
      button.hidden = false;
    });
  }

  setUpCopyButtons();

  var store = storage();
  if (!store) return;
  var hidden = readHidden(store);
  setUpLists(hidden);
  setUpControls(store, hidden);
})();
