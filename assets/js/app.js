// The portal's only script of its own: an ES module served from /static/dist/app.js.
//
// The base template loads it with no inline script (the Content Security Policy allows none;
// the GOV.UK template's one-line `js-enabled` snippet is dist/js-enabled.js, first in <body>):
//
//   <script type="module" src="/static/dist/app.js"></script>
//   <script src="/static/dist/htmx.min.js" defer></script>
//
// Module and deferred scripts run in document order, before DOMContentLoaded, and htmx sets
// itself up on DOMContentLoaded; so htmx is configured here whichever of the two comes first.

import { initAll } from "./govuk-frontend.min.js";
import { initSessionTimeout } from "./session-timeout.js";

// htmx would otherwise add an inline <style> for its loading indicators (app.css has the
// same rules) and run hx-on:* / js: attributes through eval(). Strict CSP forbids both, and
// would block any <script> in swapped-in content anyway.
function configureHtmx() {
  const htmx = window.htmx;
  if (!htmx) {
    return false;
  }
  htmx.config.includeIndicatorStyles = false;
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
  return true;
}

if (!configureHtmx()) {
  // htmx.min.js comes later in the page. Deferred scripts all run before DOMContentLoaded,
  // and this listener is added before htmx adds its own, so it runs first.
  document.addEventListener("DOMContentLoaded", configureHtmx, { once: true });
}

initAll();
initSessionTimeout();

// Set up GOV.UK Frontend components (error summary, radios, character count, …) in content
// that htmx swaps in. htmx fires `htmx:load` on each new element, and once on <body> when
// the page loads, which initAll() above has covered.
document.addEventListener("htmx:load", (event) => {
  const element = event.target;
  if (!(element instanceof Element) || element === document.body) {
    return;
  }
  initAll({
    // Search from the parent, so the new element is found if it is a component itself
    scope: element.parentElement ?? element,
    onError(error) {
      // Components next to the new element were set up before: that is expected
      if (error?.name !== "InitError") {
        console.error(error);
      }
    },
  });
});

// After htmx brings in the next question, start keyboard and screen-reader users at its heading (an error
// summary takes focus by itself), as a full page load would.
document.addEventListener("htmx:afterSettle", () => {
  const main = document.querySelector("main");
  if (!main || main.querySelector(".govuk-error-summary")) {
    return;
  }
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.classList.add("app-focus-target");
    heading.focus({ preventScroll: true });
  }
});
