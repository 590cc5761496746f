// Debian's chromium, driven by playwright-core (no browser download needed).
import assert from "node:assert/strict";
import { afterEach } from "node:test";

import { chromium } from "playwright-core";

/** Logged by each page for every Content-Security-Policy violation (the browser's own errors too). */
const CSP_VIOLATION = /Content Security Policy|CSP violation/;

/** The violations of every browser this test file launched, since the last test ended. */
const violations = [];

function assertNoCspViolations() {
  assert.deepEqual(violations.splice(0), [], "a page broke its Content-Security-Policy");
}

// Each test fails on the violations that happened during it; `close` catches any left after.
afterEach(assertNoCspViolations);

/** For a test that provokes violations on purpose: waits for `count` of them and takes them. */
export async function takeCspViolations(count) {
  await eventually(() => assert.ok(violations.length >= count, `${violations.length} of ${count} violations`));
  return violations.splice(0);
}

/** Collects the context's violations, whether reported by the event or by the console. */
async function watchCspViolations(context) {
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"} in ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  context.on("console", (message) => {
    if (message.type() === "error" && CSP_VIOLATION.test(message.text())) violations.push(`${message.page()?.url()}: ${message.text()}`);
  });
  return context;
}

/**
 * Every page of every context keeps its Content-Security-Policy, or the test fails: each
 * violation, whether reported by the `securitypolicyviolation` event or the console, is collected.
 */
function failOnCspViolations(browser) {
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    return watchCspViolations(await newContext(options));
  };
  // Like playwright's own newPage: a context for the page alone, closed with it.
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    // Closing the browser closes the page, and its context with it.
    page.once("close", () => context.close().catch(() => {}));
    return page;
  };
  const close = browser.close.bind(browser);
  browser.close = async () => {
    await close();
    assertNoCspViolations();
  };
  return browser;
}

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

export async function launchBrowser() {
  return failOnCspViolations(await chromium.launch(OPTIONS));
}

/** A browser with a profile on disk (not incognito): what installing a web app needs. */
export async function launchPersistentBrowser(userDataDir) {
  return watchCspViolations(await chromium.launchPersistentContext(userDataDir, OPTIONS));
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
