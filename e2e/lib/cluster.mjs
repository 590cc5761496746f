// Starts the cluster as `make cluster` does, for the cluster tests: two API replicas and two
// web servers on one PostgreSQL, behind HAProxy with deploy/haproxy.cfg, all on a loopback
// address of their own. Each replica can be drained, stopped and started again.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { freePort, ROOT, start, stopAll, waitUntilUp } from "./system.mjs";

const BACKEND = path.join(ROOT, "backend");
const FRONTEND = path.join(ROOT, "frontend");
const PYTHON = path.join(BACKEND, ".venv/bin/python");
const HAPROXY = spawnSync("sh", ["-c", "command -v haproxy || echo /usr/sbin/haproxy"], { encoding: "utf8" }).stdout.trim();

function run(command, args, options) {
  const done = spawnSync(command, args, { ...options, encoding: "utf8" });
  if (done.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${done.stdout}${done.stderr}`);
  return done.stdout;
}

/** One command to HAProxy's runtime API; its answer. */
export function balancerCommand(socket, command) {
  return new Promise((resolve, reject) => {
    const connection = net.createConnection(socket);
    let answer = "";
    connection.on("data", (chunk) => (answer += chunk));
    connection.on("end", () => resolve(answer));
    connection.on("error", reject);
    connection.end(`${command}\n`);
  });
}

/**
 * `host`: a loopback address (127.0.0.N) for every server of this cluster.
 * `frontendEnv`, `apiEnv`: more settings for the web servers, for the API replicas.
 * `web: false`: no web servers (a test of the API alone, which mints its tokens with `secret`;
 * the balancer then finds the web backend down).
 * As `make cluster`: every server logs JSON lines, each API replica serves its metrics.
 */
export async function startCluster({ host, frontendEnv = {}, apiEnv = {}, web = true }) {
  const dir = mkdtempSync(path.join(tmpdir(), "todo-cluster-"));
  const databaseUrl = process.env.DATABASE_URL;
  const [balancerPort, ...ports] = await Promise.all([0, 1, 2, 3, 4, 5, 6].map(() => freePort(host)));
  const apiAddresses = ports.slice(0, 2).map((port) => `${host}:${port}`);
  const webAddresses = ports.slice(2, 4).map((port) => `${host}:${port}`);
  const metricsAddresses = ports.slice(4).map((port) => `${host}:${port}`);
  const url = `http://${host}:${balancerPort}`;
  const socket = path.join(dir, "haproxy.sock");
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    BALANCER_SECRET: randomBytes(24).toString("base64url"),
    NODE_ENV: "production",
    LOG_FORMAT: "json",
  };
  run(PYTHON, ["-m", "app.migrations"], { cwd: BACKEND, env });
  if (web) run("npm", ["run", "--silent", "migrate"], { cwd: FRONTEND, env });

  const apis = [];
  const startApi = (i) => {
    const [apiHost, port] = apiAddresses[i].split(":");
    // Access log on (the default): the tests count which replica answered what.
    apis[i] = start(`api${i + 1}`, PYTHON, ["-m", "app.server", "--host", apiHost, "--port", port], {
      cwd: BACKEND,
      env: { ...env, AUTO_MIGRATE: "false", CORS_ORIGINS: url, METRICS_PORT: metricsAddresses[i].split(":")[1], ...apiEnv },
    });
    return waitUntilUp(apis[i], `http://${apiAddresses[i]}/health/ready`);
  };
  const webs = (web ? webAddresses : []).map((address, i) => {
    const [webHost, port] = address.split(":");
    return start(`web${i + 1}`, path.join(FRONTEND, "node_modules/.bin/next"), ["start", "-H", webHost, "-p", port], {
      cwd: FRONTEND,
      env: { ...env, BETTER_AUTH_URL: url, NEXT_PUBLIC_API_URL: "/api/v1", MAIL_OUTBOX_DIR: path.join(dir, "outbox"), ...frontendEnv },
    });
  });
  const balancer = start("haproxy", HAPROXY, ["-db", "-f", path.join(ROOT, "deploy/haproxy.cfg")], {
    env: {
      ...env,
      BALANCER_BIND: `${host}:${balancerPort}`,
      BALANCER_SOCKET: socket,
      API1: apiAddresses[0],
      API2: apiAddresses[1],
      WEB1: webAddresses[0],
      WEB2: webAddresses[1],
    },
  });
  const children = () => [...apis, ...webs, balancer];
  const stop = async () => {
    await stopAll(children());
    rmSync(dir, { recursive: true, force: true });
  };
  const admin = (command) => balancerCommand(socket, command);
  /** The balancer's view of one server: status (UP, DOWN, DRAIN, MAINT…) and current sessions. */
  const serverStat = async (backend, server) => {
    const [header, ...rows] = (await admin("show stat")).replace(/^# /, "").trim().split("\n");
    const columns = header.split(",");
    const row = rows.map((line) => line.split(",")).find((cells) => cells[0] === backend && cells[1] === server);
    const cell = (name) => row[columns.indexOf(name)];
    return { status: cell("status"), sessions: Number(cell("scur")) };
  };
  const waitForServer = async (backend, server, done, seconds = 30) => {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const stat = await serverStat(backend, server);
      if (done(stat)) return stat;
      if (Date.now() > deadline) throw new Error(`${backend}/${server} stayed ${JSON.stringify(stat)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  try {
    await Promise.all([startApi(0), startApi(1)]);
    await Promise.all(webs.map((web, i) => waitUntilUp(web, `http://${webAddresses[i]}/api/health`)));
    await waitUntilUp(balancer, web ? `${url}/api/health` : `${url}/api/v1/health`);
    for (const server of ["api1", "api2"]) await waitForServer("api", server, ({ status }) => status === "UP");
    if (web) for (const server of ["web1", "web2"]) await waitForServer("web", server, ({ status }) => status === "UP");
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    apiAddresses,
    metricsAddresses,
    webUrls: webAddresses.map((address) => `http://${address}`),
    databaseUrl,
    secret: env.BETTER_AUTH_SECRET,
    stop,
    admin,
    serverStat,
    /** The log lines (JSON) of API replica `i` since it (last) started. */
    apiLog: (i) => apis[i].output(),
    /** Every server's log lines: the API replicas', the web servers' and the balancer's. */
    output: () => ({ api1: apis[0].output(), api2: apis[1].output(), web1: webs[0]?.output(), web2: webs[1]?.output(), haproxy: balancer.output() }),
    /**
     * Stops API replica `i` the way a rolling restart does: no new requests go to it
     * (drain), the ones under way finish, then it stops. `drain: false`: it just gets
     * `signal` (SIGKILL: a crash), and the balancer learns it from its failed calls.
     */
    stopApi: async (i, { drain = true, signal = "SIGTERM" } = {}) => {
      const server = `api${i + 1}`;
      if (drain) {
        await admin(`set server api/${server} state drain`);
        await waitForServer("api", server, ({ sessions }) => sessions === 0);
      }
      await stopAll([apis[i]], signal);
      await admin(`set server api/${server} state maint`);
    },
    /** Starts API replica `i` again and gives it its share of the requests once it is ready. */
    startApi: async (i) => {
      const server = `api${i + 1}`;
      await startApi(i);
      await admin(`set server api/${server} state ready`);
      await waitForServer("api", server, ({ status }) => status === "UP");
    },
    /** `python -m app.migrations`: what a deploy runs between restarts. */
    migrate: () => run(PYTHON, ["-m", "app.migrations"], { cwd: BACKEND, env }),
    logs: () => children().map((child) => child.logs()).join("\n"),
  };
}
