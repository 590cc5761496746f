// The tasks app as one people keep open (issue 21): phone first, the keyboard, input never lost,
// changes in place, accessible in both themes (axe, WCAG 2.2 AA), installable; and the pictures
// in docs/screenshots/ (scripts/screenshots.sh copies them there from artifacts/e2e/screenshots/).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { AxeBuilder } from "@axe-core/playwright";

import { eventually, launchBrowser, launchPersistentBrowser } from "../lib/browser.mjs";
import { callApi, expectTitles, openFilters, sessionToken, signUp, titles } from "../lib/pages.mjs";
import { ROOT, startSystem } from "../lib/system.mjs";

const ARTIFACTS = path.join(ROOT, "artifacts/e2e");
const SCREENSHOTS = path.join(ARTIFACTS, "screenshots");
const run = Date.now().toString(36);
const pia = { name: "Pia Phone", email: `pia-${run}@example.com`, password: "a phone in one hand" };
const rowan = { name: "Rowan Rows", email: `rowan-${run}@example.com`, password: "two hundred rows" };
const WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const PHONE = { width: 390, height: 844 };

/** Every axe finding against WCAG 2.2 A and AA, whatever its impact, in the colour scheme given. */
async function expectNoViolations(page, colorScheme, where) {
  await page.emulateMedia({ colorScheme });
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_22_AA).analyze();
  const found = violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(found, [], `${where}, ${colorScheme}`);
}

async function bothThemes(page, where) {
  await expectNoViolations(page, "light", where);
  await expectNoViolations(page, "dark", where);
  await page.emulateMedia({ colorScheme: "light" });
}

/** The visible controls smaller than 44×44 px (a finger's width). */
const smallTargets = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("button, a, input, select, summary")]
      .filter((el) => el.checkVisibility({ visibilityProperty: true }) && el.getBoundingClientRect().width > 0)
      .filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width < 44 || box.height < 44;
      })
      .map((el) => `${el.tagName} ${el.getAttribute("aria-label") ?? el.textContent?.trim()}`),
  );

const focusedLabel = (page) => page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.tagName);

/** The width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString("latin1"), "PNG");
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe("the tasks app (issue 21)", { timeout: 300_000 }, () => {
  let system;
  let browser;
  let context;
  let page;

  /** The backend as the page's user, straight over HTTP (to set up and to check). */
  const api = (method, route, body) => callApi(page, system.apiUrl, method, route, body);

  before(async () => {
    system = await startSystem({ tokenTtlSeconds: 900 });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
    page = await context.newPage();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await system?.stop();
  });

  test("1. on a 390×844 phone: the add field and five rows without scrolling, 44 px targets, filters closed as chips", async () => {
    await signUp(page, system.frontendUrl, pia);
    for (const [index, title] of ["Buy bread", "Call the bank", "Book dentist", "Pack for trip", "Return library books", "Plan the week"].entries()) {
      await api("POST", "/tasks", { title, priority: index === 1 ? "high" : "none", tags: index === 2 ? ["health"] : [] });
    }
    await page.reload();
    await expectTitles(page, ["Plan the week", "Return library books", "Pack for trip", "Book dentist", "Call the bank", "Buy bread"]);

    const seen = await page.evaluate(() => {
      const bottom = (el) => el.getBoundingClientRect().bottom;
      const rows = [...document.querySelectorAll('ul[aria-label="Tasks"] > li')];
      return {
        addField: bottom(document.getElementById("quick-add-input")) <= window.innerHeight,
        rowsInView: rows.filter((row) => bottom(row) <= window.innerHeight).length,
        scrolled: window.scrollY,
      };
    });
    assert.deepEqual({ ...seen, rowsInView: Math.min(seen.rowsInView, 5) }, { addField: true, rowsInView: 5, scrolled: 0 });

    // Search, sort and filters wait behind one closed button.
    assert.equal(await page.getByRole("button", { name: /^Filters/ }).getAttribute("aria-expanded"), "false");
    assert.equal(await page.getByLabel("Search").isVisible(), false);

    assert.deepEqual(await smallTargets(page), [], "every touch target is at least 44×44 px");

    // A tag on a row filters; the filter shows as a chip that removes it.
    await page.getByRole("button", { name: "Show tasks tagged health" }).click();
    await expectTitles(page, ["Book dentist"]);
    await page.getByRole("button", { name: "Remove tag filter health" }).click();
    await eventually(async () => assert.equal((await titles(page)).length, 6));
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-controls")), "filter-panel", "focus stays near the chip");
    await page.screenshot({ path: path.join(SCREENSHOTS, "tasks-phone.png") });

    // The views are a drawer behind the menu button.
    await page.getByRole("button", { name: "Menu" }).click();
    await page.getByRole("link", { name: "Today" }).waitFor();
    assert.deepEqual(await smallTargets(page), [], "in the drawer too");
    await bothThemes(page, "/tasks on a phone, drawer open");
    await page.keyboard.press("Escape");
    assert.equal(await focusedLabel(page), "Menu");

    await page.setViewportSize({ width: 320, height: 700 });
    const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth);
    assert.equal(overflow, 0, "no horizontal scroll at 320 px");
    await openFilters(page);
    assert.equal(await page.evaluate(() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth), 0);
    await bothThemes(page, "/tasks at 320 px, filters open");
  });

  test("2. no lost input: typing goes on while a create is in flight, and the field loses only what was sent", async () => {
    await page.setViewportSize(PHONE);
    await page.reload();
    const line = page.getByLabel("New task", { exact: true });
    // The first create is held until the next task has been typed.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    const hold = async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      await held;
      return route.continue();
    };
    await page.route(`${system.apiUrl}/tasks`, hold);
    await line.fill("Alpha task");
    await line.press("Enter");
    await page.keyboard.type("Human bravo");
    assert.equal(await line.inputValue(), "Human bravo");
    release();
    await page.getByRole("checkbox", { name: "Complete Alpha task" }).waitFor();
    assert.equal(await line.inputValue(), "Human bravo");
    await line.press("Enter");
    await page.getByRole("checkbox", { name: "Complete Human bravo" }).waitFor();
    await page.unroute(`${system.apiUrl}/tasks`, hold);
    const stored = (await api("GET", "/tasks?limit=100")).map((task) => task.title);
    assert.ok(stored.includes("Alpha task") && stored.includes("Human bravo"), stored.join(", "));
    assert.equal(await line.inputValue(), "");

    // A date whose day has passed this year names the year it chose (yesterday, read without a year).
    const yesterday = new Date();
    yesterday.setDate(yesterday.getDate() - 1);
    if (yesterday.getFullYear() === new Date().getFullYear()) {
      const words = yesterday.toLocaleDateString("en-US", { month: "short", day: "numeric" }).toLowerCase();
      await line.fill(`Party ${words}`);
      const chip = page.getByRole("list", { name: "Understood from the line" }).getByText(/^Due:/);
      assert.match(await chip.textContent(), new RegExp(String(yesterday.getFullYear() + 1)));
    }
    await line.fill("");
  });

  test("3. the edit form reads quick-add syntax as the add field does", async () => {
    // The same person at a desk: a mouse and a keyboard (the phone's context has touch, no hover).
    const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await desk.addCookies(await context.cookies());
    page = await desk.newPage();
    await page.goto(`${system.frontendUrl}/tasks`);
    await page.getByRole("button", { name: "Edit Buy bread" }).click();
    await page.getByLabel("Edit title").fill("Buy bread tomorrow !high #shop");
    await page.getByText(/^Understood: priority High, due .*, #shop\.$/).waitFor();
    await page.keyboard.press("Enter");
    await page.getByRole("checkbox", { name: "Complete Buy bread" }).waitFor();
    // The row shows the change at once; the server has it once the PATCH is answered.
    await eventually(async () => {
      const [task] = await api("GET", "/tasks?q=bread");
      assert.deepEqual([task.title, task.priority, task.tags, Boolean(task.due_date)], ["Buy bread", "high", ["shop"], true]);
    });
    assert.equal(await focusedLabel(page), "Complete Buy bread", "focus returns to the task");
  });

  test("4. the keyboard: one Tab stop, j/k, x, t, 1–4, e, Delete and undo, g then t, the ? sheet; focus never lost", async () => {
    await page.reload();
    await page.getByRole("checkbox", { name: "Complete Human bravo" }).waitFor();
    const line = page.getByLabel("New task", { exact: true });
    await line.focus();
    let label = null;
    let tabs = 0;
    while (tabs < 3 && !label?.startsWith("Complete ")) {
      await page.keyboard.press("Tab");
      tabs += 1;
      label = await focusedLabel(page);
    }
    assert.equal(label, "Complete Human bravo", `the first task is ${tabs} Tabs from the add field`);
    // One Tab stop: the next Tab leaves the list.
    await page.keyboard.press("Tab");
    assert.doesNotMatch(await focusedLabel(page), /^Complete /);
    await page.keyboard.press("Shift+Tab");
    assert.equal(await focusedLabel(page), "Complete Human bravo");

    await page.keyboard.press("j");
    assert.equal(await focusedLabel(page), "Complete Alpha task");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focusedLabel(page), "Complete Plan the week");
    await page.keyboard.press("k");
    assert.equal(await focusedLabel(page), "Complete Alpha task");

    await page.keyboard.press("x");
    await eventually(async () => assert.ok(await page.getByRole("checkbox", { name: "Complete Alpha task" }).isChecked()));
    assert.equal(await focusedLabel(page), "Complete Alpha task");
    await page.keyboard.press("t");
    await page.keyboard.press("1");
    await eventually(async () => {
      const [task] = await api("GET", "/tasks?q=Alpha");
      assert.deepEqual([task.completed, task.priority, Boolean(task.due_date)], [true, "high", true]);
    });
    assert.equal(await focusedLabel(page), "Complete Alpha task");
    await page.keyboard.press("4");
    await eventually(async () => assert.equal((await api("GET", "/tasks?q=Alpha"))[0].priority, "none"));

    await page.keyboard.press("e");
    assert.equal(await page.evaluate(() => document.activeElement?.value), "Alpha task");
    await page.keyboard.press("Escape");
    assert.equal(await focusedLabel(page), "Complete Alpha task");

    await page.keyboard.press("Delete");
    await page.getByText("Deleted “Alpha task”.").waitFor();
    assert.equal(await focusedLabel(page), "Complete Plan the week", "focus moves to the next task");
    await page.keyboard.press("z");
    await page.getByRole("checkbox", { name: "Complete Alpha task" }).waitFor();
    assert.equal(await focusedLabel(page), "Complete Alpha task", "focus comes back with the undone task");
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    assert.equal(await focusedLabel(page), "Complete Return library books");
    await page.keyboard.press("Backspace");
    await page.getByRole("button", { name: "Dismiss, keep it deleted" }).click();
    assert.equal(await focusedLabel(page), "Complete Pack for trip", "the toast's buttons go; focus goes back to the list");
    await page.getByText("Deleted “Return library books”.").waitFor({ state: "detached" });
    await page.keyboard.press("k");
    await page.keyboard.press("k");
    assert.equal(await focusedLabel(page), "Complete Alpha task");

    await page.keyboard.press("?");
    const sheet = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await sheet.waitFor();
    await sheet.getByText("Open Inbox, Today, Upcoming").waitFor();
    await bothThemes(page, "the keyboard sheet");
    await page.keyboard.press("Escape");
    await sheet.waitFor({ state: "hidden" });

    // g then t: Today, what is due today or overdue (the task just made due today).
    await page.keyboard.press("g");
    await page.keyboard.press("t");
    await page.getByRole("heading", { name: "Today", level: 2 }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get("view"), "today");
    await expectTitles(page, ["Alpha task"]);
    await page.keyboard.press("g");
    await page.keyboard.press("u");
    await page.getByRole("heading", { name: "Upcoming", level: 2 }).waitFor();
    await expectTitles(page, ["Alpha task", "Buy bread"]);
    await page.keyboard.press("g");
    await page.keyboard.press("i");
    await page.getByRole("heading", { name: "Inbox", level: 2 }).waitFor();
    await eventually(async () => assert.equal((await titles(page)).length, 7));
  });

  test("5. accessible in both themes: every page and dialog, /account included (axe, WCAG 2.2 AA)", async () => {
    await bothThemes(page, "/tasks");
    await openFilters(page);
    await page.locator("summary", { hasText: /^Tags/ }).click();
    await page.getByRole("button", { name: "#health 1" }).waitFor();
    await bothThemes(page, "/tasks with filters and the tag picker open");
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Edit Plan the week" }).click();
    await bothThemes(page, "/tasks editing a task");
    await page.getByLabel("Edit title").fill("");
    await page.keyboard.press("Enter");
    await page.getByRole("alertdialog").waitFor();
    await bothThemes(page, "the empty-title dialog");
    await page.getByRole("button", { name: "Keep editing" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();

    await page.reload();
    await page.getByRole("checkbox", { name: "Complete Plan the week" }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "tasks-light.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: path.join(SCREENSHOTS, "tasks-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });

    await page.goto(`${system.frontendUrl}/account`);
    await page.getByRole("heading", { name: "Account", level: 1 }).waitFor();
    await page.getByText("This device").waitFor();
    await bothThemes(page, "/account");
    await page.screenshot({ path: path.join(SCREENSHOTS, "account.png"), fullPage: true });

    const anonymous = await browser.newContext();
    const visitor = await anonymous.newPage();
    for (const route of ["/auth/login", "/auth/signup", "/auth/forgot-password"]) {
      await visitor.goto(`${system.frontendUrl}${route}`);
      await visitor.getByRole("heading", { level: 1 }).waitFor();
      await bothThemes(visitor, route);
    }
    await anonymous.close();
  });

  test("6. with 200 rows loaded, a toggle, an edit and a delete each send their own call and at most one counts call", async (t) => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tab = await other.newPage();
    try {
      await signUp(tab, system.frontendUrl, rowan);
      const { body } = await sessionToken(tab);
      const userId = JSON.parse(Buffer.from(body.token.split(".")[1], "base64url")).sub;
      const seeded = spawnSync(
        path.join(ROOT, "backend/.venv/bin/python"),
        [path.join(ROOT, "scripts/seed_tasks.py"), system.databaseUrl, userId, "260"],
        { cwd: path.join(ROOT, "backend"), encoding: "utf8" },
      );
      assert.equal(seeded.status, 0, seeded.stderr);
      const calls = [];
      // The API calls under way. Not the change stream: open as long as the page is, it is no
      // action's call, and the network is never idle with it.
      const pending = new Set();
      tab.on("request", (request) => {
        if (request.url().startsWith(system.apiUrl) && request.method() !== "OPTIONS" && new URL(request.url()).pathname !== "/events") {
          calls.push(`${request.method()} ${new URL(request.url()).pathname}`);
          pending.add(request);
        }
      });
      for (const ended of ["requestfinished", "requestfailed"]) tab.on(ended, (request) => pending.delete(request));
      await tab.reload();
      await eventually(async () => assert.equal((await titles(tab)).length, 50));
      // Scrolling near the end loads the next page by itself.
      for (const rows of [100, 150, 200]) {
        await tab.getByRole("button", { name: "Load more" }).scrollIntoViewIfNeeded();
        await eventually(async () => assert.ok((await titles(tab)).length >= rows));
      }
      assert.ok((await titles(tab)).length >= 200);
      await eventually(() => assert.equal(pending.size, 0));

      const measured = {};
      /** The calls an action sends, up to the answer of its counts request (a refetch of the
       * list would have been sent with it, so it is caught too). */
      async function count(name, act) {
        const from = calls.length;
        const counted = tab.waitForResponse((response) => new URL(response.url()).pathname === "/tasks/counts");
        await act();
        await counted;
        measured[name] = calls.slice(from);
      }
      const first = (await titles(tab))[0];
      const id = await tab.locator("ul.task-list > li").first().getAttribute("data-task-id");
      await count("toggle", () => tab.getByRole("checkbox", { name: `Complete ${first}` }).click());
      await count("edit", async () => {
        await tab.getByRole("button", { name: `Edit ${first}` }).click();
        await tab.getByLabel("Edit title").fill(`${first} (edited)`);
        await tab.keyboard.press("Enter");
      });
      assert.equal((await titles(tab))[0], `${first} (edited)`);
      await count("delete", async () => {
        await tab.getByRole("button", { name: `Delete ${first} (edited)` }).click();
        await tab.getByRole("button", { name: "Dismiss, keep it deleted" }).click();
      });
      mkdirSync(ARTIFACTS, { recursive: true });
      const database = /^postgres/.test(system.databaseUrl) ? "postgresql" : "sqlite";
      writeFileSync(
        path.join(ARTIFACTS, `changes-with-200-rows-${database}.json`),
        `${JSON.stringify({ database, changes: measured }, null, 2)}\n`,
      );
      t.diagnostic(`with 200 rows loaded: ${Object.entries(measured).map(([k, v]) => `${k} ${v.length} API calls (${v.join(", ")})`).join("; ")}`);
      assert.deepEqual(measured, {
        toggle: [`PATCH /tasks/${id}`, "GET /tasks/counts"],
        edit: [`PATCH /tasks/${id}`, "GET /tasks/counts"],
        delete: [`DELETE /tasks/${id}`, "GET /tasks/counts"],
      });
    } finally {
      await other.close();
    }
  });

  test("7. installable: a valid manifest with 192/512 and maskable icons, and a service worker that controls the page", async () => {
    // Chromium never offers to install from an incognito profile, which a plain context is.
    const profile = mkdtempSync(path.join(tmpdir(), "todo-install-"));
    const installer = await launchPersistentBrowser(profile);
    const tab = await installer.newPage();
    try {
      await tab.goto(`${system.frontendUrl}/auth/login`);
      const href = await tab.locator('link[rel="manifest"]').getAttribute("href");
      const manifest = await (await fetch(new URL(href, system.frontendUrl))).json();
      assert.equal(manifest.name, "Todo");
      assert.equal(manifest.display, "standalone");
      assert.ok(manifest.start_url && manifest.theme_color && manifest.background_color);
      const icons = new Map();
      for (const icon of manifest.icons) {
        const response = await fetch(new URL(icon.src, system.frontendUrl));
        assert.equal(response.headers.get("content-type"), "image/png", icon.src);
        const [width, height] = pngSize(Buffer.from(await response.arrayBuffer()));
        assert.equal(`${width}x${height}`, icon.sizes, icon.src);
        icons.set(`${icon.purpose} ${icon.sizes}`, icon.src);
      }
      for (const wanted of ["any 192x192", "any 512x512", "maskable 192x192", "maskable 512x512"]) assert.ok(icons.has(wanted), wanted);
      const themes = await tab.locator('meta[name="theme-color"]').evaluateAll((metas) => metas.map((m) => m.getAttribute("media")));
      assert.deepEqual(themes.sort(), ["(prefers-color-scheme: dark)", "(prefers-color-scheme: light)"]);

      await tab.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
      assert.equal(await tab.evaluate(() => navigator.serviceWorker.controller.scriptURL), `${system.frontendUrl}/sw.js`);
      // Chromium's own verdict: nothing stops it from offering to install.
      const cdp = await installer.newCDPSession(tab);
      await eventually(async () => assert.deepEqual((await cdp.send("Page.getInstallabilityErrors")).installabilityErrors, []));
    } finally {
      await installer.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
