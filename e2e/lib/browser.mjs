// Debian's chromium, driven by playwright-core (no browser download needed).
import { chromium } from "playwright-core";

const OPTIONS = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export function launchBrowser() {
  return chromium.launch(OPTIONS);
}

/** A browser with a profile on disk (not incognito): what installing a web app needs. */
export function launchPersistentBrowser(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, OPTIONS);
}

/** Polls `check` until it stops throwing; playwright-core has no `expect`. */
export async function eventually(check, { timeout = 10_000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}
