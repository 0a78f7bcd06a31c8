// The door's service worker (its scope: /door/). It keeps the scanning page of each
// performance and the page's scripts and styles on this device, so that a reload with the
// network down (or a tab the phone's browser dropped) opens the page again and the door
// keeps scanning; door.js keeps the scans and sends them when the network is back.
// Online, the network answers first and what it says is kept; the device's copy answers
// only when the network does not. Kept: the scanning page as it is opened (never with a
// search's guests), until its staff session would end unused or its staff sign out; opened
// in a browser closed since, the page finds nobody signed in and has it forgotten (door.js).
"use strict";
var FILES = {{ files|safe }}.map(function (f) { return new URL(f, self.location).href; });
var STATIC = "boxoffice-door-files-{{ version }}", PAGES = "boxoffice-door-pages";
var SESSION_ENDS = "{{ session_ends }}";
var SCOPE = new URL(self.registration.scope).pathname;
var SCANNING_PAGE = new RegExp("^" + SCOPE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "performances/\\d+/$");

self.addEventListener("install", function (event) {
  // Fetched again, not taken from the browser's cache: this deployment's files.
  event.waitUntil(caches.open(STATIC).then(function (cache) {
    return cache.addAll(FILES.map(function (f) { return new Request(f, {cache: "no-cache"}); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  // An earlier deployment's files go.
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("boxoffice-door-files-") === 0 && n !== STATIC; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function forget() { return caches.delete(PAGES); }

// Sent to the sign-in page, or refused (signed in as someone who is not door staff): no
// page kept on this device is shown to them.
function signedOut(response) {
  return response.type === "opaqueredirect" || response.redirected || response.status === 401 ||
    response.status === 403;
}

function keep(path, response) {
  if (response.status !== 200 || response.type !== "basic" || !response.headers.get(SESSION_ENDS)) return;
  return caches.open(PAGES).then(function (cache) { return cache.put(path, response); });
}

function kept(path) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(path).then(function (response) {
      if (!response) return null;
      if (Number(response.headers.get(SESSION_ENDS)) * 1000 > Date.now()) return response;
      return cache.delete(path).then(function () { return null; });  // signed out by now
    });
  });
}

function page(event, path) {
  return fetch(event.request).then(function (response) {
    if (signedOut(response)) event.waitUntil(forget());
    else event.waitUntil(Promise.resolve(keep(path, response.clone())));
    return response;
  }, function (error) {
    return kept(path).then(function (response) { if (response) return response; throw error; });
  });
}

function file(event) {
  return caches.open(STATIC).then(function (cache) {
    return fetch(event.request).then(function (response) {
      if (response.ok) event.waitUntil(cache.put(event.request, response.clone()));
      return response;
    }, function (error) {
      return cache.match(event.request).then(function (response) { if (response) return response; throw error; });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && url.origin === self.location.origin) {
    if (SCANNING_PAGE.test(url.pathname) && !url.search) event.respondWith(page(event, url.pathname));
    else event.respondWith(fetch(request).then(function (response) {
      if (signedOut(response)) event.waitUntil(forget());
      return response;
    }));
  } else if (FILES.indexOf(url.href) >= 0) {
    event.respondWith(file(event));
  }
});

// The scanning page opened before this worker was there asks for itself to be kept; one
// kept here, opened in a browser closed since, finds nobody signed in and asks for the pages
// kept to be forgotten (door.js).
self.addEventListener("message", function (event) {
  if (event.data && event.data.forget === true) { event.waitUntil(forget()); return; }
  var path = event.data && event.data.keep;
  if (typeof path !== "string" || !SCANNING_PAGE.test(path)) return;
  event.waitUntil(fetch(path, {cache: "no-store", redirect: "manual"}).then(function (response) {
    return signedOut(response) ? forget() : keep(path, response);
  }, function () {}));
});
