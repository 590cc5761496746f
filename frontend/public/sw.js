// The app's service worker: it makes the app installable, and opens /tasks without a network
// from the last copy of the page and the built files it used (the list itself comes from the
// page's own persisted query cache, see lib/client/offline.ts).
//
// Only two kinds of request are the worker's: navigations and the build's hashed files under
// /_next/static/. Everything else (API calls, the token route, a delete sent with fetch
// keepalive as the tab goes away, any POST) must never wait for the worker: such a delete was
// lost whenever the worker had to start first (the browser tests saw it on a loaded machine).
// The static routing API lets the browser send those straight to the network without starting
// the worker at all; the fetch handler's own checks are for browsers without it.

// Bump with any change to what is cached or how: old caches are deleted on activation.
const VERSION = "v2";
const SHELL_CACHE = `todo-shell-${VERSION}`;
const ASSET_CACHE = `todo-assets-${VERSION}`;
const SHELL_PATH = "/tasks";
const ASSET_PREFIX = "/_next/static/";

self.addEventListener("install", (event) => {
  if (typeof event.addRoutes === "function") {
    event.waitUntil(
      event
        .addRoutes([
          {
            condition: { not: { or: [{ requestMode: "navigate" }, { urlPattern: new URLPattern({ pathname: `${ASSET_PREFIX}*`, baseURL: self.location.origin }) }] } },
            source: "network",
          },
        ])
        // A browser that knows addRoutes but not these conditions still gets the fetch handler's checks.
        .catch(() => undefined),
    );
  }
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== SHELL_CACHE && name !== ASSET_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.keepalive) return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL_PATH) event.respondWith(shell(request));
  else if (url.pathname.startsWith(ASSET_PREFIX)) event.respondWith(asset(request));
});

/**
 * The tasks page from the network, kept (with the built files it names) for the next time there
 * is none. A redirect (to log in) or an error page is never kept. Offline: the copy for this
 * URL, else the last one for any filter of /tasks.
 */
async function shell(request) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && new URL(response.url).pathname === SHELL_PATH) {
      const cache = await caches.open(SHELL_CACHE);
      const html = await response.clone().text();
      await Promise.all([cache.put(request.url, response.clone()), cache.put(SHELL_PATH, response.clone()), keepAssets(html)]);
    }
    return response;
  } catch (error) {
    const cache = await caches.open(SHELL_CACHE);
    const kept = (await cache.match(request.url)) ?? (await cache.match(SHELL_PATH));
    if (kept) return kept;
    throw error;
  }
}

/** The built files a page names, fetched now so that the page still runs offline. */
async function keepAssets(html) {
  const cache = await caches.open(ASSET_CACHE);
  const paths = new Set(html.match(/\/_next\/static\/[^"'\s)\\]+/g) ?? []);
  await Promise.all(
    [...paths].map(async (path) => {
      if (await cache.match(path)) return;
      const response = await fetch(path).catch(() => null);
      if (response?.ok) await cache.put(path, response);
    }),
  );
}

/** A built file: its name carries its hash, so a kept copy is never stale. */
async function asset(request) {
  const cache = await caches.open(ASSET_CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
