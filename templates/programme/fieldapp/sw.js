// The offline app's service worker: it keeps the app's page and static files so that /hors-ligne/
// opens with no network. Every other address of the site goes to the network as if it were not
// here; no API answer and no person page is ever cached.
const VERSION = "{{ version|escapejs }}";
const CACHE = `ddr-shell-${VERSION}`;
const APP = "{{ app_url|escapejs }}";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

async function keep(cache, url) {
  try {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
    // A signed-out browser gets the login page instead: never keep that as the app.
    if (response.ok && !response.redirected) await cache.put(url, response);
  } catch (error) {
    console.warn("not cached", url, error);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await Promise.all(SHELL.map((url) => keep(cache, url)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("ddr-shell-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The page: from the network when there is one (and kept fresh), else the kept copy.
async function appPage(request) {
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && !response.redirected) {
      const cache = await caches.open(CACHE);
      await cache.put(APP, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await caches.match(APP, { cacheName: CACHE });
    if (kept) return kept;
    throw error;
  }
}

// Static files: their names change with their content in production, so the kept copy is right.
async function staticFile(request, path) {
  const kept = await caches.match(path, { cacheName: CACHE });
  return kept || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === APP) event.respondWith(appPage(request));
  else if (SHELL.includes(url.pathname)) event.respondWith(staticFile(request, url.pathname));
});
