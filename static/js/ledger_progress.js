/* The ledger migration's run page: poll the run's progress while it is read
   or imported, and reload the page (with the report) when it has finished. */
(function () {
  "use strict";
  var panel = document.getElementById("ledger-progress");
  if (!panel) { return; }
  var url = panel.getAttribute("data-progress-url");
  var text = document.getElementById("ledger-progress-text");
  var bar = document.getElementById("ledger-progress-bar");
  // The words come from the page (translated there), not from this file.
  function say(name) { return panel.getAttribute("data-msg-" + name) || ""; }
  var phases = { queued: say("queued"), checking: say("checking"), applying: say("applying") };

  function show(data) {
    var percent = 5;
    var message = phases[data.phase] || say("reading");
    if (data.phase && data.phase.indexOf("reading:") === 0 && data.total) {
      percent = Math.max(5, Math.round(80 * data.done / data.total));
      message = say("sheet").replace("{sheet}", data.phase.slice(8))
        .replace("{n}", String(data.done + 1)).replace("{total}", String(data.total));
    } else if (data.phase === "checking" || data.phase === "applying") {
      percent = 90;
    }
    text.textContent = message;
    bar.style.width = percent + "%";
    bar.setAttribute("aria-valuenow", String(percent));
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 3000); return; }
        if (data.status !== "running") { window.location.reload(); return; }
        show(data);
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
