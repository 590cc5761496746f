// Live sync and offline (issue #22): two browser contexts of one person see each other's
// changes without a reload; without a network the page keeps working from what it saved, its
// changes wait on the device (through a reload) and reach the server in order once it is back.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { eventually, launchBrowser } from "../lib/browser.mjs";
import { addTask, callApi, completeTask, expectTitles, logIn, signUp, titles } from "../lib/pages.mjs";
import { startSystem } from "../lib/system.mjs";

const run = Date.now().toString(36);
const sam = { name: "Sam Sync", email: `sam-${run}@example.com`, password: "two tabs one list" };
const olly = { name: "Olly Offline", email: `olly-${run}@example.com`, password: "a hundred on a train" };

/** How long a change may take to show in the other context before the test gives up (not a timing assertion). */
const SYNC_DEADLINE = { timeout: 15_000 };

const checkbox = (page, title) => page.getByRole("checkbox", { name: `Complete ${title}` });
const status = (page) => page.locator(".connection-status");

/** What the page has saved in IndexedDB: its persisted query clients (cache and write queue). */
function savedClients(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("todo-offline");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction("cache").objectStore("cache").getAll();
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            resolve(request.result.filter((value) => value?.clientState).map((value) => value.clientState));
            open.result.close();
          };
        };
      }),
  );
}

/** The task writes the page has saved in IndexedDB (the queue that survives a reload). */
async function savedWrites(page) {
  return (await savedClients(page)).flatMap((client) => client.mutations.map((m) => m.state.variables.kind));
}

/** The titles of the view at `search` ("?sort=manual") as the page last saved them in IndexedDB. */
async function savedTitles(page, search) {
  const queries = (await savedClients(page)).flatMap((client) => client.queries ?? []);
  const view = queries.find((q) => q.queryKey[0] === "tasks" && q.queryKey[1] === search);
  return view?.state.data?.pages.flat().map((task) => task.title) ?? null;
}

/**
 * Makes the service worker keep the tasks page: once it controls the page, a navigation to
 * /tasks goes through it and is saved, with the built files it names.
 */
async function keepForOffline(page) {
  // Retried: a page just signed in can still be navigating (on a loaded machine the page was
  // replaced under this call once, right after the sign-in had reached /tasks).
  await eventually(async () =>
    assert.ok(
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
        return navigator.serviceWorker.controller !== null;
      }),
    ),
  );
  await page.reload();
  await eventually(async () => assert.ok(await page.evaluate(async () => (await caches.match("/tasks")) !== undefined)));
  // The list is saved once it has loaded.
  await page.getByText("Loading tasks…").waitFor({ state: "detached" });
}

describe("live sync and offline", { timeout: 300_000 }, () => {
  let system;
  let browser;
  let laptop;
  let phone;
  const api = (page, method, route, body) => callApi(page, system.apiUrl, method, route, body);
  /** The server's tasks, in manual order (the order they were made in, unless moved). */
  const serverTitles = async (page) => (await api(page, "GET", "/tasks?sort=manual&limit=100")).map((t) => t.title);

  before(async () => {
    system = await startSystem({ tokenTtlSeconds: 900 });
    browser = await launchBrowser();
    laptop = await (await browser.newContext()).newPage();
    phone = await (await browser.newContext()).newPage();
    await signUp(laptop, system.frontendUrl, sam);
    await phone.goto(`${system.frontendUrl}/auth/login`);
    await logIn(phone, sam);
    await phone.waitForURL((url) => url.pathname === "/tasks");
  });

  after(async () => {
    await browser?.close();
    await system?.stop();
  });

  test("1. adds, edits, completes, reorders and deletes in one context show in the other without a reload", async () => {
    await addTask(laptop, "Water the plants");
    await checkbox(phone, "Water the plants").waitFor(SYNC_DEADLINE);
    await addTask(phone, "Call the bank");
    await checkbox(laptop, "Call the bank").waitFor(SYNC_DEADLINE);

    await completeTask(laptop, "Water the plants");
    await eventually(async () => assert.ok(await checkbox(phone, "Water the plants").isChecked()), SYNC_DEADLINE);

    // An edit and a reorder made elsewhere (another device, straight through the API).
    const [bank] = await api(laptop, "GET", "/tasks?q=bank");
    await api(laptop, "PATCH", `/tasks/${bank.id}`, { title: "Call the bank today" });
    await checkbox(phone, "Call the bank today").waitFor(SYNC_DEADLINE);
    await checkbox(laptop, "Call the bank today").waitFor(SYNC_DEADLINE);
    await api(laptop, "POST", `/tasks/${bank.id}/move`, { after: null });
    const moved = await serverTitles(laptop);
    assert.deepEqual(moved, ["Call the bank today", "Water the plants"]);
    await laptop.goto(`${system.frontendUrl}/tasks?sort=manual`);
    await phone.goto(`${system.frontendUrl}/tasks?sort=manual`);
    await api(laptop, "POST", `/tasks/${bank.id}/move`, { after: (await api(laptop, "GET", "/tasks?q=plants"))[0].id });
    await expectTitles(phone, ["Water the plants", "Call the bank today"]);
    await expectTitles(laptop, ["Water the plants", "Call the bank today"]);

    await phone.getByRole("button", { name: "Delete Water the plants" }).click();
    // Dismissing the undo sends the delete now.
    await phone.getByRole("button", { name: "Dismiss, keep it deleted" }).click();
    await eventually(async () => assert.deepEqual(await titles(laptop), ["Call the bank today"]), SYNC_DEADLINE);
  });

  test("2. offline: an indicator, changes queued and shown at once, kept through a reload, sent in order once back", async () => {
    const context = laptop.context();
    await keepForOffline(laptop);
    await addTask(laptop, "Book the train");
    // Its create has reached the server before the network goes.
    await eventually(async () => assert.equal((await api(laptop, "GET", "/tasks?q=train")).length, 1));
    await eventually(async () => assert.equal(await status(laptop).getAttribute("data-waiting"), "0"));
    await context.setOffline(true);
    await status(laptop).getByText("Offline").waitFor();

    await addTask(laptop, "Pack a charger");
    await addTask(laptop, "Print the ticket");
    await completeTask(laptop, "Pack a charger");
    await laptop.getByRole("button", { name: "Delete Book the train" }).click();
    await laptop.getByRole("button", { name: "Dismiss, keep it deleted" }).click();
    await status(laptop).getByText("4 changes saved on this device").waitFor();
    await eventually(async () => assert.deepEqual(await savedWrites(laptop), ["create", "create", "update", "delete"]));

    // A reload without a network: the service worker serves the page, the saved cache the list.
    await laptop.reload();
    await eventually(async () => assert.deepEqual((await titles(laptop)).sort(), ["Call the bank today", "Pack a charger", "Print the ticket"]));
    assert.ok(await checkbox(laptop, "Pack a charger").isChecked());
    await status(laptop).getByText("4 changes saved on this device").waitFor();

    await context.setOffline(false);
    await eventually(async () => assert.deepEqual(await savedWrites(laptop), []), SYNC_DEADLINE);
    assert.deepEqual(await serverTitles(laptop), ["Call the bank today", "Pack a charger", "Print the ticket"]);
    const [charger] = await api(laptop, "GET", "/tasks?q=charger");
    assert.equal(charger.completed, true);
    // The other context saw it all arrive.
    await eventually(async () => assert.deepEqual((await titles(phone)).sort(), ["Call the bank today", "Pack a charger", "Print the ticket"]), SYNC_DEADLINE);
  });

  test("3. an edit queued offline for a task deleted elsewhere is dropped with a notice", async () => {
    const context = laptop.context();
    await context.setOffline(true);
    await status(laptop).getByText("Offline").waitFor();
    await completeTask(laptop, "Print the ticket");
    // Deleted on another device while this one is offline (the test's own HTTP is not offline).
    const [ticket] = await api(phone, "GET", "/tasks?q=ticket");
    await api(phone, "DELETE", `/tasks/${ticket.id}`);
    await context.setOffline(false);
    await laptop.getByRole("alert").getByText("Your change to “Print the ticket” was not saved: the task was deleted elsewhere.").waitFor(SYNC_DEADLINE);
    await eventually(async () => assert.deepEqual(await savedWrites(laptop), []));
    await eventually(async () => assert.equal(await checkbox(laptop, "Print the ticket").count(), 0));
  });

  test("4. the tasks page opens offline, in a new tab, with the last list seen", async () => {
    const context = laptop.context();
    await context.setOffline(true);
    // The view last seen (the laptop's): a view not opened since a change may be out of date offline.
    const shown = await titles(laptop);
    assert.deepEqual([...shown].sort(), ["Call the bank today", "Pack a charger"]);
    // The page saves what it shows a moment later (one write per burst of changes).
    await eventually(async () => assert.deepEqual(await savedTitles(laptop, new URL(laptop.url()).search), shown));
    const tab = await context.newPage();
    try {
      await tab.goto(laptop.url());
      await eventually(async () => assert.deepEqual((await titles(tab)).sort(), ["Call the bank today", "Pack a charger"]));
      await status(tab).getByText("Offline").waitFor();
    } finally {
      await tab.close();
      await context.setOffline(false);
    }
  });

  test("5. 100 creates queued offline, replayed by two tabs at once, make exactly 100 tasks", async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    try {
      await signUp(first, system.frontendUrl, olly);
      await keepForOffline(first);
      await context.setOffline(true);
      await status(first).getByText("Offline").waitFor();
      const line = first.getByLabel("New task", { exact: true });
      for (let n = 1; n <= 100; n++) {
        await line.fill(`Errand ${n}`);
        await line.press("Enter");
      }
      await eventually(async () => assert.equal((await titles(first)).length, 100));
      await eventually(async () => assert.equal((await savedWrites(first)).length, 100));
      // A second tab opened offline restores the same saved queue: both replay it when the network is back.
      const second = await context.newPage();
      await second.goto(`${system.frontendUrl}/tasks`);
      await eventually(async () => assert.equal((await titles(second)).length, 100));
      await context.setOffline(false);
      for (const tab of [first, second]) await eventually(async () => assert.equal(await status(tab).getAttribute("data-waiting"), "0"), { timeout: 60_000 });
      await eventually(async () => assert.deepEqual(await savedWrites(first), []));
      assert.equal((await api(first, "GET", "/tasks/counts")).all, 100);
      const made = await serverTitles(first);
      assert.deepEqual(made, Array.from({ length: 100 }, (_, i) => `Errand ${i + 1}`));
      // Both tabs show the server's list again: its first page, and the count of all 100.
      for (const tab of [first, second]) await tab.getByText("100 items left").waitFor(SYNC_DEADLINE);
    } finally {
      await context.close();
    }
  });
});
