// Guessing and snooping, as an attacker on `make run` would try them (issue 19): forged
// client addresses, password guessing per account, sign-up as an account-finder, and the
// pages' security headers. Real servers, real SMTP, Better-Auth's default per-client limit.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { takeCspViolations } from "../lib/browser.mjs";
import { request } from "../lib/http.mjs";
import { startMailingSystem } from "../lib/smtp.mjs";

const run = Date.now().toString(36);
const password = "correct horse battery";
const SIGN_IN_ATTEMPTS_PER_10S = 3;

describe("abuse of the sign-in, the sign-up and the pages", { timeout: 180_000 }, () => {
  let smtp;
  let system;
  let browser;
  let stop;
  // Each client its own loopback address, as each attacker's machine would be.
  let clients = 10;
  const nextClient = () => `127.0.0.${++clients}`;

  /**
   * A POST to Better-Auth from `localAddress`, with whatever headers the client adds. Over IPv4
   * (`localhost` may be ::1, which no 127.0.0.x reaches); the Origin is the pages' own.
   */
  const post = (route, body, { localAddress = nextClient(), headers = {} } = {}) =>
    request(`${system.frontendUrl.replace("localhost", "127.0.0.1")}/api/auth${route}`, {
      method: "POST",
      localAddress,
      headers: { Origin: system.frontendUrl, ...headers },
      body,
    });

  const signUp = (email, pass = password) => post("/sign-up/email", { name: "Someone", email, password: pass });

  before(async () => {
    ({ smtp, system, browser, stop } = await startMailingSystem({ AUTH_SIGNIN_ATTEMPTS_PER_10S: String(SIGN_IN_ATTEMPTS_PER_10S) }));
  });

  after(() => stop?.());

  test("guesses with forged X-Forwarded-For addresses are limited as one client", async () => {
    const client = nextClient();
    const statuses = [];
    for (let i = 0; i < 30; i++) {
      // A different account each time: only the per-client limit can stop these.
      const guess = await post("/sign-in/email", { email: `victim-${i}-${run}@example.com`, password: "a guess" }, {
        localAddress: client,
        headers: { "X-Forwarded-For": `203.0.113.${i + 1}` },
      });
      statuses.push(guess.status);
    }
    assert.deepEqual(statuses.slice(0, SIGN_IN_ATTEMPTS_PER_10S + 1), [...Array(SIGN_IN_ATTEMPTS_PER_10S).fill(401), 429]);
    // Another client is not held back.
    assert.equal((await post("/sign-in/email", { email: `victim-x-${run}@example.com`, password: "a guess" })).status, 401);
  });

  test("after 5 failures from anywhere, an account's sign-in waits, even for the right password", async () => {
    const email = `guessed-${run}@example.com`;
    assert.equal((await signUp(email)).status, 200);
    const unknown = `nobody-${run}@example.com`;
    // The wait, 60 s, runs from the fifth failure: Retry-After says what is left of it, one
    // second less for each second a busy machine took between that failure and the answer.
    const attempts = async (address) => {
      const answers = [];
      let fifth;
      for (let i = 0; i < 5; i++) {
        fifth = Date.now();
        answers.push(await post("/sign-in/email", { email: address, password: `guess ${i}` }));
      }
      answers.push(await post("/sign-in/email", { email: address.toUpperCase(), password }));
      const left = Number(answers[5].headers["retry-after"]);
      assert.ok(left <= 60 && left >= 60 - Math.ceil((Date.now() - fifth) / 1000), `Retry-After: ${left}`);
      return answers.map(({ status, headers, text }, i) => ({ status, retryAfter: i < 5 ? headers["retry-after"] : "what is left of 60 s", body: JSON.parse(text) }));
    };
    const known = await attempts(email);
    assert.deepEqual(known.map((answer) => answer.status), [401, 401, 401, 401, 401, 429]);
    assert.equal(known[5].body.code, "TOO_MANY_FAILED_SIGN_INS");
    // An address without an account answers the same, to the byte (the time left aside).
    assert.deepEqual(await attempts(unknown), known);
  });

  test("a success clears an account's failures, and no other refusal does", async () => {
    const email = `forgetful-${run}@example.com`;
    assert.equal((await signUp(email)).status, 200);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) assert.equal((await post("/sign-in/email", { email, password: "not it" })).status, 401);
      assert.equal((await post("/sign-in/email", { email, password })).status, 200);
    }
    for (let i = 0; i < 4; i++) assert.equal((await post("/sign-in/email", { email, password: "not it" })).status, 401);
    // The right password, refused for another reason (a redirect to a foreign site) before it is checked.
    const foreign = await post("/sign-in/email", { email, password, callbackURL: "https://evil.example.com/" });
    assert.equal(foreign.status, 403, foreign.text);
    assert.equal((await post("/sign-in/email", { email, password: "not it" })).status, 401);
    assert.equal((await post("/sign-in/email", { email, password })).status, 429);
  });

  test("sign-up with a taken address answers as a new one and mails the owner", async () => {
    const owner = `owner-${run}@example.com`;
    const first = await signUp(owner);
    assert.equal(first.status, 200);
    await smtp.waitFor(owner, 1);

    const shape = ({ status, headers, text }) => {
      const { token, user } = JSON.parse(text);
      return { status, cookie: headers["set-cookie"] ?? null, token, user: Object.keys(user).sort(), emailVerified: user.emailVerified };
    };
    const taken = shape(await signUp(owner, "an intruder's password"));
    const fresh = shape(await signUp(`fresh-${run}@example.com`));
    assert.deepEqual(taken, fresh);
    assert.equal(taken.cookie, null, "nobody is signed in by a sign-up");

    const warning = await smtp.waitFor(owner, 2);
    assert.match(warning.raw, /^Subject: Someone tried to sign up for Todo with your address/m);
    assert.ok(!warning.text.includes("an intruder's password"));
    assert.equal((await post("/sign-in/email", { email: owner, password })).status, 200, "the account is untouched");
  });

  test("the sign-up page says the same for a taken address and a new one", async () => {
    const page = await browser.newPage();
    const said = [];
    for (const email of [`owner-${run}@example.com`, `newer-${run}@example.com`]) {
      await page.goto(`${system.frontendUrl}/auth/signup`);
      await page.getByLabel("Name").fill("Someone");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Sign up" }).click();
      const status = page.getByRole("main").getByRole("status");
      await status.filter({ hasText: "Check your email" }).waitFor();
      said.push((await status.textContent()).replace(email, "…"));
    }
    assert.equal(said[0], said[1]);
    await page.close();
  });

  test("every page sends a nonce-based Content-Security-Policy and the other security headers", async () => {
    for (const path of ["/auth/login", "/auth/signup", "/auth/forgot-password"]) {
      const page = await request(`${system.frontendUrl}${path}`);
      assert.equal(page.status, 200, path);
      const policy = page.headers["content-security-policy"];
      const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(policy)?.[1];
      assert.ok(nonce, `${path}: ${policy}`);
      assert.doesNotMatch(policy, /script-src[^;]*'unsafe-inline'/);
      assert.match(policy, /frame-ancestors 'none'/);
      assert.match(policy, new RegExp(`connect-src 'self' ${new URL(system.apiUrl).origin}(;|$)`));
      // Every script of the page carries this response's nonce, and no other page has it.
      const scripts = [...page.text.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
      assert.ok(scripts.length > 0);
      for (const script of scripts) assert.match(script, new RegExp(`nonce="${nonce.replace(/[+/]/g, "\\$&")}"`), script);
      assert.notEqual((await request(`${system.frontendUrl}${path}`)).headers["content-security-policy"], policy);
      assert.match(page.headers["permissions-policy"], /camera=\(\)/);
      // Served over plain http: no HSTS (https is covered by the frontend's unit tests).
      assert.equal(page.headers["strict-transport-security"], undefined);
    }
  });

  test("a script the policy does not allow is blocked and reported, which fails a browser test", async () => {
    const page = await browser.newPage();
    await page.goto(`${system.frontendUrl}/auth/login`);
    // What an injected bit of HTML would try: an inline event handler.
    await page.evaluate(() => {
      document.body.insertAdjacentHTML("beforeend", `<img src="/no-such-image" onerror="window.injected = true">`);
    });
    // Reported twice: by the page's securitypolicyviolation event and by Chrome's console.
    const violations = await takeCspViolations(2);
    assert.ok(violations.some((violation) => /CSP violation: script-src-attr/.test(violation)), violations.join("\n"));
    assert.ok(violations.some((violation) => /inline event handler violates the following Content Security Policy/.test(violation)), violations.join("\n"));
    assert.equal(await page.evaluate(() => window.injected), undefined);
    await page.close();
  });
});
