// Starts the whole system for the browser tests: the FastAPI backend (uvicorn) and the
// built Next.js frontend, on free ports, with a fresh secret and fresh databases.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BACKEND = path.join(ROOT, "backend");
const FRONTEND = path.join(ROOT, "frontend");

export function freePort(host = "127.0.0.1") {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function start(name, command, args, options) {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  const output = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk) => output.push(chunk.toString()));
  }
  child.output = () => output.join("");
  child.logs = () => `--- ${name} output ---\n${child.output().slice(-4000)}`;
  return child;
}

/** Sends each child `signal` and resolves once every one of them has exited. */
export function stopAll(children, signal = "SIGTERM") {
  return Promise.all(
    children.map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      return exited;
    }),
  );
}

export async function waitUntilUp(child, url, seconds = 90) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited early (${child.exitCode})\n${child.logs()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer\n${child.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Better-Auth's tables, as `npm run migrate` (what `make run` runs) makes them. Every system of
 * a suite needs the same: when make test names a folder of the suite's own
 * (E2E_AUTH_SCHEMA_DIR), the first system migrates, and the others start from a copy of that
 * fresh SQLite file, or find the suite's PostgreSQL database migrated already. Each migration
 * costs seconds of CPU (Node loading Better-Auth), and a suite starts a dozen systems.
 */
function migrateAuth(env, postgres) {
  const shared = process.env.E2E_AUTH_SCHEMA_DIR;
  const done = shared && path.join(shared, postgres ? "migrated" : "auth.sqlite");
  if (done && existsSync(done)) {
    if (!postgres) copyFileSync(done, env.AUTH_SQLITE_PATH);
    return;
  }
  const migrated = spawnSync("npm", ["run", "--silent", "migrate"], {
    cwd: FRONTEND,
    env,
    encoding: "utf8",
  });
  if (migrated.status !== 0) throw new Error(`frontend migrate failed:\n${migrated.stderr}`);
  if (!done) return;
  // Before a single write to it: the copy is an empty, migrated database.
  if (postgres) writeFileSync(done, "");
  else {
    copyFileSync(env.AUTH_SQLITE_PATH, `${done}.partial`);
    renameSync(`${done}.partial`, done);
  }
}

/**
 * The frontend must already be built (`npm run build` in frontend/); the backend's virtual
 * environment must exist (backend/.venv). Both come from `make test`.
 * DATABASE_URL, when it is a PostgreSQL URL, is used by both servers; otherwise each gets
 * its own SQLite file in a temporary folder. Mail goes to `SMTP_URL` when `frontendEnv`
 * names one, else to an outbox folder in the temporary folder (`outboxDir`).
 * `frontendEnv` adds settings for the frontend (SMTP_URL, MAIL_FROM…).
 */
export async function startSystem({ tokenTtlSeconds, frontendEnv = {} }) {
  const dir = mkdtempSync(path.join(tmpdir(), "todo-e2e-"));
  const [backendPort, frontendPort] = [await freePort(), await freePort()];
  const frontendUrl = `http://localhost:${frontendPort}`;
  const apiUrl = `http://127.0.0.1:${backendPort}`;
  const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "");
  const env = {
    ...process.env,
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    DATABASE_URL: postgres ? process.env.DATABASE_URL : `sqlite:///${dir}/app.sqlite`,
    AUTH_SQLITE_PATH: path.join(dir, "auth.sqlite"),
    NODE_ENV: "production",
  };

  migrateAuth(env, postgres);

  const backend = start(
    "backend",
    path.join(BACKEND, ".venv/bin/python"),
    ["-m", "app.server", "--host", "127.0.0.1", "--port", String(backendPort)],
    // No leeway: an expired token really is refused, so the client's refresh is what is tested.
    { cwd: BACKEND, env: { ...env, CORS_ORIGINS: frontendUrl, JWT_LEEWAY_SECONDS: "0" } },
  );
  const frontend = start(
    "frontend",
    path.join(FRONTEND, "node_modules/.bin/next"),
    ["start", "-p", String(frontendPort)],
    {
      cwd: FRONTEND,
      env: {
        ...env,
        BETTER_AUTH_URL: frontendUrl,
        NEXT_PUBLIC_API_URL: apiUrl,
        AUTH_TOKEN_TTL_SECONDS: String(tokenTtlSeconds),
        // The tests sign in and up more often than a person would.
        AUTH_SIGNIN_ATTEMPTS_PER_10S: "1000",
        MAIL_OUTBOX_DIR: path.join(dir, "outbox"),
        ...frontendEnv,
      },
    },
  );
  const stop = async () => {
    await stopAll([backend, frontend]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(backend, `${apiUrl}/health/ready`);
    await waitUntilUp(frontend, `${frontendUrl}/auth/login`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    frontendUrl,
    apiUrl,
    databaseUrl: env.DATABASE_URL,
    outboxDir: path.join(dir, "outbox"),
    stop,
    /** Stops the backend alone, for what the frontend does without it. */
    stopBackend: () => stopAll([backend]),
    logs: () => backend.logs() + frontend.logs(),
  };
}
