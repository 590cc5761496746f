// Organizing work (issue 20's UI, issue 21's drag to reorder): lists in the sidebar, quick add with
// ^List, a time and a repeat, a repeating task moving to its next date, subtasks and their progress,
// drag to reorder (kept after a reload), Alt+↓, a drag onto a sidebar list, and deleting a list.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { AxeBuilder } from "@axe-core/playwright";

import { eventually, launchBrowser } from "../lib/browser.mjs";
import { callApi, expectTitles, signUp, titles } from "../lib/pages.mjs";
import { ROOT, startSystem } from "../lib/system.mjs";

const SCREENSHOTS = path.join(ROOT, "artifacts/e2e/screenshots");

const run = Date.now().toString(36);
const olive = { name: "Olive Organizer", email: `olive-${run}@example.com`, password: "lists and repeats" };
const WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function bothThemes(page, where) {
  for (const colorScheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).withTags(WCAG_22_AA).analyze();
    const found = violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    assert.deepEqual(found, [], `${where}, ${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** The local day `days` from today, as the API writes it (the browser runs in this process's zone). */
function day(days) {
  const date = new Date();
  date.setDate(date.getDate() + days);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Drags with the mouse in small steps (dnd-kit starts a drag after a few pixels). */
async function drag(page, from, to, { above = false } = {}) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2 + 10, { steps: 5 });
  const y = above ? b.y + 4 : b.y + b.height / 2;
  await page.mouse.move(b.x + b.width / 2, y, { steps: 20 });
  await page.mouse.move(b.x + b.width / 2, y + (above ? -2 : 1), { steps: 2 });
  await page.mouse.up();
}

describe("organizing tasks (issue 20's UI)", { timeout: 300_000 }, () => {
  let system;
  let browser;
  let page;
  const api = (method, route, body) => callApi(page, system.apiUrl, method, route, body);
  const row = (title) => page.locator("ul.task-list > li.task", { has: page.getByRole("checkbox", { name: `Complete ${title}`, exact: true }) });
  let work;

  before(async () => {
    system = await startSystem({ tokenTtlSeconds: 900 });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await system?.stop();
  });

  test("1. a list is created from the sidebar, with its colour, and its view is in the URL", async () => {
    await signUp(page, system.frontendUrl, olive);
    await page.getByRole("button", { name: "New list" }).click();
    const dialog = page.getByRole("dialog", { name: "New list" });
    await dialog.getByLabel("Name").fill("Work");
    await dialog.getByRole("radio", { name: "Blue" }).check();
    await bothThemes(page, "the new-list dialog");
    await dialog.getByRole("button", { name: "Create list" }).click();
    await page.getByRole("heading", { name: "Work", level: 2 }).waitFor();
    [work] = await api("GET", "/lists");
    assert.deepEqual([work.name, work.color], ["Work", "blue"]);
    assert.equal(new URL(page.url()).searchParams.get("list"), String(work.id));
    // A taken name is refused with the server's words, in the dialog.
    await page.getByRole("button", { name: "New list" }).click();
    await page.getByRole("dialog", { name: "New list" }).getByLabel("Name").fill("work");
    await page.getByRole("button", { name: "Create list" }).click();
    await page.getByRole("dialog", { name: "New list" }).getByRole("alert").waitFor();
    await page.getByRole("dialog", { name: "New list" }).getByRole("button", { name: "Cancel" }).click();
    await bothThemes(page, "/tasks with a list in the sidebar");
  });

  test("2. quick add: ^List, a time and a repeat, shown as chips, then stored", async () => {
    await page.goto(`${system.frontendUrl}/tasks`);
    // ^List is read against the sidebar's lists (fetched right after the first rows).
    await page.getByRole("link", { name: /^Work/ }).waitFor();
    const line = page.getByLabel("New task", { exact: true });
    await line.fill("Standup ^work 9:30am every weekday");
    const chips = page.getByRole("list", { name: "Understood from the line" });
    await chips.getByText("List: Work", { exact: true }).waitFor();
    await chips.getByText("At 09:30").waitFor();
    await chips.getByText("Repeat: Every weekday").waitFor();
    await line.press("Enter");
    await page.getByText("Added “Standup”.").waitFor({ state: "attached" });
    await eventually(async () => {
      const [task] = await api("GET", "/tasks?q=Standup");
      assert.deepEqual(
        [task.title, task.list_id, task.due_time, task.repeat, Boolean(task.due_date)],
        ["Standup", work.id, "09:30", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", true],
      );
    });
    // The Inbox holds tasks in no list; the list's view has it, with its time and repeat on the row.
    assert.deepEqual(await titles(page), []);
    await page.getByRole("link", { name: /^Work/ }).click();
    await row("Standup").getByText("09:30").waitFor();
    await row("Standup").getByText(/Every weekday/).waitFor();
  });

  test("3. completing a repeating task moves it to its next date", async () => {
    await page.getByLabel("New task", { exact: true }).fill("Water plants every day");
    await page.keyboard.press("Enter");
    await page.getByRole("checkbox", { name: "Complete Water plants" }).waitFor();
    assert.equal((await api("GET", "/tasks?q=Water"))[0].due_date, day(0));
    await page.getByRole("checkbox", { name: "Complete Water plants" }).click();
    await eventually(async () => {
      const [task] = await api("GET", `/tasks?q=Water&completed=false`);
      assert.deepEqual([task.due_date, task.completed], [day(1), false]);
    });
    // The row stays, open, now due tomorrow; the done occurrence is kept as a completed copy.
    await row("Water plants").getByText("Tomorrow").first().waitFor();
    assert.equal((await api("GET", "/tasks?q=Water&completed=true")).length, 1);
  });

  test("4. subtasks inline: add, complete, progress on the row", async () => {
    await row("Standup").hover();
    await page.getByRole("button", { name: "Subtasks of Standup" }).click();
    const add = page.getByLabel("Add a subtask to Standup");
    await add.fill("Agenda");
    await add.press("Enter");
    await page.getByRole("checkbox", { name: "Agenda" }).waitFor();
    await add.fill("Notes");
    await add.press("Enter");
    await page.getByRole("button", { name: "Subtasks: 0 of 2 done" }).waitFor();
    // The box follows the server's answer, not the click itself: click, then wait for the result.
    await page.getByRole("checkbox", { name: "Agenda" }).click();
    await page.getByRole("button", { name: "Subtasks: 1 of 2 done" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Subtasks: 1 of 2 done" }).locator("[aria-hidden]").textContent(), "1/2");
    const [standup] = await api("GET", "/tasks?q=Standup");
    assert.deepEqual(standup.subtasks, { total: 2, completed: 1 });
    await bothThemes(page, "/tasks with subtasks open");
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, "tasks-lists.png") });
  });

  test("5. drag to reorder persists after a reload; Alt+↓ moves; a drag onto a sidebar list moves the task there", async () => {
    const home = await api("POST", "/lists", { name: "Home", color: "green" });
    for (const title of ["One", "Two", "Three"]) await api("POST", "/tasks", { title, list_id: home.id });
    await page.goto(`${system.frontendUrl}/tasks?list=${home.id}`);
    await expectTitles(page, ["One", "Two", "Three"]);
    assert.equal(await row("One").locator(".task-meta").count(), 0, "a row with no details has no meta line");

    await drag(page, row("Three").locator(".task-title"), row("One"), { above: true });
    await expectTitles(page, ["Three", "One", "Two"]);
    const manual = async () => (await api("GET", `/tasks?list=${home.id}&sort=manual`)).map((t) => t.title);
    await eventually(async () => assert.deepEqual(await manual(), ["Three", "One", "Two"]));
    await page.reload();
    await expectTitles(page, ["Three", "One", "Two"]);

    await page.getByRole("checkbox", { name: "Complete Three" }).focus();
    await page.keyboard.press("Alt+ArrowDown");
    await expectTitles(page, ["One", "Three", "Two"]);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Complete Three", "focus stays on the moved task");
    await eventually(async () => assert.deepEqual(await manual(), ["One", "Three", "Two"]));

    await drag(page, row("Two").locator(".task-title"), page.getByRole("link", { name: /^Work/ }));
    await expectTitles(page, ["One", "Three"]);
    await eventually(async () => assert.equal((await api("GET", "/tasks?q=Two"))[0].list_id, work.id));
  });

  test("6. deleting a list asks what becomes of its tasks", async () => {
    const [home] = (await api("GET", "/lists")).filter((l) => l.name === "Home");
    await page.getByRole("button", { name: "Edit list Home" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit list" });
    await dialog.getByRole("button", { name: "Delete…" }).click();
    await page.getByRole("dialog", { name: "Delete “Home”?" }).waitFor();
    await bothThemes(page, "the delete-list dialog");
    await page.getByLabel("Move them to the Inbox").check();
    await page.getByRole("button", { name: "Delete list" }).click();
    await page.getByRole("heading", { name: "Inbox", level: 2 }).waitFor();
    await expectTitles(page, ["Three", "One"]);
    assert.deepEqual((await api("GET", "/lists")).map((l) => l.id).includes(home.id), false);

    // Upcoming groups by day: today's heading over the tasks due today.
    await page.getByRole("link", { name: "Upcoming" }).click();
    await page.getByRole("heading", { name: /^Today · /, level: 3 }).waitFor();
  });
});
