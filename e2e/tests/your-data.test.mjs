// "Your data" on /account in a real browser: each download is a file of the caller's tasks, and
// a Todoist CSV chosen in the file picker is previewed (counts, first titles), imported after
// the confirm step, and its tasks are then the user's; a bad file is refused with nothing written.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { launchBrowser } from "../lib/browser.mjs";
import { openPage, sessionToken, signUp } from "../lib/pages.mjs";
import { ROOT, startSystem } from "../lib/system.mjs";

const run = Date.now().toString(36);
const dana = { name: "Dana Example", email: `dana-${run}@example.com`, password: "your data passphrase" };
const TODOIST = path.join(ROOT, "backend/tests/api/files/todoist-project.csv");

describe("your data, end to end", { timeout: 240_000 }, () => {
  let system;
  let browser;
  let page;
  const scratch = mkdtempSync(path.join(tmpdir(), "todo-e2e-data-"));

  async function api(pathname) {
    const { body } = await sessionToken(page);
    const response = await fetch(`${system.apiUrl}${pathname}`, { headers: { Authorization: `Bearer ${body.token}` } });
    assert.equal(response.status, 200);
    return response.json();
  }

  const section = () => page.getByRole("region", { name: "Your data" });

  before(async () => {
    system = await startSystem({ tokenTtlSeconds: 300 });
    browser = await launchBrowser();
    const context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
    await signUp(page, system.frontendUrl, dana);
    await openPage(page, `${system.frontendUrl}/account`);
    await section().waitFor();
  });

  after(async () => {
    await browser?.close();
    await system?.stop();
  });

  test("the download buttons stand apart, at a desktop's width and a phone's", async () => {
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 800 });
      const boxes = await section().locator(".export-buttons button").evaluateAll((buttons) =>
        buttons.map((button) => {
          const { left, right, top, bottom } = button.getBoundingClientRect();
          return { left, right, top, bottom };
        }),
      );
      assert.equal(boxes.length, 3);
      for (const [one, next] of boxes.slice(1).map((box, i) => [boxes[i], box])) {
        const sideBySide = next.top < one.bottom;
        const apart = sideBySide ? next.left - one.right : next.top - one.bottom;
        assert.ok(apart >= 4, `${width}px: ${apart}px between two buttons`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test("a Todoist CSV is previewed, confirmed and imported into a list", async () => {
    await section().getByLabel("File to import").setInputFiles(TODOIST);
    const preview = section().getByText("looks like a Todoist project (CSV)");
    await preview.waitFor();
    assert.match(await preview.innerText(), /9 tasks in 1 list, 2 other rows left out/);
    assert.deepEqual(await section().getByRole("list", { name: "First tasks" }).getByRole("listitem").allInnerTexts(), [
      "Plan the move @home @big_job",
      "Call the landlord",
      "Find the lease",
      "Pay rent",
      "Stretch",
    ]);
    assert.equal(await section().getByLabel("List to import into").inputValue(), "todoist-project");
    await section().getByLabel("List to import into").fill("Moving");
    assert.deepEqual(await api("/tasks"), []); // nothing before the confirm step
    await section().getByRole("button", { name: "Import 9 tasks" }).click();
    const result = section().getByRole("status");
    await result.getByText("Imported 9 tasks and 1 new list.").waitFor();
    const lists = await api("/lists");
    assert.deepEqual(lists.map((list) => list.name), ["Moving"]);
    assert.equal((await api("/tasks?limit=100")).length, 7); // top-level ones; two are subtasks
  });

  test("each download is a file of the user's tasks", async () => {
    for (const [button, extension, check] of [
      ["Download JSON", "json", (text) => assert.equal(JSON.parse(text).tasks.length, 9)],
      ["Download CSV", "csv", (text) => assert.equal(text.trim().split("\r\n").length, 10)],
      ["Download calendar (.ics)", "ics", (text) => assert.equal(text.split("BEGIN:VTODO").length - 1, 9)],
    ]) {
      const [download] = await Promise.all([page.waitForEvent("download"), section().getByRole("button", { name: button }).click()]);
      assert.match(download.suggestedFilename(), new RegExp(`^todo-export-\\d{4}-\\d{2}-\\d{2}\\.${extension}$`));
      const saved = path.join(scratch, download.suggestedFilename());
      await download.saveAs(saved);
      check(readFileSync(saved, "utf8"));
    }
  });

  test("a file the server refuses says why, and nothing is written", async () => {
    const bad = path.join(scratch, "broken.csv");
    writeFileSync(bad, "TYPE,CONTENT,PRIORITY\r\ntask,Fine,1\r\ntask,Bad priority,9\r\n");
    await section().getByLabel("File to import").setInputFiles(bad);
    await section().getByRole("button", { name: "Import 2 tasks" }).click();
    const alert = section().getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /Nothing was imported: 1 problem\(s\) in the file/);
    assert.equal((await api("/tasks?limit=100")).length, 7);
  });
});
