// The task list as a person uses it: filters kept in the URL, search, sort, TodoMVC's bulk
// actions with undo, the keyboard, dark mode and accessibility, and a user with 5,000 tasks.
// The scenarios run in order and share one user (and the list they leave behind).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { AxeBuilder } from "@axe-core/playwright";

import { eventually, launchBrowser } from "../lib/browser.mjs";
import { callApi, expectCounts, expectTitles, openFilters, sessionToken, signUp, titles } from "../lib/pages.mjs";
import { ROOT, startSystem } from "../lib/system.mjs";

const ARTIFACTS = path.join(ROOT, "artifacts/e2e");
const run = Date.now().toString(36);
const tess = { name: "Tess Lister", email: `tess-${run}@example.com`, password: "a list worth keeping" };
const many = { name: "Max Many", email: `max-${run}@example.com`, password: "five thousand things" };
const SEEDED = 5000;

/** The browser's local day, offset by `days` ("YYYY-MM-DD"): the page and this process share a clock and zone. */
function day(days = 0) {
  const date = new Date();
  date.setDate(date.getDate() + days);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Serious and critical axe findings on the page as it is now, in the colour scheme given. */
async function expectAccessible(page, colorScheme, where) {
  await page.emulateMedia({ colorScheme });
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(bad, [], `${where}, ${colorScheme}`);
}

/** Clicks, and waits for the API call the click makes to be answered (the page shows it sooner). */
async function clickAndAnswer(page, locator, method) {
  await Promise.all([page.waitForResponse((response) => response.request().method() === method), locator.click()]);
}

const row = (page, title) => page.getByRole("listitem").filter({ has: page.getByRole("checkbox", { name: `Complete ${title}` }) });
const search = (page) => new URL(page.url()).searchParams;

describe("the task list", { timeout: 300_000 }, () => {
  let system;
  let browser;
  let page;
  const apiCalls = [];

  /** The backend as the page's user, straight over HTTP (to set up and to check). */
  const api = (method, route, body) => callApi(page, system.apiUrl, method, route, body);

  before(async () => {
    system = await startSystem({ tokenTtlSeconds: 900 });
    browser = await launchBrowser();
    // axe opens a page of its own in the context, which a context of our own allows.
    page = await (await browser.newContext()).newPage();
    page.on("request", (request) => {
      if (request.url().startsWith(system.apiUrl) && request.method() !== "OPTIONS") {
        apiCalls.push(`${request.method()} ${request.url().slice(system.apiUrl.length)}`);
      }
    });
  });

  after(async () => {
    await browser?.close();
    await system?.stop();
  });

  test("1. login and sign-up have no serious accessibility problems, light or dark", async () => {
    for (const route of ["/auth/login", "/auth/signup"]) {
      await page.goto(`${system.frontendUrl}${route}`);
      await page.getByRole("button", { name: route.endsWith("login") ? "Log in" : "Sign up" }).waitFor();
      await expectAccessible(page, "light", route);
      await expectAccessible(page, "dark", route);
    }
    await page.emulateMedia({ colorScheme: "light" });
  });

  test("2. rows show priority, due dates relative to today (overdue marked) and tag chips", async () => {
    await signUp(page, system.frontendUrl, tess);
    await page.getByText("No tasks yet").waitFor();
    // Oldest first, so that the default order (newest first) reads bottom-up.
    for (const task of [
      { title: "Read book" },
      { title: "File taxes", priority: "medium", due_date: day(-3), tags: ["money"] },
      { title: "Call plumber", due_date: day(10), tags: ["home"] },
      { title: "Water plants", priority: "low", due_date: day(1), tags: ["home"] },
      { title: "Pay rent", priority: "high", due_date: day(0), tags: ["home", "money"] },
    ]) {
      await api("POST", "/tasks", task);
    }
    await page.reload();
    await expectTitles(page, ["Pay rent", "Water plants", "Call plumber", "File taxes", "Read book"]);
    await expectCounts(page, { all: 5, active: 5, completed: 0 });
    await page.getByText("5 items left").waitFor();

    const rent = row(page, "Pay rent");
    assert.match(await rent.textContent(), /High/);
    assert.equal(await rent.locator("time").getAttribute("datetime"), day(0));
    assert.match(await rent.locator("time").textContent(), /^Today/);
    assert.match(await row(page, "Water plants").locator("time").textContent(), /^Tomorrow/);
    const taxes = row(page, "File taxes");
    assert.match(await taxes.locator("time").textContent(), /^Overdue 3 d/);
    assert.match(await taxes.getAttribute("class"), /\boverdue\b/);
    assert.match(await rent.getAttribute("class"), /^task$/);
    assert.deepEqual(await rent.getByRole("button", { name: /^Show tasks tagged/ }).allTextContents(), ["#home", "#money"]);
  });

  test("3. a tag chip filters the list; reload and the back button keep the filters", async () => {
    await row(page, "Pay rent").getByRole("button", { name: "Show tasks tagged money" }).click();
    await expectTitles(page, ["Pay rent", "File taxes"]);
    assert.deepEqual(search(page).getAll("tag"), ["money"]);
    await expectCounts(page, { all: 2, active: 2, completed: 0 });

    await openFilters(page);
    await page.getByRole("button", { name: "Active", exact: true }).click();
    await eventually(() => assert.equal(search(page).get("status"), "active"));
    await page.reload();
    await expectTitles(page, ["Pay rent", "File taxes"]);
    await openFilters(page);
    assert.equal(await page.getByRole("button", { name: "Active", exact: true }).getAttribute("aria-pressed"), "true");
    await page.getByRole("button", { name: "Remove tag filter money" }).waitFor();

    await page.goBack();
    await eventually(() => assert.equal(search(page).get("status"), null));
    await expectTitles(page, ["Pay rent", "File taxes"]);
    await page.goBack();
    await expectTitles(page, ["Pay rent", "Water plants", "Call plumber", "File taxes", "Read book"]);
    await page.goForward();
    await expectTitles(page, ["Pay rent", "File taxes"]);
    // To another page of the app and back: the list as it was left.
    await page.getByRole("link", { name: "Account" }).click();
    await page.waitForURL((url) => url.pathname === "/account");
    await page.goBack();
    await expectTitles(page, ["Pay rent", "File taxes"]);
    assert.deepEqual(search(page).getAll("tag"), ["money"]);
    await page.getByRole("button", { name: "Remove tag filter money" }).click();
    await expectTitles(page, ["Pay rent", "Water plants", "Call plumber", "File taxes", "Read book"]);
  });

  test("4. `/` focuses the search; the search is debounced, in the URL, and has its own empty state", async () => {
    await page.locator("body").click({ position: { x: 2, y: 2 } });
    await page.keyboard.press("/");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "task-search");
    const before = apiCalls.length;
    // When each letter reached the page: on a loaded machine a letter can come a pause after the last.
    await page.evaluate(() => {
      window.typedAt = [];
      document.getElementById("task-search").addEventListener("input", () => window.typedAt.push(performance.now()));
    });
    await page.keyboard.type("plants", { delay: 30 });
    await expectTitles(page, ["Water plants"]);
    assert.equal(search(page).get("q"), "plants");
    // One list call and one counts call for the whole word, not one per letter: more only after a
    // pause in the typing as long as the debounce (300 ms; 250 here, for the timers' own lateness).
    const typedAt = await page.evaluate(() => window.typedAt);
    const pauses = typedAt.slice(1).filter((at, i) => at - typedAt[i] >= 250).length;
    const searches = apiCalls.slice(before).filter((call) => call.includes("q="));
    assert.ok(searches.length <= 2 * (1 + pauses), `${pauses} pauses: ${searches.join(", ")}`);

    await page.keyboard.press("Control+A");
    await page.keyboard.type("zzz");
    await page.getByText("No tasks match “zzz”.").waitFor();
    await page.keyboard.press("Escape");
    await expectTitles(page, ["Pay rent", "Water plants", "Call plumber", "File taxes", "Read book"]);
    await eventually(() => assert.equal(search(page).get("q"), null));
  });

  test("5. sort by due date: earliest first, undated last; the reverse too; back restores", async () => {
    await openFilters(page);
    await page.getByLabel("Sort by").selectOption("due");
    await expectTitles(page, ["File taxes", "Pay rent", "Water plants", "Call plumber", "Read book"]);
    assert.equal(search(page).get("sort"), "due");
    await page.getByLabel("Order").selectOption({ label: "Latest first" });
    await expectTitles(page, ["Read book", "Call plumber", "Water plants", "Pay rent", "File taxes"]);
    await page.reload();
    await openFilters(page);
    await expectTitles(page, ["Read book", "Call plumber", "Water plants", "Pay rent", "File taxes"]);

    // Back and forth in the list stays in the page: the web server is not asked for it again
    // (the router did, for entries made before a reload, and a filter changed while it waited
    // made it load the whole page afresh). Its answers are held until the filter has changed.
    const pageFetches = [];
    let release;
    const held = new Promise((resolve) => (release = resolve));
    const hold = async (route) => {
      pageFetches.push(route.request().url());
      await held;
      await route.continue().catch(() => undefined);
    };
    const pageFromServer = (url) => url.pathname === "/tasks" && url.searchParams.has("_rsc");
    await page.route(pageFromServer, hold);
    await page.evaluate(() => (window.stillTheSamePage = true));
    await page.goBack();
    await expectTitles(page, ["File taxes", "Pay rent", "Water plants", "Call plumber", "Read book"]);
    await page.goBack();
    await expectTitles(page, ["Pay rent", "Water plants", "Call plumber", "File taxes", "Read book"]);
    // The filter panel is as it was left: open.
    await page.getByLabel("Due", { exact: true }).selectOption({ label: "This week" });
    await expectTitles(page, ["Pay rent", "Water plants"]);
    release();
    await page.getByLabel("Due", { exact: true }).selectOption({ label: "No date" });
    await expectTitles(page, ["Read book"]);
    await page.getByLabel("Due", { exact: true }).selectOption({ label: "Any date" });
    await page.unroute(pageFromServer, hold);
    assert.deepEqual(pageFetches, []);
    assert.equal(await page.evaluate(() => window.stillTheSamePage), true, "the page was not loaded afresh");
  });

  test("6. keyboard only: `n` adds, Tab and Space complete, Escape cancels an edit, focus is visible", async () => {
    await page.locator("body").click({ position: { x: 2, y: 2 } });
    await page.keyboard.press("n");
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return { tag: el?.tagName, inAddForm: Boolean(el?.closest('form[aria-label="Add a task"]')) };
    });
    assert.deepEqual(focused, { tag: "INPUT", inAddForm: true });
    await page.keyboard.type("Buy stamps");
    await page.keyboard.press("Enter");
    await page.getByRole("checkbox", { name: "Complete Buy stamps" }).waitFor();

    // The list is one Tab stop, at most three Tabs from the add field; j moves down to the overdue task.
    let label = null;
    for (let presses = 0; presses < 3 && !label?.startsWith("Complete "); presses += 1) {
      await page.keyboard.press("Tab");
      label = await page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
    }
    assert.equal(label, "Complete Buy stamps");
    for (let presses = 0; presses < 6 && label !== "Complete File taxes"; presses += 1) {
      await page.keyboard.press("j");
      label = await page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
    }
    assert.equal(label, "Complete File taxes");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "the focused checkbox shows where focus is");
    await page.keyboard.press("Space");
    await expectCounts(page, { all: 6, active: 5, completed: 1 });
    assert.ok(await page.getByRole("checkbox", { name: "Complete File taxes" }).isChecked());
    // Enter on a task edits it; Escape leaves it as it was.
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement?.value), "File taxes");
    await page.keyboard.press("Escape");
    await page.getByRole("checkbox", { name: "Complete File taxes" }).waitFor();

    // Only active overdue tasks: none left.
    await openFilters(page);
    await page.getByLabel("Due", { exact: true }).selectOption({ label: "Overdue" });
    await page.getByRole("button", { name: "Active", exact: true }).click();
    await page.getByText("Nothing overdue.").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByRole("button", { name: "All", exact: true }).click();

    // Enter on Edit edits; Escape cancels; double-click edits too.
    await page.getByRole("button", { name: "Edit Read book" }).focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("Read two books");
    await page.keyboard.press("Escape");
    await page.getByRole("checkbox", { name: "Complete Read book" }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Complete Read book");
    await row(page, "Read book").getByText("Read book", { exact: true }).dblclick();
    await page.getByLabel("Edit title").fill("Read two books");
    await page.keyboard.press("Enter");
    await page.getByRole("checkbox", { name: "Complete Read two books" }).waitFor();

    // Saving an empty title asks to delete; keeping it changes nothing.
    await page.getByRole("button", { name: "Edit Read two books" }).click();
    await page.getByLabel("Edit title").fill("");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("alertdialog");
    await dialog.getByText("The title is empty").waitFor();
    await dialog.getByRole("button", { name: "Keep editing" }).click();
    await page.getByLabel("Edit title").fill("Read two books");
    await page.keyboard.press("Enter");
    await expectCounts(page, { all: 6, active: 5, completed: 1 });
  });

  test("7. toggle all marks every task matching the filters, on the server, in one call", async () => {
    await clickAndAnswer(page, page.getByRole("button", { name: "Mark all complete" }), "PATCH");
    await expectCounts(page, { all: 6, active: 0, completed: 6 });
    await page.getByText("0 items left").waitFor();
    assert.deepEqual(await api("GET", "/tasks/counts"), { all: 6, active: 0, completed: 6 });
    await clickAndAnswer(page, page.getByRole("button", { name: "Mark all active" }), "PATCH");
    await expectCounts(page, { all: 6, active: 6, completed: 0 });

    // With a tag filter, only that tag's tasks change.
    await row(page, "Call plumber").getByRole("button", { name: "Show tasks tagged home" }).click();
    await expectTitles(page, ["Pay rent", "Water plants", "Call plumber"]);
    const before = apiCalls.length;
    await clickAndAnswer(page, page.getByRole("button", { name: "Mark all complete" }), "PATCH");
    await expectCounts(page, { all: 3, active: 0, completed: 3 });
    assert.ok(apiCalls.slice(before).includes("PATCH /tasks?list=inbox&tag=home"), apiCalls.slice(before).join(", "));
    assert.deepEqual(await api("GET", "/tasks/counts"), { all: 6, active: 3, completed: 3 });
  });

  test("8. clear completed hides at once, undo brings everything back, and nothing reached the server", async () => {
    await page.getByRole("button", { name: "Clear completed" }).click();
    await page.getByText("Cleared 3 completed tasks.").waitFor();
    await page.getByText("No tasks tagged #home.").waitFor();
    assert.equal(await page.getByRole("button", { name: "Clear completed" }).count(), 0, "hidden when none are completed");
    await page.getByRole("button", { name: "Undo" }).click();
    await expectTitles(page, ["Pay rent", "Water plants", "Call plumber"]);
    await expectCounts(page, { all: 3, active: 0, completed: 3 });
    assert.deepEqual(await api("GET", "/tasks/counts"), { all: 6, active: 3, completed: 3 });
    assert.ok(!apiCalls.some((call) => call.startsWith("DELETE")), "the undone clear was never sent");

    // Left alone, the undo runs out and the clear reaches the server, with the tag filter.
    await page.getByRole("button", { name: "Clear completed" }).click();
    await page.getByText("Cleared 3 completed tasks.").waitFor({ state: "detached", timeout: 15_000 });
    assert.ok(apiCalls.includes("DELETE /tasks?list=inbox&tag=home&completed=true"), apiCalls.join(", "));
    assert.deepEqual(await api("GET", "/tasks/counts"), { all: 3, active: 3, completed: 0 });
    await page.getByText("No tasks tagged #home.").waitFor();
    await page.getByRole("button", { name: "Remove tag filter home" }).click();
    await expectTitles(page, ["Buy stamps", "File taxes", "Read two books"]);
  });

  test("9. a delete waiting for its undo still happens when the tab goes away, once", async () => {
    const [stamps] = (await api("GET", "/tasks?q=stamps")).map((task) => task.id);
    await page.getByRole("button", { name: "Delete Buy stamps" }).click();
    await page.getByText("Deleted “Buy stamps”.").waitFor();
    await expectTitles(page, ["File taxes", "Read two books"]);
    await expectCounts(page, { all: 2, active: 2, completed: 0 });
    // Leaving the page (pagehide) sends the delete with fetch keepalive.
    await page.goto("about:blank");
    await page.goto(`${system.frontendUrl}/tasks`);
    await eventually(async () => {
      const { body } = await sessionToken(page);
      const response = await fetch(`${system.apiUrl}/tasks/${stamps}`, { headers: { Authorization: `Bearer ${body.token}` } });
      assert.equal(response.status, 404);
    });
    await expectTitles(page, ["File taxes", "Read two books"]);

    // Undone, it never leaves.
    await page.getByRole("button", { name: "Delete File taxes" }).click();
    await page.getByRole("button", { name: "Undo" }).click();
    await expectTitles(page, ["File taxes", "Read two books"]);
    await page.goto("about:blank");
    await page.goto(`${system.frontendUrl}/tasks`);
    await expectTitles(page, ["File taxes", "Read two books"]);
  });

  test("10. the tasks page in dark mode: a screenshot, and no serious accessibility problems", async () => {
    await api("POST", "/tasks", { title: "Renew passport", priority: "high", due_date: day(-1), tags: ["travel"] });
    await page.reload();
    await expectTitles(page, ["Renew passport", "File taxes", "Read two books"]);
    await expectAccessible(page, "light", "/tasks");
    await expectAccessible(page, "dark", "/tasks");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, "rgb(15, 19, 24)", "the page follows prefers-color-scheme: dark");
    // The tag picker open, with its options loaded on demand.
    await openFilters(page);
    await page.locator("summary", { hasText: /^Tags/ }).click();
    await page.getByRole("button", { name: "#travel 1" }).waitFor();
    await expectAccessible(page, "dark", "/tasks with the tag picker open");
    await page.keyboard.press("Escape");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "tasks-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  });

  test("11. a user with 5,000 tasks: the first page takes two API calls, and never the whole list", async (t) => {
    const context = await browser.newContext();
    const other = await context.newPage();
    try {
      await signUp(other, system.frontendUrl, many);
      const { body } = await sessionToken(other);
      const userId = JSON.parse(Buffer.from(body.token.split(".")[1], "base64url")).sub;
      // Leave the tasks page sign-up landed on: its own first calls must not be counted (the
      // blocking seed below would hold their events back until the counting has begun).
      await other.goto("about:blank");
      // Straight into the API's database through the app's own table: 5,000 POSTs would take minutes.
      const seeded = spawnSync(
        path.join(ROOT, "backend/.venv/bin/python"),
        [path.join(ROOT, "scripts/seed_tasks.py"), system.databaseUrl, userId, String(SEEDED)],
        { cwd: path.join(ROOT, "backend"), encoding: "utf8" },
      );
      assert.equal(seeded.status, 0, seeded.stderr);

      const calls = [];
      other.on("request", (request) => {
        if (request.url().startsWith(system.apiUrl) && request.method() !== "OPTIONS") calls.push(new URL(request.url()));
      });
      await other.goto(`${system.frontendUrl}/tasks`);
      // Time from navigation start until the first page's rows and the counts are on screen.
      const firstPageMs = await other.waitForFunction(
        (seededCount) =>
          document.querySelectorAll('ul[aria-label="Tasks"] > li').length > 0 &&
          document.querySelector('[data-testid="count-all"]')?.textContent === String(seededCount) &&
          performance.now(),
        SEEDED,
        { polling: "raf", timeout: 30_000 },
      );
      const ms = Math.round(await firstPageMs.jsonValue());
      // Anything late would show up here (a window to watch for calls that should not come: no
      // condition can say that none will).
      await other.waitForTimeout(1000);
      const database = /^postgres/.test(system.databaseUrl) ? "postgresql" : "sqlite";
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(
        path.join(ARTIFACTS, `first-page-5000-tasks-${database}.json`),
        `${JSON.stringify({ tasks: SEEDED, database, firstPageMs: ms, apiCalls: calls.map((u) => u.pathname + u.search) }, null, 2)}\n`,
      );
      t.diagnostic(`first page of ${SEEDED} tasks on ${database}: ${ms} ms, ${calls.length} API calls`);

      // The first rows take the page and the counts; the sidebar's lists and the change stream
      // come after them, and once the stream is open what is on screen is asked again, once (a
      // change made before the stream began has no event).
      assert.deepEqual(calls.slice(0, 2).map((u) => u.pathname).sort(), ["/tasks", "/tasks/counts"]);
      const later = calls.slice(2).map((u) => u.pathname);
      assert.ok(later.includes("/lists") && later.includes("/events"), `${later}`);
      for (const path of new Set(later)) assert.ok(later.filter((p) => p === path).length <= 2, `${later}`);
      assert.ok(later.every((p) => ["/lists", "/events", "/tasks", "/tasks/counts"].includes(p)), `${later}`);
      const list = calls.find((u) => u.pathname === "/tasks");
      assert.equal(list.searchParams.get("limit"), "50");
      assert.equal(list.searchParams.get("offset"), "0");
      assert.equal((await titles(other)).length, 50);
      await other.getByText(`${SEEDED - Math.floor(SEEDED / 3)} items left`).waitFor();

      await other.getByRole("button", { name: "Load more" }).click();
      // The button, or the scroll reaching the new end (whichever comes first), asks for the
      // next page: one page of 50 at a time, in order, never the whole list.
      await eventually(async () => assert.ok((await titles(other)).length >= 100));
      const pages = calls.filter((u) => u.pathname === "/tasks");
      assert.ok(pages.every((u) => u.searchParams.get("limit") === "50"), "pages of 50");
      const offsets = pages.map((u) => Number(u.searchParams.get("offset")));
      assert.ok(offsets.every((offset) => offset % 50 === 0), `offsets ${offsets}`);
      assert.deepEqual([...new Set(offsets)].slice(0, 2), [0, 50]);
    } finally {
      await context.close();
    }
  });
});
