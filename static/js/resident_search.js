/* Search-as-you-type for the people search box: up to 10 people, each a link.
   Served from static/ (no inline script, no CDN). */
(function () {
  "use strict";
  var box = document.getElementById("q");
  var list = document.getElementById("ward-suggest");
  if (!box || !list || !box.dataset.lookup) { return; }
  var timer = null;
  var lastAsked = "";

  function clear() {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    list.hidden = true;
  }

  function show(people) {
    clear();
    people.forEach(function (p) {
      var item = document.createElement("a");
      item.className = "list-group-item";
      item.href = p.url;
      var name = document.createElement("strong");
      name.textContent = p.name;
      var rest = document.createElement("span");
      rest.className = "ward-muted";
      rest.textContent = " " + p.kana + " / " + p.birth_date + " / " + p.resident_no;
      item.appendChild(name);
      item.appendChild(rest);
      list.appendChild(item);
    });
    list.hidden = people.length === 0;
  }

  function ask() {
    var text = box.value.trim();
    if (text === lastAsked) { return; }
    lastAsked = text;
    if (!text) { clear(); return; }
    fetch(box.dataset.lookup + "?q=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : []; })
      .then(function (people) { if (box.value.trim() === text) { show(people); } })
      .catch(clear);
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { clear(); }
  });
})();
