// Marks a timeline's events against the phone's clock, in the regency's time zone: past events,
// today's, and the next ones, each labelled the Indonesian way (H-3, Hari ini, H+1). The page is
// complete without this script; it only adds the "where are we now" that a static build cannot know.
(function () {
  "use strict";
  var DAY = 86400000;

  function dayNumber(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY;
  }

  function mark(timeline) {
    var offsetHours = parseFloat(timeline.getAttribute("data-utc-offset")) || 0;
    // Today's date where the regency is, whatever zone the phone is set to.
    var today = Math.floor((Date.now() + offsetHours * 3600000) / DAY);
    var label = function (name, n) {
      return (timeline.getAttribute("data-" + name) || "").replace("{n}", String(n));
    };
    var events = timeline.querySelectorAll(".event[data-start][data-end]");
    var nextStart = null;
    var i, e, start, end;
    for (i = 0; i < events.length; i++) {
      start = dayNumber(events[i].getAttribute("data-start"));
      if (start > today && (nextStart === null || start < nextStart)) nextStart = start;
    }
    for (i = 0; i < events.length; i++) {
      e = events[i];
      start = dayNumber(e.getAttribute("data-start"));
      end = dayNumber(e.getAttribute("data-end"));
      var text, state;
      if (end < today) {
        state = "is-past";
        text = label("after", today - end);
      } else if (start > today) {
        state = start === nextStart ? "is-next" : "is-future";
        text = label("before", start - today);
        if (start === nextStart) text += " · " + label("next");
      } else {
        state = "is-today";
        text = start === end ? label("today") : label("ongoing");
        e.setAttribute("aria-current", "date");
      }
      e.classList.add(state);
      var badge = e.querySelector(".event-when");
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "event-when";
        var date = e.querySelector(".event-date");
        if (date) date.appendChild(badge);
      }
      badge.textContent = text;
    }
    timeline.classList.add("is-marked");
  }

  var timelines = document.querySelectorAll(".timeline[data-utc-offset]");
  for (var t = 0; t < timelines.length; t++) mark(timelines[t]);
})();
