// The offline copy of one regency site. The build puts VERSION (a hash of every file) and FILES
// (every file of the site) above this. Each version keeps its own complete cache and answers only
// from it. A new version downloads in the background and takes over only once it holds every
// file; the open pages then reload (offline.js), so no page ever mixes files of two builds.
"use strict";
var CACHE = "bimtek-" + VERSION;
var PREFIX = "bimtek-" + VERSION.slice(0, VERSION.lastIndexOf("-") + 1);

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    // "reload" skips the HTTP cache, which may still hold files of the previous build.
    return cache.addAll(FILES.map(function (file) { return new Request(file, { cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      // Only this regency's older builds: other regencies on the same host keep theirs.
      return name.indexOf(PREFIX) === 0 && /^[0-9a-f]{16}$/.test(name.slice(PREFIX.length)) && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || request.url.indexOf(self.registration.scope) !== 0) return;
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (hit) {
      if (hit) return hit;
      return fetch(request).catch(function () {
        // Offline, at an address the site does not have: its home page rather than an error.
        if (request.mode === "navigate") return cache.match("./");
        return Response.error();
      });
    });
  }));
});
