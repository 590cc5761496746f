// The whole bridge in a real browser: Better-Auth session -> /api/auth/token -> FastAPI
// verification -> per-user rows. The scenarios run in order and share the two users.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { eventually, launchBrowser } from "../lib/browser.mjs";
import {
  addTask,
  completeTask,
  expectCounts,
  expectTitles,
  logIn,
  openFilters,
  sessionToken,
  signOut,
  signUp,
} from "../lib/pages.mjs";
import { startSystem } from "../lib/system.mjs";

// Next.js keeps a route announcer with role="alert" on every page: look inside <main>.
const formAlert = (page) => page.getByRole("main").getByRole("alert");

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../artifacts/e2e");
// Short-lived tokens make the client refresh several times during the run.
const TOKEN_TTL_SECONDS = 5;
const run = Date.now().toString(36);
const alice = { name: "Alice Example", email: `alice-${run}@example.com`, password: "correct horse battery" };
const bob = { name: "Bob Example", email: `bob-${run}@example.com`, password: "another long passphrase" };

describe("the JWT bridge, end to end", { timeout: 240_000 }, () => {
  let system;
  let browser;
  let context;
  let page;
  const traffic = { tokenFetches: 0, apiCalls: 0 };
  let aliceTaskIds = [];

  before(async () => {
    system = await startSystem({ tokenTtlSeconds: TOKEN_TTL_SECONDS });
    browser = await launchBrowser();
    // A context of our own, so that test 7 can open a second tab sharing the session.
    context = await browser.newContext();
    page = await context.newPage();
    page.on("request", (request) => {
      if (request.url().endsWith("/api/auth/token")) traffic.tokenFetches += 1;
      // The change stream is no call of the person's (it reconnects as its token ends).
      else if (request.url().startsWith(system.apiUrl) && request.method() !== "OPTIONS" && new URL(request.url()).pathname !== "/events") {
        traffic.apiCalls += 1;
      }
    });
  });

  after(async () => {
    await browser?.close();
    await system?.stop();
  });

  test("1. a new user manages tasks, and everything survives a reload", async () => {
    await signUp(page, system.frontendUrl, alice);
    await page.getByRole("heading", { name: "Tasks", level: 1 }).waitFor();
    await page.getByText(alice.email).first().waitFor();
    await page.getByText("No tasks").first().waitFor();
    await expectCounts(page, { all: 0, active: 0, completed: 0 });

    await addTask(page, "Buy milk");
    await addTask(page, "Write report", "quarterly numbers");
    await addTask(page, "Call mom");
    await expectTitles(page, ["Call mom", "Write report", "Buy milk"]);

    await page.getByRole("button", { name: "Edit Write report" }).click();
    await page.getByLabel("Edit title").fill("Write final report");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expectTitles(page, ["Call mom", "Write final report", "Buy milk"]);

    await completeTask(page, "Buy milk");
    await page.getByRole("button", { name: "Delete Call mom" }).click();
    // Deleting offers an undo; dismissing it sends the delete now, and the toast goes once it is done.
    await page.getByRole("button", { name: "Dismiss, keep it deleted" }).click();
    await page.getByText("Deleted “Call mom”.").waitFor({ state: "detached" });
    await expectTitles(page, ["Write final report", "Buy milk"]);
    await expectCounts(page, { all: 2, active: 1, completed: 1 });

    await openFilters(page);
    await page.getByRole("button", { name: "Active", exact: true }).click();
    await expectTitles(page, ["Write final report"]);
    await page.getByRole("button", { name: "Completed", exact: true }).click();
    await expectTitles(page, ["Buy milk"]);
    await page.getByRole("button", { name: "All", exact: true }).click();

    await page.reload();
    await expectTitles(page, ["Write final report", "Buy milk"]);
    await expectCounts(page, { all: 2, active: 1, completed: 1 });
    assert.ok(await page.getByRole("checkbox", { name: "Complete Buy milk" }).isChecked());
    await page.getByText("quarterly numbers").waitFor();

    // The rows are in the backend's database, under Alice's user id.
    const { body } = await sessionToken(page);
    const response = await fetch(`${system.apiUrl}/tasks`, {
      headers: { Authorization: `Bearer ${body.token}` },
    });
    const tasks = await response.json();
    assert.deepEqual(tasks.map((task) => task.title), ["Write final report", "Buy milk"]);
    aliceTaskIds = tasks.map((task) => task.id);
  });

  test("2. after sign-out the tasks page needs a login; a second user sees nothing of the first", async () => {
    await signOut(page);
    await page.goto(`${system.frontendUrl}/tasks`);
    await page.waitForURL(/\/auth\/login\?next=(%2F|\/)tasks$/);
    assert.equal((await sessionToken(page)).status, 401);

    await signUp(page, system.frontendUrl, bob);
    await page.getByText("No tasks").first().waitFor();
    await expectCounts(page, { all: 0, active: 0, completed: 0 });
    await expectTitles(page, []);
  });

  test("3. with the second user's token, every call on the first user's tasks is a 404", async () => {
    const { status, body } = await sessionToken(page);
    assert.equal(status, 200);
    const headers = { Authorization: `Bearer ${body.token}`, "Content-Type": "application/json" };
    for (const id of aliceTaskIds) {
      for (const [method, payload] of [
        ["GET", undefined],
        ["PATCH", { title: "taken over" }],
        ["PATCH", { completed: false }],
        ["DELETE", undefined],
      ]) {
        const response = await fetch(`${system.apiUrl}/tasks/${id}`, {
          method,
          headers,
          body: payload && JSON.stringify(payload),
        });
        assert.equal(response.status, 404, `${method} /tasks/${id}`);
      }
    }
    const listed = await fetch(`${system.apiUrl}/tasks`, { headers });
    assert.deepEqual(await listed.json(), []);
  });

  test("4. across several token lifetimes the UI keeps working, with few token fetches", async (t) => {
    await signOut(page);
    await page.goto(`${system.frontendUrl}/tasks`);
    await page.waitForURL("**/auth/login**");
    await logIn(page, { ...alice, password: "wrong password" });
    await formAlert(page).waitFor();
    assert.match(page.url(), /\/auth\/login/);
    await logIn(page, alice);
    await page.waitForURL("**/tasks");
    // Alice's tasks came through Bob's attempts untouched.
    await expectTitles(page, ["Write final report", "Buy milk"]);

    traffic.tokenFetches = 0;
    traffic.apiCalls = 0;
    const started = Date.now();
    const box = page.getByRole("checkbox", { name: "Complete Write final report" });
    let rounds = 0;
    while (Date.now() - started < 3 * TOKEN_TTL_SECONDS * 1000) {
      await box.click();
      await eventually(async () => assert.equal(await box.isChecked(), rounds % 2 === 0));
      rounds += 1;
      await page.waitForTimeout(300);
    }
    await page.reload();
    await expectCounts(page, { all: 2, active: rounds % 2 === 0 ? 1 : 0, completed: rounds % 2 === 0 ? 1 : 2 });
    assert.equal(await formAlert(page).count(), 0, "no error was shown");
    t.diagnostic(`${traffic.tokenFetches} token fetches for ${traffic.apiCalls} API calls`);
    assert.ok(traffic.tokenFetches >= 2, `the token was refreshed (${traffic.tokenFetches} fetches)`);
    assert.ok(
      traffic.tokenFetches * 4 <= traffic.apiCalls,
      `${traffic.tokenFetches} token fetches for ${traffic.apiCalls} API calls`,
    );
  });

  test("5. a token with one character of its signature changed is refused with 401", async () => {
    const { body } = await sessionToken(page);
    const [header, payload, signature] = body.token.split(".");
    const middle = Math.floor(signature.length / 2);
    const flipped = signature[middle] === "A" ? "B" : "A";
    const tampered = `${header}.${payload}.${signature.slice(0, middle)}${flipped}${signature.slice(middle + 1)}`;
    const good = await fetch(`${system.apiUrl}/tasks`, { headers: { Authorization: `Bearer ${body.token}` } });
    assert.equal(good.status, 200);
    const bad = await fetch(`${system.apiUrl}/tasks`, { headers: { Authorization: `Bearer ${tampered}` } });
    assert.equal(bad.status, 401);
    assert.match(bad.headers.get("www-authenticate"), /^Bearer error="invalid_token"/);
  });

  test("6. a screenshot of the tasks page is saved as an artifact", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, "tasks.png");
    await page.screenshot({ path: file, fullPage: true });
  });

  test("7. signing out in another tab sends this tab to log in as well", async () => {
    await page.getByRole("heading", { name: "Tasks", level: 1 }).waitFor();
    const otherTab = await context.newPage();
    try {
      await otherTab.goto(`${system.frontendUrl}/tasks`);
      await signOut(otherTab);
      await page.waitForURL(/\/auth\/login\?next=(%2F|\/)tasks$/, { timeout: 10_000 });
    } finally {
      await otherTab.close();
    }
  });
});
