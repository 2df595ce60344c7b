// Task lists of a module as checklists for the day: ticks are kept on this device (localStorage),
// per module and per item text, so an edit elsewhere in the module does not move them; a button
// clears them all. Without this script the boxes still tick, they are just not kept.
(function () {
  "use strict";
  var bar = document.querySelector(".checklist-bar");
  var boxes = [].slice.call(document.querySelectorAll(".prose .task input[type=checkbox]"));
  if (!bar || !boxes.length) return;
  var store = null;
  try { store = window.localStorage; } catch (e) { /* storage may be blocked */ }
  var key = "bimtek-checklist:" + location.pathname;
  var seen = {};
  var names = boxes.map(function (box) {
    var text = box.parentNode.textContent.replace(/\s+/g, " ").trim();
    seen[text] = (seen[text] || 0) + 1;
    return seen[text] > 1 ? text + " #" + seen[text] : text;
  });
  var defaults = boxes.map(function (box) { return box.defaultChecked; });
  var progress = bar.querySelector(".checklist-progress");
  var pattern = progress.getAttribute("data-pattern");

  function load() {
    var saved = null;
    try { saved = JSON.parse(store && store.getItem(key) || "null"); } catch (e) { saved = null; }
    boxes.forEach(function (box, i) {
      box.checked = saved && names[i] in saved ? saved[names[i]] : defaults[i];
    });
  }
  function show() {
    var done = boxes.filter(function (box) { return box.checked; }).length;
    progress.textContent = pattern.replace("{done}", done).replace("{total}", boxes.length);
  }
  function save() {
    var state = {};
    boxes.forEach(function (box, i) { state[names[i]] = box.checked; });
    try { if (store) store.setItem(key, JSON.stringify(state)); } catch (e) { /* full or blocked */ }
    show();
  }

  boxes.forEach(function (box) { box.addEventListener("change", save); });
  bar.querySelector(".checklist-reset").addEventListener("click", function () {
    try { if (store) store.removeItem(key); } catch (e) { /* blocked */ }
    boxes.forEach(function (box, i) { box.checked = defaults[i]; });
    show();
  });
  load();
  show();
  bar.hidden = false;
})();
