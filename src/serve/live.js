// Added by `bimtek serve` to every page it serves (never to a built site). It listens for builds:
// a page reloads when a file it shows changed, and a failed build shows its errors over the page,
// which stays the last good one until the content is fixed.
(function () {
  "use strict";
  var script = document.currentScript;
  var known = Number(script.getAttribute("data-generation"));
  var here = location.pathname.replace(/^\//, "");
  if (here === "" || /\/$/.test(here)) here += "index.html";

  function shows(path) {
    if (path === here) return true;
    return [].some.call(document.querySelectorAll("link[href], script[src], img[src]"), function (e) {
      var url = new URL(e.getAttribute("href") || e.getAttribute("src"), location.href);
      return url.origin === location.origin && url.pathname.replace(/^\//, "") === path;
    });
  }

  var overlay = null;
  function showErrors(errors) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "bimtek-errors";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.96);" +
        "color:#fff;font:14px/1.5 ui-monospace,monospace;padding:1rem";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("h2");
    title.textContent = "The build failed: " + errors.length + " problem" + (errors.length === 1 ? "" : "s") +
      ". The last good site is still served; fix the file and save.";
    title.style.cssText = "font-size:16px;margin:0 0 1rem;color:#ff8a8a";
    overlay.appendChild(title);
    errors.forEach(function (error) {
      var pre = document.createElement("pre");
      pre.className = "bimtek-error";
      pre.style.cssText = "white-space:pre-wrap;margin:0 0 1rem;padding:.5rem;border-left:3px solid #ff8a8a";
      pre.textContent = error;
      overlay.appendChild(pre);
    });
  }

  // The server renders the pages that are open first, before the rest of the site.
  var page = here;
  try { page = decodeURIComponent(here); } catch (e) { /* keep it encoded */ }
  var source = new EventSource("/__bimtek/events?since=" + known + "&page=" + encodeURIComponent(page));
  source.onmessage = function (message) {
    var build = JSON.parse(message.data);
    if (build.generation <= known) return;
    known = build.generation;
    if (build.errors.length) {
      showErrors(build.errors);
      return;
    }
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
    if (!build.changed || build.changed.some(shows)) {
      source.close();
      location.reload();
    }
  };
})();
