// The app's service worker: what makes the app installable. It has no fetch handler on
// purpose: with one, every request of a controlled page goes through the worker, and a delete
// sent with fetch keepalive as the tab goes away (lib/client/undo.ts) was lost whenever the
// worker had to start first (the browser tests saw it on a loaded machine). Pages, built files
// and API calls all go to the network as if there were no worker.
self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      // Caches of the worker's first version, which kept the built files.
      for (const name of await caches.keys()) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});
