// The account flows in a real browser, with real mail: password reset through a real SMTP
// server, changing the password, the list of sessions, two-factor sign-in with codes computed
// here, and deleting the account with its tasks. The scenarios run in order and share one user.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import * as OTPAuth from "otpauth";

import { eventually } from "../lib/browser.mjs";
import { logIn, sessionToken, signUp } from "../lib/pages.mjs";
import { linkIn, startMailingSystem } from "../lib/smtp.mjs";

// Next.js keeps a route announcer with role="alert" on every page: look inside <main>.
const formAlert = (page) => page.getByRole("main").getByRole("alert");
const formStatus = (page, text) => page.getByRole("main").getByRole("status").filter({ hasText: text });

// By path: a glob like "**/tasks" also matches /auth/two-factor?next=/tasks.
const atPath = (page, pathname) => page.waitForURL((url) => url.pathname === pathname);

const run = Date.now().toString(36);
const carol = { name: "Carol Example", email: `carol-${run}@example.com`, password: "first long passphrase" };
const PASSWORDS = { reset: "second long passphrase", changed: "third long passphrase" };

describe("accounts, end to end", { timeout: 300_000 }, () => {
  let smtp;
  let system;
  let browser;
  let stop;
  let main; // the page the user works in
  let other; // the same user on another device (its own browser context)
  let totp;

  async function newPage() {
    const context = await browser.newContext();
    return context.newPage();
  }

  async function logInAt(page, password, landing = "/tasks") {
    await page.goto(`${system.frontendUrl}/auth/login`);
    await logIn(page, { email: carol.email, password });
    await atPath(page, landing);
  }

  /** Signs out through Better-Auth's endpoint, as the page's own button does. */
  async function logOut(page) {
    await page.evaluate(() => fetch("/api/auth/sign-out", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }));
    assert.equal(await signedIn(page), false);
  }

  async function signedIn(page) {
    return (await sessionToken(page)).status === 200;
  }

  async function openAccount(page) {
    await page.goto(`${system.frontendUrl}/account`);
    await page.getByRole("heading", { name: "Account", level: 1 }).waitFor();
  }

  before(async () => {
    ({ smtp, system, browser, stop } = await startMailingSystem({ MAIL_FROM: "Todo <todo@example.test>" }));
    main = await newPage();
    other = await newPage();
  });

  after(() => stop?.());

  test("1. a server's refusal shows in plain words beside its field", async () => {
    await main.goto(`${system.frontendUrl}/auth/signup`);
    await main.getByLabel("Name").fill(carol.name);
    await main.getByLabel("Email").fill("user@invalid");
    await main.getByLabel("Password", { exact: true }).fill(carol.password);
    await main.getByRole("button", { name: "Show" }).click();
    assert.equal(await main.getByLabel("Password", { exact: true }).getAttribute("type"), "text");
    await main.getByRole("button", { name: "Sign up" }).click();

    const email = main.getByLabel("Email");
    await main.getByText("Enter a valid email address.").waitFor();
    assert.equal(await email.getAttribute("aria-invalid"), "true");
    const described = await email.getAttribute("aria-describedby");
    assert.equal(await main.locator(`[id="${described}"]`).textContent(), "Enter a valid email address.");
    assert.equal(await main.getByText("[body.email]").count(), 0);
  });

  test("2. forgot password: the mail comes, the link sets a new password and signs every session out", async () => {
    await signUp(main, system.frontendUrl, carol);
    await logInAt(other, carol.password);
    const reset = await newPage();

    await reset.goto(`${system.frontendUrl}/auth/login`);
    await reset.getByRole("link", { name: "Forgot your password?" }).click();
    await reset.waitForURL("**/auth/forgot-password");
    const nobody = `nobody-${run}@example.com`;
    for (const email of [nobody, carol.email]) {
      await reset.getByLabel("Email").fill(email);
      await reset.getByRole("button", { name: "Send reset link" }).click();
      await formStatus(reset, `If an account uses ${email}`).waitFor();
    }

    // The first mail was the new account's confirmation link.
    const mail = await smtp.waitFor(carol.email, 1, { subject: "Reset your Todo password" });
    assert.equal(mail.from, "todo@example.test");
    assert.match(mail.raw, /^Subject: Reset your Todo password/m);
    assert.ok(!mail.text.includes(carol.password), "the mail holds no password");
    assert.deepEqual(smtp.to(nobody), [], "an unknown address gets no mail");

    await reset.goto(linkIn(mail, `${system.frontendUrl}/api/auth/reset-password/`));
    await reset.waitForURL("**/auth/reset-password?**");
    await reset.getByLabel("New password", { exact: true }).fill(PASSWORDS.reset);
    await reset.getByRole("button", { name: "Set new password" }).click();
    await reset.waitForURL("**/auth/login?notice=password-reset");
    await formStatus(reset, "Your password has been changed").waitFor();

    await logIn(reset, { email: carol.email, password: carol.password });
    await formAlert(reset).filter({ hasText: "Wrong email or password." }).waitFor();
    await logIn(reset, { email: carol.email, password: PASSWORDS.reset });
    await atPath(reset, "/tasks");
    await reset.context().close();

    assert.equal(await signedIn(main), false, "the first browser was signed out");
    assert.equal(await signedIn(other), false, "the other browser was signed out");
  });

  test("3. changing the password signs the other sessions out", async () => {
    await logInAt(main, PASSWORDS.reset);
    await logInAt(other, PASSWORDS.reset);
    await openAccount(main);

    await main.getByLabel("Current password").fill("not my password");
    await main.getByLabel("New password", { exact: true }).fill(PASSWORDS.changed);
    await main.getByRole("button", { name: "Change password" }).click();
    await main.getByText("Wrong password.").waitFor();
    assert.equal(await main.getByLabel("Current password").getAttribute("aria-invalid"), "true");

    await main.getByLabel("Current password").fill(PASSWORDS.reset);
    await main.getByRole("button", { name: "Change password" }).click();
    await formStatus(main, "Your password has been changed").waitFor();

    assert.equal(await signedIn(other), false, "the other session was signed out");
    assert.equal(await signedIn(main), true, "this session stays");
  });

  test("4. the sessions list shows where the user is signed in and signs one out", async () => {
    await logInAt(other, PASSWORDS.changed);
    await openAccount(main);
    const sessions = main.getByRole("list", { name: "Sessions" }).getByRole("listitem");
    await eventually(async () => assert.equal(await sessions.count(), 2));
    const mine = sessions.filter({ hasText: "This device" });
    assert.equal(await mine.count(), 1);
    assert.match(await mine.textContent(), /Chrome on Linux/);
    assert.match(await mine.textContent(), /IP localhost · last active/);
    // A rule between the two sessions, none above the first (under the section's heading).
    const rules = await sessions.evaluateAll((items) => items.map((item) => getComputedStyle(item).borderTopWidth));
    assert.deepEqual(rules, ["0px", "1px"]);

    await main.getByRole("button", { name: /^Sign out Chrome on Linux/ }).click();
    await formStatus(main, "Signed out Chrome on Linux.").waitFor();
    await eventually(async () => assert.equal(await sessions.count(), 1));
    assert.equal(await signedIn(other), false, "that session was signed out");

    await logInAt(other, PASSWORDS.changed);
    await main.reload();
    await eventually(async () => assert.equal(await sessions.count(), 2));
    await main.getByRole("button", { name: "Sign out everywhere else" }).click();
    await eventually(async () => assert.equal(await sessions.count(), 1));
    assert.equal(await signedIn(other), false, "signed out everywhere else");
    assert.equal(await signedIn(main), true);
  });

  test("5. two-factor: on with a code from the app, sign-in asks for one (or a backup code, once), off again", async () => {
    await openAccount(main);
    await main.getByLabel("Password to set up two-factor").fill(PASSWORDS.changed);
    await main.getByRole("button", { name: "Set up two-factor" }).click();
    await main.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
    const secret = await main.getByTestId("totp-secret").textContent();
    const backupCodes = await main.getByRole("list", { name: "Backup codes" }).getByRole("listitem").allTextContents();
    assert.equal(backupCodes.length, 10);
    totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });

    await main.getByLabel("Code from your app").fill("000000" === totp.generate() ? "111111" : "000000");
    await main.getByRole("button", { name: "Turn on two-factor" }).click();
    await main.getByText("That code is not right.").waitFor();
    await main.getByLabel("Code from your app").fill(totp.generate());
    await main.getByRole("button", { name: "Turn on two-factor" }).click();
    await formStatus(main, "Two-factor authentication is on.").waitFor();

    await main.getByRole("button", { name: "Sign out", exact: true }).click();
    await main.waitForURL("**/auth/login?notice=signed-out");
    await formStatus(main, "You have been signed out.").waitFor();

    await logIn(main, { email: carol.email, password: PASSWORDS.changed });
    await atPath(main, "/auth/two-factor");
    assert.equal(await signedIn(main), false, "the password alone signs nobody in");
    await main.getByLabel("Authentication code").fill(totp.generate());
    await main.getByRole("button", { name: "Verify" }).click();
    await atPath(main, "/tasks");
    assert.equal(await signedIn(main), true);

    // Without the phone: a backup code, once.
    await logInAt(other, PASSWORDS.changed, "/auth/two-factor");
    await other.getByRole("button", { name: "Use a backup code instead" }).click();
    await other.getByLabel("Backup code").fill(backupCodes[0]);
    await other.getByRole("button", { name: "Verify" }).click();
    await atPath(other, "/tasks");
    await logOut(other);
    await logInAt(other, PASSWORDS.changed, "/auth/two-factor");
    await other.getByRole("button", { name: "Use a backup code instead" }).click();
    await other.getByLabel("Backup code").fill(backupCodes[0]);
    await other.getByRole("button", { name: "Verify" }).click();
    await other.getByText("That backup code is not right, or was already used.").waitFor();

    // Turned off, the password is enough again.
    await openAccount(main);
    await main.getByLabel("Password to turn off two-factor").fill(PASSWORDS.changed);
    await main.getByRole("button", { name: "Turn off two-factor" }).click();
    await formStatus(main, "Two-factor authentication is off.").waitFor();
    await logInAt(other, PASSWORDS.changed);
  });

  test("6. deleting the account deletes its tasks, and the email can sign up again", async () => {
    const { body } = await sessionToken(main);
    const api = (path, init = {}) =>
      fetch(`${system.apiUrl}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${body.token}`, "Content-Type": "application/json" },
      });
    for (const title of ["Pay rent", "Water plants"]) {
      const created = await api("/tasks", { method: "POST", body: JSON.stringify({ title, tags: ["home"] }) });
      assert.equal(created.status, 201);
    }
    assert.equal((await (await api("/tasks")).json()).length, 2);

    await openAccount(main);
    await main.getByLabel("Your password").fill(PASSWORDS.changed);
    await main.getByRole("button", { name: "Delete my account" }).click();
    await main.getByText("Type DELETE to confirm.").waitFor();
    await main.getByLabel("Type DELETE to confirm").fill("DELETE");
    await main.getByRole("button", { name: "Delete my account" }).click();
    await main.waitForURL("**/auth/login?notice=deleted");
    await formStatus(main, "Your account and all its tasks have been deleted.").waitFor();

    // The token issued before still works until it expires, and finds nothing.
    assert.deepEqual(await (await api("/tasks")).json(), []);
    assert.deepEqual(await (await api("/tags")).json(), []);
    assert.equal(await signedIn(main), false);

    await signUp(main, system.frontendUrl, carol);
    assert.equal(await signedIn(main), true);
  });

  test("7. without the backend nothing is deleted, and the page says why", async () => {
    await system.stopBackend();
    await openAccount(main);
    await main.getByLabel("Your password").fill(carol.password);
    await main.getByLabel("Type DELETE to confirm").fill("DELETE");
    await main.getByRole("button", { name: "Delete my account" }).click();
    await formAlert(main).filter({ hasText: "the task server is unavailable, so nothing was deleted" }).waitFor();
    assert.equal(await signedIn(main), true, "the account is still there");
  });
});

describe("accounts that must confirm their address", { timeout: 180_000 }, () => {
  let smtp;
  let system;
  let browser;
  let stop;
  const dave = { name: "Dave Example", email: `dave-${run}@example.com`, password: "a long enough passphrase" };

  before(async () => {
    ({ smtp, system, browser, stop } = await startMailingSystem({ REQUIRE_EMAIL_VERIFICATION: "true" }));
  });

  after(() => stop?.());

  test("sign-in waits for the mailed link, which can be sent again", async () => {
    const page = await browser.newPage();
    await page.goto(`${system.frontendUrl}/auth/signup`);
    await page.getByLabel("Name").fill(dave.name);
    await page.getByLabel("Email").fill(dave.email);
    await page.getByLabel("Password", { exact: true }).fill(dave.password);
    await page.getByRole("button", { name: "Sign up" }).click();
    await formStatus(page, `open the link we sent to ${dave.email}`).waitFor();
    const first = await smtp.waitFor(dave.email, 1);
    assert.match(first.raw, /^Subject: Confirm your email for Todo/m);

    await page.goto(`${system.frontendUrl}/auth/login`);
    await logIn(page, dave);
    await formAlert(page).filter({ hasText: "Confirm your email address first" }).waitFor();
    await page.getByRole("button", { name: "Resend the confirmation link" }).click();
    await formStatus(page, `We sent a new link to ${dave.email}.`).waitFor();
    // One at sign-up, one at the refused sign-in, one resent.
    const last = await smtp.waitFor(dave.email, 3);

    const link = linkIn(last, `${system.frontendUrl}/api/auth/verify-email`);
    const broken = new URL(link);
    broken.searchParams.set("token", "not-a-token");
    await page.goto(broken.href);
    await atPath(page, "/auth/login");
    await formAlert(page).filter({ hasText: "This confirmation link is invalid or was already used." }).waitFor();

    await page.goto(link);
    await atPath(page, "/tasks");
    assert.equal((await sessionToken(page)).status, 200);
  });
});
