// Live pages: follow the server's event stream and refresh the live parts of the page in place.
// The browser's EventSource reconnects by itself and sends Last-Event-ID, so the server replays
// every change missed; after any (re)connection the page also refetches itself to catch up.
// Rows (tr with data-bib or data-key) that are new or changed flash.
// Without JavaScript the page is complete, just not live.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-stream");
  var state = document.getElementById("live-state");
  if (!url || !window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var pending = null;
  var everOpen = false;
  var busy = false;

  function show(kind) {
    state.className = "live-state " + kind;
    state.textContent = state.getAttribute(kind === "live" ? "data-live-label" : "data-reconnecting-label");
  }

  function rowKey(tr) { return tr.getAttribute("data-key") || tr.getAttribute("data-bib"); }

  function rowsOf(root) {
    var out = {};
    root.querySelectorAll("tr[data-bib], tr[data-key]").forEach(function (tr) { out[rowKey(tr)] = tr.textContent; });
    return out;
  }

  function refresh() {
    if (busy) { pending = true; return; }
    busy = true;
    fetch(window.location.href, { headers: { "X-Requested-With": "live" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var before = rowsOf(document);
        document.querySelectorAll("[data-live]").forEach(function (el) {
          var fresh = doc.getElementById(el.id);
          if (fresh) { el.innerHTML = fresh.innerHTML; }
        });
        document.querySelectorAll("tr[data-bib], tr[data-key]").forEach(function (tr) {
          var key = rowKey(tr);
          if (before[key] === undefined || before[key] !== tr.textContent) { tr.classList.add("row-changed"); }
        });
        body.setAttribute("data-position", doc.body.getAttribute("data-position"));
      })
      .catch(function () { /* the next change or reconnection tries again */ })
      .then(function () { busy = false; if (pending) { pending = false; refresh(); } });
  }

  // a page whose data is not all in the journal (live positions) also refetches itself every N s
  var every = Number(body.getAttribute("data-refresh"));
  if (every > 0) { window.setInterval(refresh, every * 1000); }

  var source = new EventSource(url);
  source.onopen = function () { everOpen = true; show("live"); refresh(); };
  source.onerror = function () { if (everOpen) { show("reconnecting"); } };
  source.onmessage = function (e) {
    if (e.lastEventId && Number(e.lastEventId) <= Number(body.getAttribute("data-position"))) { return; }
    refresh();
  };
  source.addEventListener("change", source.onmessage);
})();
