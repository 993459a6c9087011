// Offline copy of the page: precache every file of dist/ on install, answer
// GETs inside this worker's scope from the cache first, and leave everything
// else alone: the LLM call the user asked for, and other pages of the same
// origin (a shared host), which keep their own network behaviour. build.py
// fills in the list and a content hash, so each build installs a fresh cache.
//
// A new version does not take over a running page (its files would no longer
// match the ones the page loaded): it waits, the page offers a Reload
// button, and the button's "skip-waiting" message lets it take over.
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const CACHE = `roledoctor-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // past the HTTP cache: a stale copy must not become part of this version
    // (https://developer.mozilla.org/docs/Web/API/Request/cache)
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
    if (!self.registration.active) await self.skipWaiting(); // the first copy: nothing to replace
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith("roledoctor-") && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  if (event.request.method !== "GET" || !event.request.url.startsWith(self.registration.scope)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(event.request, { ignoreSearch: true });
    return hit ?? fetch(event.request);
  })());
});
