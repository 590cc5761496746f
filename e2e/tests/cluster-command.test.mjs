// The README's `make cluster`: it refuses anything but PostgreSQL with a clear message; on
// PostgreSQL it starts the replicas behind the balancer, says where to go, and Ctrl-C stops
// every process it started.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import { after, describe, test } from "node:test";

import { eventually } from "../lib/browser.mjs";
import { ctrlC, listening, runMake, waitForOutput } from "../lib/make-command.mjs";

const POSTGRES = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "");

/** Whether a server could listen on `port` now (an outgoing connection's port counts as taken). */
function bindable(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A port whose next six are free too (the replicas and their metrics take them), below the
 * kernel's ephemeral range: a port there may be taken at any moment by one of the many
 * outgoing connections of the suites running beside this one, and a replica then failed to
 * start (make cluster's run stopped 15 s in).
 */
async function freeClusterPort() {
  const [ephemeral] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/).map(Number);
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (ephemeral - 10_010));
    const ports = [0, 1, 2, 3, 4, 5, 6].map((i) => port + i);
    if ((await Promise.all(ports.map(bindable))).every(Boolean)) return port;
  }
}

describe("make cluster", { timeout: 300_000 }, () => {
  const env = { ...process.env, BETTER_AUTH_SECRET: randomBytes(32).toString("base64url") };
  let run;

  after(async () => {
    if (run) await ctrlC(run);
  });

  test("refuses SQLite, saying it needs a PostgreSQL DATABASE_URL", async () => {
    run = runMake("cluster", { ...env, DATABASE_URL: "sqlite:///data/app.sqlite", CLUSTER_PORT: String(await freeClusterPort()) });
    assert.notEqual(await run.exited, 0);
    assert.match(run.output, /error: make cluster needs PostgreSQL: set DATABASE_URL=postgresql:/);
  });

  test("serves pages and the API on one port, and Ctrl-C stops everything", { skip: !POSTGRES && "needs DATABASE_URL=postgresql://…" }, async () => {
    const port = await freeClusterPort();
    run = runMake("cluster", { ...env, CLUSTER_PORT: String(port) });
    try {
      await waitForOutput(run, new RegExp(`ready: http://localhost:${port}`), 240);
      const login = await fetch(`http://127.0.0.1:${port}/auth/login`);
      assert.equal(login.status, 200);
      assert.match(await login.text(), /Log in/);
      // /api/v1/health/ready is the API's /health/ready (which may answer 503 for a moment on a
      // loaded machine: its database ping has a budget).
      await eventually(async () => assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/health/ready`)).status, 200));
    } finally {
      await ctrlC(run);
    }
    for (let i = 0; i <= 6; i++) assert.equal(await listening(port + i), false, `port ${port + i} closed`);
    assert.match(run.output, /stopped the cluster/);
    assert.doesNotMatch(run.output, /make: \*\*\*/);
  });
});
