// What a person does on the pages, by the labels and roles they see.
import assert from "node:assert/strict";

import { eventually } from "./browser.mjs";

/**
 * Signs up, then logs in: sign-up answers "check your email" whether or not the address was
 * taken, and signs nobody in. Without REQUIRE_EMAIL_VERIFICATION the new account may log in
 * straight away.
 */
export async function signUp(page, baseUrl, { name, email, password }) {
  await page.goto(`${baseUrl}/auth/signup`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("main").getByRole("status").filter({ hasText: `open the link we sent to ${email}` }).waitFor();
  await page.goto(`${baseUrl}/auth/login`);
  await logIn(page, { email, password });
  await page.waitForURL((url) => url.pathname === "/tasks");
}

/**
 * page.goto, once more if the page's own navigation cut it short: a sign-in replaces the URL
 * with /tasks and then refreshes it (auth-form.tsx), and that reload can still start after
 * signUp has seen /tasks (a goto to /account right after was interrupted by it in CI).
 */
export async function openPage(page, url) {
  try {
    await page.goto(url);
  } catch (error) {
    if (!/interrupted by another navigation/.test(String(error))) throw error;
    await page.goto(url);
  }
}

export async function logIn(page, { email, password }) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

export async function signOut(page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/auth/login**");
}

/** Opens the panel of search, sort and filters (closed when a page loads) unless it is open. */
export async function openFilters(page) {
  const toggle = page.getByRole("button", { name: /^Filters/ });
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
}

/**
 * Ticks a task's box. Not Playwright's check(), which reads the box back at once: the box shows
 * the list's cache, which the page updates on the click but re-renders a moment later (on a
 * busy machine, after check() has looked).
 */
export async function completeTask(page, title) {
  const box = page.getByRole("checkbox", { name: `Complete ${title}` });
  await box.click();
  await eventually(async () => assert.ok(await box.isChecked(), `“${title}” is ticked`));
}

/** Opens the add form's details area (description, priority, due date, tags) unless it is open. */
export async function openTaskDetails(page) {
  const toggle = page.getByRole("button", { name: "Details", exact: true });
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
}

/** Adds a task through the quick-add line (so `title` must hold no !priority, #tag or date). */
export async function addTask(page, title, description = "") {
  await page.getByLabel("New task", { exact: true }).fill(title);
  if (description) {
    await openTaskDetails(page);
    await page.getByLabel("Description", { exact: true }).fill(description);
  }
  await page.getByRole("button", { name: "Add task" }).click();
  await page.getByRole("checkbox", { name: `Complete ${title}` }).waitFor();
}

/** The titles in the list, top to bottom (read from each task's checkbox label). */
export async function titles(page) {
  const boxes = page.getByRole("list", { name: "Tasks" }).getByRole("checkbox");
  const labels = await boxes.evaluateAll((nodes) =>
    nodes.map((node) => node.getAttribute("aria-label")),
  );
  return labels.map((label) => label.replace(/^Complete /, ""));
}

export async function counts(page) {
  const read = async (id) => Number(await page.getByTestId(`count-${id}`).textContent());
  return { all: await read("all"), active: await read("active"), completed: await read("completed") };
}

export async function expectTitles(page, expected) {
  await eventually(async () => assert.deepEqual(await titles(page), expected));
}

export async function expectCounts(page, expected) {
  await eventually(async () => assert.deepEqual(await counts(page), expected));
}

/**
 * The backend token of the page's session, straight from the frontend's token route. Asked
 * with the page's cookies from outside the page, so that a navigation under way (a sign-up
 * that goes on to sign in, say) cannot destroy the context the call runs in.
 */
export async function sessionToken(page) {
  const response = await page.request.get(new URL("/api/auth/token", page.url()).href, { headers: { "Cache-Control": "no-store" } });
  return { status: response.status(), body: await response.json() };
}

/** The backend as the page's user, straight over HTTP (to set up and to check). */
export async function callApi(page, apiUrl, method, route, body) {
  const { body: token } = await sessionToken(page);
  const send = () =>
    fetch(`${apiUrl}${route}`, {
      method,
      headers: { Authorization: `Bearer ${token.token}`, "Content-Type": "application/json" },
      body: body && JSON.stringify(body),
    });
  let response = await send();
  // As the app does: the user's own pages may have their share of requests in flight (a 429 did nothing).
  for (let retry = 0; response.status === 429 && retry < 5; retry++) {
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get("Retry-After") ?? 1) * 1000));
    response = await send();
  }
  assert.ok(response.ok, `${method} ${route}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}
