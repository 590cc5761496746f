// The README's first command, `make run`: it starts both servers, says where to go,
// refuses a taken port with a clear message, Ctrl-C stops both servers without an error, and
// a second run reuses the build.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { ctrlC, listening, runMake, waitForOutput } from "../lib/make-command.mjs";
import { ROOT, freePort } from "../lib/system.mjs";

const runCommand = (env) => runMake("run", env);

// Up until ready, then Ctrl-C: both servers stop, and the script under make ends with
// success (make reports a failing recipe as "make: *** [...] Error N").
async function runUntilReadyThenCtrlC(env, ports) {
  const run = runCommand(env);
  try {
    await waitForOutput(run, /ready: open http:\/\/localhost:\d+/, 240);
    const health = await fetch(`http://127.0.0.1:${ports.backend}/health/ready`);
    assert.equal(health.status, 200);
    const login = await fetch(`http://localhost:${ports.frontend}/auth/login`);
    assert.equal(login.status, 200);
    assert.match(await login.text(), /Log in/);
  } finally {
    await ctrlC(run);
  }
  assert.equal(await listening(ports.backend), false, "the backend stopped");
  assert.equal(await listening(ports.frontend), false, "the frontend stopped");
  assert.match(run.output, /stopped both servers/);
  assert.doesNotMatch(run.output, /make: \*\*\*/);
  return run.output;
}

describe("make run", { timeout: 300_000 }, () => {
  let dir;
  let env;
  let ports;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "todo-run-"));
    ports = { backend: await freePort(), frontend: await freePort() };
    const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "");
    env = {
      ...process.env,
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
      BACKEND_PORT: String(ports.backend),
      FRONTEND_PORT: String(ports.frontend),
      DATABASE_URL: postgres ? process.env.DATABASE_URL : `sqlite:///${dir}/app.sqlite`,
      AUTH_SQLITE_PATH: path.join(dir, "auth.sqlite"),
    };
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test("starts both servers, and Ctrl-C stops both without an error", async () => {
    await runUntilReadyThenCtrlC(env, ports);
  });

  test("a second run rebuilds nothing: what the build writes itself is no change, nor is the API's URL", async () => {
    // next-env.d.ts is written by every build; a fresh clone has none before the first.
    const written = path.join(ROOT, "frontend", "next-env.d.ts");
    const saved = existsSync(written) ? readFileSync(written) : null;
    rmSync(written, { force: true });
    try {
      // The frontend reads the API's URL at run time: make cluster's /api/v1 shares the build.
      const output = await runUntilReadyThenCtrlC({ ...env, NEXT_PUBLIC_API_URL: "/api/v1" }, ports);
      assert.doesNotMatch(output, /building the frontend/);
    } finally {
      if (saved !== null && !existsSync(written)) writeFileSync(written, saved);
    }
  });

  test("a taken port is a clear message, not a hang", async () => {
    const blocker = net.createServer().listen(ports.backend, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    try {
      const run = runCommand(env);
      assert.notEqual(await run.exited, 0);
      assert.match(run.output, new RegExp(`error: port ${ports.backend} is already in use`));
    } finally {
      blocker.close();
    }
  });
});
