// The stewards' board: confirm or dismiss a proposed penalty through the stewards' write API
// (POST /api/v1/penalties/{id}/decision, a steward's bearer token, an Idempotency-Key per click).
// The token is pasted once and kept in sessionStorage (this tab only, gone when it closes). The
// board itself is refreshed by live.js when the decision comes back on the event stream.
(function () {
  "use strict";
  var KEY = "raidcontrol.stewardToken";
  var form = document.getElementById("steward-token");
  var input = document.getElementById("token");
  var state = document.getElementById("token-state");
  var reason = document.getElementById("decision-reason");
  var message = document.getElementById("decision-message");
  if (!form || !window.fetch || !window.sessionStorage) { return; }

  function token() { return window.sessionStorage.getItem(KEY) || ""; }
  function show() {
    state.textContent = state.getAttribute(token() ? "data-signed-in" : "data-signed-out");
    state.className = token() ? "signed-in" : "signed-out";
  }
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "board-" + Date.now() + "-" + Math.random().toString(36).slice(2);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (input.value.trim()) { window.sessionStorage.setItem(KEY, input.value.trim()); }
    input.value = "";
    show();
  });
  document.getElementById("token-forget").addEventListener("click", function () {
    window.sessionStorage.removeItem(KEY);
    show();
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("button.decide") : null;
    if (!button) { return; }
    var table = button.closest("table");
    var url = table.getAttribute("data-decision-url").replace("{id}", button.getAttribute("data-id"));
    var row = button.closest("tr");
    row.querySelectorAll("button.decide").forEach(function (b) { b.disabled = true; });
    message.textContent = "";
    fetch(url, {
      method: "POST",
      headers: {
        "Authorization": "Bearer " + token(),
        "Idempotency-Key": newKey(),
        "Content-Type": "application/json"
      },
      body: JSON.stringify({ decision: button.getAttribute("data-decision"), reason: reason.value || "-" })
    }).then(function (r) {
      if (r.ok) { return; }
      return r.text().then(function (text) {
        message.textContent = message.getAttribute("data-failed") + " " + r.status + ": " + text;
        row.querySelectorAll("button.decide").forEach(function (b) { b.disabled = false; });
      });
    }).catch(function (err) {
      message.textContent = message.getAttribute("data-failed") + " " + err;
      row.querySelectorAll("button.decide").forEach(function (b) { b.disabled = false; });
    });
  });
  show();
})();
