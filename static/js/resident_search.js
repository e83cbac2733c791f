/* Search-as-you-type for the people search box: up to 10 people in a list
   under the box, as the WAI-ARIA combobox pattern (list autocomplete) has it.
   The box keeps the focus throughout: ↓ opens the list (asking at once if the
   last answer was for other text) and moves down, ↑ moves up, both wrap round;
   Enter opens the chosen person (with none chosen it submits the full search);
   Esc closes the list (a closed list: the browser's own Esc clears the box).
   The chosen option is aria-activedescendant of the box, and a status line
   tells screen readers how many people were suggested.
   Served from static/ (no inline script, no CDN). */
(function () {
  "use strict";
  var box = document.getElementById("q");
  var list = document.getElementById("ward-suggest");
  var status = document.getElementById("ward-suggest-status");
  if (!box || !list || !box.dataset.lookup) { return; }
  var timer = null;
  var asked = null;     // the text of the last request made
  var answered = null;  // the text whose answer the list holds
  var active = -1;      // the chosen option, -1 for none
  var chooseFirst = false;  // ↓ pressed before the answer came

  function options() { return list.querySelectorAll("[role=option]"); }

  function choose(index) {
    var items = options();
    active = index;
    for (var i = 0; i < items.length; i++) {
      items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      items[i].classList.toggle("active", i === index);
    }
    if (index >= 0 && items[index]) {
      box.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    choose(-1);
  }

  function open() {
    if (!options().length) { return false; }
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    return true;
  }

  function clear() {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    answered = null;
    close();
  }

  function announce(n) {
    if (!status) { return; }
    status.textContent = n ? status.dataset.found.replace("{n}", n) : status.dataset.none;
  }

  function go(index) {
    var item = options()[index];
    if (item) { window.location.assign(item.dataset.url); }
  }

  function option(p, i) {
    var item = document.createElement("li");
    item.id = "ward-suggest-" + i;
    item.className = "list-group-item";
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    item.dataset.url = p.url;
    var name = document.createElement("strong");
    name.textContent = p.name;
    var rest = document.createElement("span");
    rest.className = "ward-muted";
    rest.textContent = " " + p.kana + " / " + p.birth_date + " / " + p.resident_no;
    item.appendChild(name);
    item.appendChild(rest);
    // a click must not take the focus from the box before it counts
    item.addEventListener("mousedown", function (e) { e.preventDefault(); });
    item.addEventListener("click", function () { go(i); });
    return item;
  }

  function show(text, people) {
    clear();
    people.forEach(function (p, i) { list.appendChild(option(p, i)); });
    answered = text;
    announce(people.length);
    if (open() && chooseFirst) { choose(0); }
    chooseFirst = false;
  }

  function ask() {
    var text = box.value.trim();
    if (text === asked) { return; }
    asked = text;
    if (!text) { clear(); return; }
    fetch(box.dataset.lookup + "?q=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : []; })
      .then(function (people) { if (box.value.trim() === text) { show(text, people); } })
      .catch(function () { asked = null; clear(); });
  }

  function down() {
    if (!box.value.trim()) { return; }
    if (!list.hidden) {
      choose(active + 1 < options().length ? active + 1 : 0);
    } else if (answered === box.value.trim()) {
      if (open()) { choose(0); }
    } else {
      chooseFirst = true;
      clearTimeout(timer);
      ask();
    }
  }

  function up() {
    var n = options().length;
    choose(active > 0 ? active - 1 : n - 1);
  }

  box.addEventListener("input", function () {
    chooseFirst = false;
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  box.addEventListener("keydown", function (e) {
    if (e.isComposing) { return; }  // keys of the Japanese input method
    var expanded = !list.hidden;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      down();
    } else if (e.key === "ArrowUp" && expanded) {
      e.preventDefault();
      up();
    } else if (e.key === "Enter" && expanded && active >= 0) {
      e.preventDefault();
      go(active);
    } else if (e.key === "Escape" && expanded) {
      e.preventDefault();
      close();
    }
  });
  box.addEventListener("blur", close);
})();
