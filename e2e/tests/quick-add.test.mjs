// Quick add in a real browser: one line ("Pay rent tomorrow !high #home") becomes a task with a
// priority, a due date on the browser's local day and tags; the details area and its tag
// combobox work from the keyboard alone; bad input is explained and a failed add keeps the input.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { eventually, launchBrowser } from "../lib/browser.mjs";
import { openTaskDetails, sessionToken, signUp } from "../lib/pages.mjs";
import { startSystem } from "../lib/system.mjs";

// A browser time zone whose day is not UTC's at the time of the run (UTC-11 before 10:00 UTC,
// UTC+14 after), so a due date computed on the UTC day instead of the local one is a day off.
const TIME_ZONE = new Date().getUTCHours() < 10 ? "Pacific/Pago_Pago" : "Pacific/Kiritimati";
const run = Date.now().toString(36);
const carol = { name: "Carol Example", email: `carol-${run}@example.com`, password: "quick add passphrase" };

const activeId = (page) => page.evaluate(() => document.activeElement?.id ?? "");

/** Presses Tab until the element with `id` has the focus (the keyboard's way to get there). */
async function tabTo(page, id) {
  for (let presses = 0; presses < 40; presses += 1) {
    if ((await activeId(page)) === id) return;
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached #${id}`);
}

/** The calendar day `days` from today in the browser's time zone, as the API spells dates. */
function browserDay(page, days) {
  return page.evaluate((offset) => {
    const date = new Date();
    date.setDate(date.getDate() + offset);
    const pad = (value) => String(value).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }, days);
}

describe("quick add, end to end", { timeout: 240_000 }, () => {
  let system;
  let browser;
  let page;
  let line;
  let chips;
  const posts = [];

  async function apiTasks() {
    const { body } = await sessionToken(page);
    const response = await fetch(`${system.apiUrl}/tasks`, { headers: { Authorization: `Bearer ${body.token}` } });
    assert.equal(response.status, 200);
    return response.json();
  }

  async function apiTask(title) {
    const task = (await apiTasks()).find((candidate) => candidate.title === title);
    assert.ok(task, `no task titled ${title}`);
    return task;
  }

  const row = (title) => page.getByRole("list", { name: "Tasks" }).getByRole("checkbox", { name: `Complete ${title}`, exact: true });

  before(async () => {
    system = await startSystem({ tokenTtlSeconds: 300 });
    browser = await launchBrowser();
    const context = await browser.newContext({ timezoneId: TIME_ZONE, locale: "en-US" });
    page = await context.newPage();
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url() === `${system.apiUrl}/tasks`) posts.push(request.url());
    });
    line = page.getByLabel("New task", { exact: true });
    chips = page.getByRole("list", { name: "Understood from the line" });
  });

  after(async () => {
    await browser?.close();
    await system?.stop();
  });

  test("'Pay rent tomorrow !high #home' gives a task due tomorrow (local day), high, tagged home", async () => {
    await signUp(page, system.frontendUrl, carol);
    await line.fill("Pay rent tomorrow !high #home");

    // What it understood shows before anything is sent.
    const tomorrow = await browserDay(page, 1);
    assert.notEqual(await browserDay(page, 0), new Date().toISOString().slice(0, 10), "the browser's day should not be UTC's");
    const dueLabel = await page.evaluate((day) => {
      const [year, month, date] = day.split("-").map(Number);
      const sameYear = year === new Date().getFullYear();
      return new Date(year, month - 1, date).toLocaleDateString(undefined, {
        weekday: "short",
        month: "short",
        day: "numeric",
        ...(sameYear ? {} : { year: "numeric" }),
      });
    }, tomorrow);
    const chipLabels = () => chips.getByRole("listitem").evaluateAll((items) => items.map((item) => item.firstElementChild.textContent));
    await eventually(async () => assert.deepEqual(await chipLabels(), ["Priority: High", `Due: ${dueLabel}`, "#home"]));
    assert.equal(posts.length, 0);

    await line.press("Enter");
    await row("Pay rent").waitFor();
    assert.equal(await line.inputValue(), "");
    assert.equal(await chips.count(), 0);
    assert.equal(await activeId(page), "quick-add-input");

    const task = await apiTask("Pay rent");
    // Midnight may pass between reading "tomorrow" and the add.
    assert.ok([tomorrow, await browserDay(page, 1)].includes(task.due_date), `${task.due_date} is not tomorrow (${tomorrow})`);
    assert.equal(task.priority, "high");
    assert.deepEqual(task.tags, ["home"]);
    assert.equal(task.description, null);

    // In the UI after a reload: the row's title is the rest of the line, and "home" is now one
    // of the person's tags, suggested in the details' tag field.
    await page.reload();
    await row("Pay rent").waitFor();
    await page.getByRole("button", { name: "Details", exact: true }).click();
    await page.getByRole("combobox", { name: "Tags" }).fill("h");
    await page.getByRole("listbox", { name: "Suggested tags" }).getByRole("option", { name: "home" }).waitFor();
  });

  test("keyboard only: the line, the details area and the tag combobox", async () => {
    await page.reload();
    await row("Pay rent").waitFor();

    await tabTo(page, "quick-add-input");
    await page.keyboard.type("Call the plumber");
    // The disclosure button has no id; find it by Tab and its aria-controls.
    for (let presses = 0; ; presses += 1) {
      assert.ok(presses < 20, "Tab never reached the Details button");
      await page.keyboard.press("Tab");
      if (await page.evaluate(() => document.activeElement?.getAttribute("aria-controls") === "quick-add-details")) break;
    }
    await page.keyboard.press("Enter");
    const disclosure = page.getByRole("button", { name: "Details", exact: true });
    assert.equal(await disclosure.getAttribute("aria-expanded"), "true");

    await tabTo(page, "quick-add-description");
    await page.keyboard.type("Leaking tap");

    await tabTo(page, "quick-add-priority");
    // Highest first, as every list of priorities: None is last.
    await page.keyboard.press("ArrowUp"); // Low
    await page.keyboard.press("ArrowUp"); // Medium
    await page.keyboard.press("ArrowUp"); // High
    assert.equal(await page.locator("#quick-add-priority").inputValue(), "high");

    await tabTo(page, "quick-add-due");
    await page.keyboard.type("12242027"); // en-US: month, day, year
    assert.equal(await page.locator("#quick-add-due").inputValue(), "2027-12-24");

    await tabTo(page, "quick-add-tags");
    const combobox = page.getByRole("combobox", { name: "Tags" });
    await page.keyboard.type("ho");
    const option = page.getByRole("listbox", { name: "Suggested tags" }).getByRole("option", { name: "home" });
    await option.waitFor();
    assert.equal(await combobox.getAttribute("aria-expanded"), "true");
    await page.keyboard.press("ArrowDown");
    assert.equal(await combobox.getAttribute("aria-activedescendant"), await option.getAttribute("id"));
    assert.equal(await option.getAttribute("aria-selected"), "true");
    await page.keyboard.press("Enter");
    await page.keyboard.type("Plumbing");
    await page.keyboard.press("Enter");
    const chosen = page.getByRole("list", { name: "Chosen tags" }).getByRole("listitem");
    await eventually(async () => assert.equal(await chosen.count(), 2));
    assert.equal(await combobox.inputValue(), "");
    assert.equal(posts.length, 1, "choosing tags must not submit the form");

    // Enter in the empty tag field adds the task.
    await page.keyboard.press("Enter");
    await row("Call the plumber").waitFor();
    assert.equal(await activeId(page), "quick-add-input");
    const task = await apiTask("Call the plumber");
    assert.deepEqual(
      { description: task.description, priority: task.priority, due_date: task.due_date, tags: task.tags },
      { description: "Leaking tap", priority: "high", due_date: "2027-12-24", tags: ["home", "plumbing"] },
    );
    // The details are cleared for the next task.
    assert.equal(await page.locator("#quick-add-description").inputValue(), "");
    assert.equal(await chosen.count(), 0);
  });

  test("removing a chip keeps its words in the title", async () => {
    await line.fill("Call May tomorrow");
    const remove = chips.getByRole("button", { name: /^Remove Due: .*, keep “tomorrow” as text$/ });
    await remove.click();
    assert.equal(await chips.count(), 0);
    assert.equal(await line.inputValue(), "Call May tomorrow");
    assert.equal(await activeId(page), "quick-add-input");
    await page.keyboard.press("Enter");
    await row("Call May tomorrow").waitFor();
    assert.equal((await apiTask("Call May tomorrow")).due_date, null);
  });

  test("bad input is explained at the field and nothing is sent", async () => {
    const sent = posts.length;
    const error = page.locator("#quick-add-input-error");

    await line.fill("!high #home tomorrow");
    await line.press("Enter");
    assert.equal(await error.textContent(), "Add a title: the line holds only a priority, a date or tags.");
    assert.equal(await line.getAttribute("aria-invalid"), "true");
    assert.match(await line.getAttribute("aria-describedby"), /\bquick-add-input-error\b/);

    const long = "a".repeat(33);
    await line.fill(`Plan #${long}`);
    await eventually(async () => assert.equal(await error.textContent(), `Tag “${long}” is 33 characters long; a tag has at most 32.`));
    await line.fill(`Plan ${Array.from({ length: 11 }, (_, index) => `#t${index}`).join(" ")}`);
    await eventually(async () => assert.equal(await error.textContent(), "A task has at most 10 tags; this one has 11."));
    assert.equal(posts.length, sent);

    // A problem in the closed details area opens it and puts the focus on the field.
    await openTaskDetails(page);
    const tagField = page.getByRole("combobox", { name: "Tags" });
    await tagField.fill("a+b");
    await tagField.press("Enter");
    const tagError = page.locator("#quick-add-tags-error");
    assert.equal(await tagError.textContent(), "Tag “a+b” may hold only letters, digits, spaces, '-' and '_'.");
    assert.equal(await tagField.getAttribute("aria-invalid"), "true");
    await page.getByRole("button", { name: "Details", exact: true }).click();
    await line.fill("Sort the mail");
    await line.press("Enter");
    assert.equal(await page.getByRole("button", { name: "Details", exact: true }).getAttribute("aria-expanded"), "true");
    assert.equal(await activeId(page), "quick-add-tags");
    assert.match(await tagField.getAttribute("aria-describedby"), /\bquick-add-tags-error\b/);
    assert.equal(posts.length, sent);
    await tagField.fill("");
    await line.fill("Plan the week");
    await eventually(async () => assert.equal(await error.count(), 0));
    assert.equal(await line.getAttribute("aria-invalid"), null);
    await line.press("Enter");
    await row("Plan the week").waitFor();
  });

  test("a failed add keeps everything typed, and the same Enter then works", async () => {
    const failPosts = (route) => (route.request().method() === "POST" ? route.abort() : route.continue());
    await page.route(`${system.apiUrl}/tasks`, failPosts);
    await line.fill("Water the plants !low");
    await line.press("Enter");
    const alert = page.getByRole("main").getByRole("alert");
    await eventually(async () => assert.match(await alert.textContent(), /^Could not add the task: Could not reach the server/));
    assert.equal(await line.inputValue(), "Water the plants !low");
    await chips.getByText("Priority: Low").waitFor();

    await page.unroute(`${system.apiUrl}/tasks`, failPosts);
    await line.press("Enter");
    await row("Water the plants").waitFor();
    assert.equal((await apiTask("Water the plants")).priority, "low");
    assert.equal(await alert.count(), 0);
  });
});
