/* Progress of a mass mailing run: asks the server every few seconds and
   reloads the page once the run has finished or failed (to show the files). */
(function () {
  "use strict";
  var box = document.getElementById("ward-run");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var left = document.getElementById("ward-run-left");

  function timeLeft(seconds) {
    if (seconds === null || seconds === undefined) { return left.getAttribute("data-unknown"); }
    if (seconds >= 90) {
      return left.getAttribute("data-minutes").replace("M", Math.round(seconds / 60));
    }
    return left.getAttribute("data-seconds").replace("S", seconds);
  }

  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.onload = function () {
      if (xhr.status !== 200) { return; }
      var p = JSON.parse(xhr.responseText);
      document.getElementById("ward-run-done").textContent = p.done;
      document.getElementById("ward-run-total").textContent = p.total;
      var bar = document.getElementById("ward-run-bar");
      bar.style.width = p.percent + "%";
      bar.textContent = p.percent + "%";
      bar.setAttribute("aria-valuenow", p.percent);
      left.textContent = timeLeft(p.seconds_left);
      if (p.status === "done" || p.status === "failed") {
        window.location.reload();
      } else {
        window.setTimeout(poll, 3000);
      }
    };
    xhr.send();
  }

  var status = box.getAttribute("data-status");
  if (status === "queued" || status === "running") { window.setTimeout(poll, 2000); }
}());
