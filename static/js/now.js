/* The "now and next" screen keeps itself current: every minute (data-now-refresh, in
   seconds) it fetches its own page and swaps in the fresh part, so a screen in the hall
   needs no one to touch it and does not flash. A button pauses the updates (WCAG 2.2.2).
   A file, not an inline script: the site's CSP allows scripts from the site only. Without
   JavaScript a <noscript> refresh in the page's head reloads it instead. */
(function () {
  "use strict";
  var live = document.querySelector("[data-now-refresh]");
  if (!live || !window.fetch || !window.DOMParser) {
    return;
  }
  var seconds = parseInt(live.getAttribute("data-now-refresh"), 10) || 60;
  var toggle = document.querySelector("[data-now-toggle]");
  var paused = false;

  function update() {
    if (paused) {
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-now-refresh]");
        if (fresh) {
          live.innerHTML = fresh.innerHTML;
        }
      })
      .catch(function () {
        /* Keep what is shown (the network may be back next time). */
      });
  }

  window.setInterval(update, seconds * 1000);
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      paused = !paused;
      toggle.setAttribute("aria-pressed", paused ? "true" : "false");
      toggle.textContent = paused ? "Resume updates" : "Pause updates";
      update();
    });
  }
})();
