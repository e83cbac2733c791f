/* Returns batch screen: each number typed or scanned is sent at once and its
   answer added to the top of the list (an aria-live log), without leaving the
   page; the box is emptied and keeps the focus for the next one.  Without this
   script the form posts and the page comes back with the answer. */
(function () {
  "use strict";
  var form = document.getElementById("ward-batch");
  if (!form || !window.fetch || !window.FormData) { return; }
  var box = document.getElementById("control_no");
  var answers = document.getElementById("ward-answers");
  var busy = false;
  var queue = [];

  function show(ok, message) {
    var item = document.createElement("li");
    item.className = "alert " + (ok ? "alert-success" : "alert-danger");
    item.textContent = message;
    answers.insertBefore(item, answers.firstChild);
  }

  function next() {
    if (busy || !queue.length) { return; }
    busy = true;
    var data = queue.shift();
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (resp) {
      return resp.json();
    }).then(function (answer) {
      show(answer.ok, answer.message);
    }).catch(function () {
      show(false, form.getAttribute("data-failed") || "?");
    }).then(function () {
      busy = false;
      next();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!box.value.trim()) { return; }
    queue.push(new FormData(form));
    box.value = "";
    box.focus();
    next();
  });
}());
