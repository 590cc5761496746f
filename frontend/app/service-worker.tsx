"use client";

import { useEffect } from "react";

/**
 * Registers /sw.js (public/sw.js) from the bundle, not an inline script, so a strict
 * Content-Security-Policy allows it. Production only: the dev server's files are not hashed,
 * and a cached one would hide an edit.
 */
export function ServiceWorker() {
  useEffect(() => {
    if (process.env.NODE_ENV !== "production" || !("serviceWorker" in navigator)) return;
    // Without it the app still works; it only cannot be installed.
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
  }, []);
  return null;
}
