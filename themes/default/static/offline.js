// Keeps the regency site available offline through its service worker (sw.js). When a new build
// has been downloaded whole, the worker takes over and this page reloads into it, keeping its
// address (and so its search query), so a page never shows a mix of two builds.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var script = document.currentScript;
  var worker = script && script.getAttribute("data-worker");
  if (!worker) return;
  // The first install takes control silently; a later one brings a new build.
  var updating = !!navigator.serviceWorker.controller;
  var reloaded = false;
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (updating && !reloaded) {
      reloaded = true;
      location.reload();
    }
  });
  var url = worker;
  // Under the site's Content-Security-Policy a script URL must come through a Trusted Types policy;
  // this one lets through the worker's own address and nothing else.
  if (window.trustedTypes && window.trustedTypes.createPolicy) {
    url = window.trustedTypes.createPolicy("bimtek-offline", {
      createScriptURL: function (u) {
        if (u !== worker) throw new TypeError("not the site's service worker: " + u);
        return u;
      }
    }).createScriptURL(worker);
  }
  navigator.serviceWorker.register(url).catch(function () {});
})();
