/* Service worker of the auditor's tablet, served at /audits/sw.js (scope /audits/) by audits.views.grading.
 *
 * - Grading pages (/audits/<pk>/notation/): network first, so that an online tablet always sees the server's
 *   grades; the answer is kept, and served from the cache when the network is down (whatever ?partie= asks:
 *   the page's script shows the asked commitment itself).
 * - Static assets (STATIC_URL): cache first, refreshed in the background.
 * - Everything else (the JSON endpoints, photos, other pages) goes to the network untouched.
 * The page sends, once the worker is ready, the list of URLs it loaded before the worker controlled it
 * ({type: "cache-urls", urls: [...]}); the worker caches them and answers on the message's port.
 */
"use strict";

const CACHE = "labelsp-audits-v1";
const STATIC_URL = "__STATIC_URL__";
const GRADING_PAGE = /^\/audits\/\d+\/notation\/$/;
const OFFLINE_PAGE =
  "<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Hors ligne</title>" +
  "<p>Hors ligne : cette page n’a pas encore été ouverte sur cet appareil. Reconnectez-vous au réseau.</p></html>";

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith("labelsp-audits-") && name !== CACHE).map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

function pageKey(url) {
  // One cached copy per audit, whatever the query string.
  return url.origin + url.pathname;
}

function isStatic(url) {
  return url.pathname.startsWith(STATIC_URL);
}

async function networkFirstPage(request, url) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && response.type === "basic") {
      await cache.put(pageKey(url), response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(pageKey(url), { ignoreVary: true });
    if (cached) {
      return cached;
    }
    return new Response(OFFLINE_PAGE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}

async function cacheFirstStatic(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request, { ignoreVary: true });
  const refresh = fetch(event.request)
    .then(async (response) => {
      if (response.ok && response.type === "basic") {
        await cache.put(event.request, response.clone());
      }
      return response;
    })
    .catch(() => null);
  if (cached) {
    event.waitUntil(refresh);
    return cached;
  }
  const response = await refresh;
  return response || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && GRADING_PAGE.test(url.pathname)) {
    event.respondWith(networkFirstPage(request, url));
  } else if (isStatic(url)) {
    event.respondWith(cacheFirstStatic(event));
  }
});

async function cacheUrls(urls) {
  const cache = await caches.open(CACHE);
  await Promise.all(
    urls.map(async (raw) => {
      let url;
      try {
        url = new URL(raw, self.location.origin);
      } catch (error) {
        return;
      }
      if (url.origin !== self.location.origin) {
        return;
      }
      const page = GRADING_PAGE.test(url.pathname);
      if (!page && !isStatic(url)) {
        return;
      }
      const key = page ? pageKey(url) : url.href;
      if (!page && (await cache.match(key, { ignoreVary: true }))) {
        return;
      }
      try {
        const response = await fetch(url.href, { credentials: "same-origin" });
        if (response.ok && !response.redirected) {
          await cache.put(key, response);
        }
      } catch (error) {
        // Offline meanwhile: the next online visit caches it.
      }
    }),
  );
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "cache-urls" || !Array.isArray(data.urls)) {
    return;
  }
  event.waitUntil(
    cacheUrls(data.urls).then(() => {
      if (event.ports && event.ports[0]) {
        event.ports[0].postMessage({ type: "cached" });
      }
    }),
  );
});
