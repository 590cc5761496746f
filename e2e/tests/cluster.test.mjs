// `make cluster` as deployed: two web servers and two API replicas behind HAProxy
// (deploy/haproxy.cfg) on one PostgreSQL. PostgreSQL only: SQLite cannot be shared.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { eventually, launchBrowser } from "../lib/browser.mjs";
import { startCluster } from "../lib/cluster.mjs";
import { keepAlive, request } from "../lib/http.mjs";
import { addTask, completeTask, expectCounts, expectTitles, logIn, signUp, titles } from "../lib/pages.mjs";

const POSTGRES = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "");
// A loopback address for this cluster alone; the clients below come from others.
const HOST = process.env.CLUSTER_TEST_HOST ?? "127.0.0.21";
const SIGN_IN_ATTEMPTS = 3;
const run = Date.now().toString(36);
const password = "correct horse battery";

/** How many requests of `method` (on `path`, when given) an API replica's JSON log lines show. */
const count = (log, method, path) =>
  log
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((line) => line.logger === "app.access" && line.method === method && (path === undefined || line.path === path)).length;

describe("the cluster behind the load balancer", { skip: !POSTGRES && "needs DATABASE_URL=postgresql://…", timeout: 240_000 }, () => {
  let cluster;
  const user = { name: "Cluster User", email: `cluster-${run}@example.com`, password };
  let token;
  const api = (path, options = {}) =>
    request(`${cluster.url}/api/v1${path}`, { ...options, headers: { Authorization: `Bearer ${token}`, ...options.headers } });

  before(async () => {
    cluster = await startCluster({ host: HOST, frontendEnv: { AUTH_SIGNIN_ATTEMPTS_PER_10S: String(SIGN_IN_ATTEMPTS) } });
  });

  after(async () => {
    keepAlive.destroy();
    await cluster?.stop();
  });

  test("an account made on one web server gets its token from the other", async () => {
    const [web1, web2] = cluster.webUrls;
    // Better-Auth accepts only its own origin, the balancer's.
    const origin = { Origin: cluster.url };
    const signedUp = await request(`${web1}/api/auth/sign-up/email`, { method: "POST", headers: origin, body: user });
    assert.equal(signedUp.status, 200, signedUp.text);
    // Sign-up signs nobody in (it answers a taken address the same way): sign in on the same server.
    const signedIn = await request(`${web1}/api/auth/sign-in/email`, { method: "POST", headers: origin, body: { email: user.email, password: user.password } });
    assert.equal(signedIn.status, 200, signedIn.text);
    const cookie = signedIn.headers["set-cookie"].map((line) => line.split(";")[0]).join("; ");
    const minted = await request(`${web2}/api/auth/token`, { headers: { Cookie: cookie } });
    assert.equal(minted.status, 200, minted.text);
    token = JSON.parse(minted.text).token;
    assert.equal((await api("/tasks/counts")).status, 200);
  });

  test("API calls through the balancer all succeed, and both replicas answer them", async () => {
    const before = [0, 1].map((i) => count(cluster.apiLog(i), "GET", "/tasks/counts"));
    const statuses = [];
    for (let i = 0; i < 100; i++) statuses.push((await api("/tasks/counts")).status);
    assert.deepEqual(new Set(statuses), new Set([200]));
    // A replica logs a request once it has answered it: the last line may come a moment later.
    let answered = [];
    await eventually(() => {
      answered = [0, 1].map((i) => count(cluster.apiLog(i), "GET", "/tasks/counts") - before[i]);
      assert.equal(answered[0] + answered[1], 100, `replicas answered ${answered}`);
    });
    // Round robin, no stickiness: each replica takes about half.
    for (const share of answered) assert.ok(share >= 40, `replicas answered ${answered}`);
  });

  test("the sign-in limit holds across web servers, per client address the balancer saw", async () => {
    const attempt = (localAddress, headers = {}) =>
      request(`${cluster.url}/api/auth/sign-in/email`, {
        method: "POST",
        localAddress,
        // A client cannot pick its address: the balancer overwrites X-Forwarded-For.
        headers: { Origin: cluster.url, "X-Forwarded-For": `203.0.113.${Math.floor(Math.random() * 250)}`, ...headers },
        body: { email: user.email, password: "not the password" },
      });
    const statuses = [];
    for (let i = 0; i <= SIGN_IN_ATTEMPTS; i++) statuses.push((await attempt("127.0.0.77")).status);
    assert.deepEqual(statuses, [...Array(SIGN_IN_ATTEMPTS).fill(401), 429]);
    // Nor can a client pass for the balancer without its secret.
    assert.equal((await attempt("127.0.0.77", { "X-Balancer-Secret": "guessed" })).status, 429);
    // Another client is not held back.
    assert.equal((await attempt("127.0.0.78")).status, 401);
  });

  // Drained or stopped (SIGTERM), no call fails: the balancer sends nothing new to a draining
  // replica, and resends a request that a stopping one closed without answering. A crash
  // (SIGKILL) may cost the user one call, which the user's retry (same Idempotency-Key)
  // completes without a second task.
  for (const [how, stop, mostRetried] of [
    ["drained first", { drain: true }, 0],
    ["stopped without draining", { drain: false, signal: "SIGTERM" }, 0],
    ["killed", { drain: false, signal: "SIGKILL" }, 1],
  ]) {
    test(`an API replica ${how} mid-run loses no acknowledged write and costs at most ${mostRetried} retried call`, async () => {
      const acknowledged = [];
      let retried = 0;
      // A client as the frontend is: a create keeps its Idempotency-Key across its one retry.
      const create = async (title) => {
        const key = `"${randomUUID()}"`;
        for (let attempt = 0; ; attempt++) {
          let response;
          try {
            response = await api("/tasks", { method: "POST", headers: { "Idempotency-Key": key }, body: { title } });
          } catch {
            response = { status: 0 };
          }
          if (response.status === 201 || response.status === 200) return acknowledged.push(JSON.parse(response.text).id);
          assert.ok(attempt === 0, `create "${title}" failed twice (last status ${response.status})`);
          retried += 1;
        }
      };
      const writers = [0, 1, 2, 3].map(async (writer) => {
        for (let i = 0; i < 15; i++) await create(`${how}-${writer}-${i}`);
      });
      // Mid-run: once the writers are under way.
      await eventually(() => assert.ok(acknowledged.length >= 4));
      await cluster.stopApi(0, stop);
      await Promise.all(writers);
      await cluster.startApi(0);

      assert.ok(retried <= mostRetried, `${retried} calls had to be retried`);
      const listed = JSON.parse((await api("/tasks?limit=100")).text).filter((task) => task.title.startsWith(`${how}-`));
      assert.equal(listed.length, 60, "one task per create, none lost, none twice");
      assert.deepEqual(new Set(listed.map((task) => task.id)), new Set(acknowledged));
    });
  }

  test("a rolling restart of the API with a migration in between answers every call", async () => {
    const failures = [];
    let calls = 0;
    let rolling = true;
    const load = async (client) => {
      for (let i = 0; rolling; i++) {
        const response = await (i % 3 === 0
          ? api("/tasks", { method: "POST", headers: { "Idempotency-Key": `"${randomUUID()}"` }, body: { title: `roll-${client}-${i}` } })
          : api("/tasks?limit=5")
        ).catch((error) => ({ status: `network error ${error.code}` }));
        calls += 1;
        if (!(response.status >= 200 && response.status < 300)) failures.push(response.status);
      }
    };
    const clients = [0, 1, 2].map(load);
    for (const i of [0, 1]) {
      await cluster.stopApi(i);
      if (i === 0) cluster.migrate();
      await cluster.startApi(i);
    }
    rolling = false;
    await Promise.all(clients);
    assert.ok(calls > 50, `only ${calls} calls during the restart`);
    assert.deepEqual(failures, []);
  });

  test("the browser signs in, adds, completes and deletes through the balancer without a CORS preflight", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const optionsBefore = [0, 1].map((i) => count(cluster.apiLog(i), "OPTIONS"));
      const seen = { preflights: 0, apiCalls: 0 };
      page.on("request", (sent) => {
        if (sent.method() === "OPTIONS") seen.preflights += 1;
        if (sent.url().startsWith(`${cluster.url}/api/v1/`)) seen.apiCalls += 1;
      });
      await signUp(page, cluster.url, { name: "Browser User", email: `browser-${run}@example.com`, password });
      await addTask(page, "Buy milk");
      await addTask(page, "Call mom");
      await completeTask(page, "Buy milk");
      await page.getByRole("button", { name: "Delete Call mom" }).click();
      await page.getByRole("button", { name: "Dismiss, keep it deleted" }).click();
      await page.getByText("Deleted “Call mom”.").waitFor({ state: "detached" });
      await expectTitles(page, ["Buy milk"]);
      await expectCounts(page, { all: 1, active: 0, completed: 1 });
      await page.reload();
      await expectTitles(page, ["Buy milk"]);

      assert.ok(seen.apiCalls > 0, "the page called the API at /api/v1 on its own origin");
      assert.equal(seen.preflights, 0);
      assert.deepEqual([0, 1].map((i) => count(cluster.apiLog(i), "OPTIONS") - optionsBefore[i]), [0, 0]);
    } finally {
      await browser.close();
    }
  });

  test("two browsers of one person stay in sync while each API replica in turn is killed mid-stream", async () => {
    const browser = await launchBrowser();
    try {
      const person = { name: "Stream User", email: `stream-${run}@example.com`, password };
      const laptop = await browser.newPage();
      const phone = await browser.newPage();
      await signUp(laptop, cluster.url, person);
      await phone.goto(`${cluster.url}/auth/login`);
      await logIn(phone, person);
      await phone.waitForURL((url) => url.pathname === "/tasks");
      await addTask(laptop, "Before the crash");
      await phone.getByRole("checkbox", { name: "Complete Before the crash" }).waitFor({ timeout: 15_000 });
      // Round robin put each stream on one replica or the other: killing both in turn breaks every stream once.
      for (const replica of [0, 1]) {
        await cluster.stopApi(replica, { drain: false, signal: "SIGKILL" });
        await addTask(laptop, `While replica ${replica} is down`);
        await phone.getByRole("checkbox", { name: `Complete While replica ${replica} is down` }).waitFor({ timeout: 30_000 });
        await cluster.startApi(replica);
      }
      await expectTitles(phone, await titles(laptop));
    } finally {
      await browser.close();
    }
  });

  test("a request head over 32 KiB gets the API's 431 from the balancer, one past its buffer a 400", async () => {
    const padded = (kib) => request(`${cluster.url}/api/v1/tasks`, { headers: { "X-Padding": "a".repeat(kib * 1024) } });
    const response = await padded(40);
    assert.equal(response.status, 431);
    assert.deepEqual(JSON.parse(response.text), { detail: "request header fields too large" });
    // The balancer answers 400 and closes while the head is still being written: the client
    // may see that answer, or only the connection closed under its write.
    const past = await padded(1024).then((answer) => answer.status, (error) => error.code);
    assert.ok([400, "EPIPE", "ECONNRESET"].includes(past), `a head past the buffer: ${past}`);
    assert.equal((await api("/tasks/counts")).status, 200);
  });
});
