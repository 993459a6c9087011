// Offline copy of the page: precache every file of dist/ on install, answer
// same-origin GETs from the cache first, and pass everything else (the LLM
// call the user asked for) to the network. build.py fills in the list and a
// content hash, so each build installs a fresh cache and drops the old one.
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const CACHE = `roledoctor-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(event.request, { ignoreSearch: true });
    return hit ?? fetch(event.request);
  })());
});
