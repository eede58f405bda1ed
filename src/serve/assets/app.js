// outages web UI: progressive enhancement only. Every page works without this file.
// - Search: results update as you type (the server renders the fragment; nothing here builds
//   HTML from data), and the address bar follows, so a result page can be shared.
// - Timeline: "+" and "-" zoom in and out, following the page's own zoom links.
"use strict";

(function () {
  function debounce(fn, ms) {
    var t = null;
    return function () {
      clearTimeout(t);
      t = setTimeout(fn, ms);
    };
  }

  function liveSearch(form) {
    var target = document.getElementById("results");
    if (!target) return;
    var status = document.getElementById("live-status");
    var seq = 0;
    var run = function () {
      var params = new URLSearchParams(new FormData(form));
      var qs = params.toString();
      var mine = ++seq;
      fetch("/search/results?" + qs, { headers: { Accept: "text/html" } })
        .then(function (r) {
          return r.text().then(function (body) {
            return { ok: r.ok, body: body };
          });
        })
        .then(function (res) {
          if (mine !== seq) return; // a newer request is on its way
          target.innerHTML = res.body;
          history.replaceState(null, "", qs ? "/?" + qs : "/");
          if (status) {
            var total = target.querySelector("[data-total]");
            status.textContent = total ? total.getAttribute("data-total") + " results" : "";
          }
        })
        .catch(function () {
          if (status) status.textContent = "Search failed; press Enter to reload.";
        });
    };
    var later = debounce(run, 220);
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      run();
    });
  }

  function timelineKeys() {
    var zin = document.querySelector("a[data-zoom='in']");
    var zout = document.querySelector("a[data-zoom='out']");
    document.addEventListener("keydown", function (ev) {
      var tag = (ev.target && ev.target.tagName) || "";
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
      if ((ev.key === "+" || ev.key === "=") && zin) location.href = zin.href;
      if (ev.key === "-" && zout) location.href = zout.href;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("search-form");
    if (form) liveSearch(form);
    if (document.getElementById("timeline")) timelineKeys();
  });
})();
