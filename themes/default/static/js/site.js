/* papersite default theme script.
 *
 * Loaded with `defer` on every page, so the DOM is parsed when it runs.
 * It must never throw and must work without any other script. Search and
 * topic hiding will be added here by a later issue; until then it does
 * nothing. Keep it dependency-free, and add no inline scripts or styles to
 * the templates (a Content-Security-Policy will forbid them).
 */
(function () {
  "use strict";
})();
