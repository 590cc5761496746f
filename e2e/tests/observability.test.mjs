// Operating `make cluster`: a real Prometheus scrapes the API replicas' metrics, an OTLP
// receiver gets one trace per browser API call (the API's span and its SQL), and every log
// line of every server is JSON, names request ids that match the responses, and holds no
// token, cookie, password or email. PostgreSQL only, as the cluster.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { eventually, launchBrowser } from "../lib/browser.mjs";
import { startCluster } from "../lib/cluster.mjs";
import { startOtlpReceiver } from "../lib/otlp.mjs";
import { addTask, expectTitles, signUp } from "../lib/pages.mjs";
import { freePort, ROOT, start, waitUntilUp } from "../lib/system.mjs";

const POSTGRES = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "");
const HOST = process.env.OBSERVABILITY_TEST_HOST ?? "127.0.0.23";
const run = Date.now().toString(36);
const password = "correct horse battery";
const email = `observed-${run}@example.com`;

/**
 * Each line of a server's output, parsed: every one must be a JSON object. `next start`
 * prints its banner (version, addresses) before any code of the app runs: the web servers'
 * lines count from their first JSON line. HAProxy's request lines are JSON (its log-format);
 * its own notices (start-up, a server down or up, plain text) are left out.
 */
function jsonLines(name, text) {
  let lines = text.split("\n").filter((line) => line.trim() !== "");
  if (name === "haproxy") lines = lines.filter((line) => line.startsWith("{"));
  const json = lines.findIndex((line) => line.startsWith("{"));
  const first = !name.startsWith("web") ? 0 : json === -1 ? lines.length : json;
  return lines.slice(first).map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        assert.fail(`${name} wrote a line that is not JSON: ${line}`);
      }
    });
}

describe("observing the cluster", { skip: !POSTGRES && "needs DATABASE_URL=postgresql://…", timeout: 300_000 }, () => {
  let cluster;
  let receiver;
  let prometheus;
  const scratch = mkdtempSync(path.join(tmpdir(), "todo-prometheus-"));

  before(async () => {
    receiver = await startOtlpReceiver(HOST);
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "100" };
    cluster = await startCluster({ host: HOST, apiEnv: tracing, frontendEnv: tracing });
  });

  after(async () => {
    prometheus?.kill("SIGTERM");
    await cluster?.stop();
    await receiver?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  test("deploy/prometheus holds a valid scrape config and alert rules", () => {
    const checked = spawnSync("promtool", ["check", "config", path.join(ROOT, "deploy/prometheus/prometheus.yml")], { encoding: "utf8" });
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /5 rules found/);
  });

  test("a real Prometheus scrapes both replicas and answers the request rate per route", async () => {
    // deploy/prometheus/prometheus.yml, pointed at this cluster's metrics ports.
    const config = path.join(scratch, "prometheus.yml");
    const targets = cluster.metricsAddresses.map((address) => `"${address}"`).join(", ");
    writeFileSync(config, `global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: todo-api\n    static_configs: [{targets: [${targets}]}]\n`);
    const port = await freePort(HOST);
    prometheus = start("prometheus", "prometheus", [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(scratch, "data")}`,
      `--web.listen-address=${HOST}:${port}`,
    ]);
    const base = `http://${HOST}:${port}`;
    await waitUntilUp(prometheus, `${base}/-/ready`);
    const query = async (promql) => {
      const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return (await response.json()).data.result;
    };
    await eventually(
      async () => {
        // Traffic meanwhile: a rate needs two scrapes that saw the count grow.
        for (let i = 0; i < 5; i++) await fetch(`${cluster.url}/api/v1/tasks/${i + 1}`);
        const up = await query('up{job="todo-api"}');
        assert.deepEqual(up.map((sample) => sample.value[1]), ["1", "1"]);
        const perRoute = await query("sum by (http_route) (rate(http_server_request_duration_seconds_count[10s]))");
        const rate = perRoute.find((sample) => sample.metric.http_route === "/tasks/{task_id}");
        assert.ok(rate && Number(rate.value[1]) > 0, JSON.stringify(perRoute));
        assert.ok(!perRoute.some((sample) => /\/tasks\/\d/.test(sample.metric.http_route)), "no raw id as a route");
      },
      { timeout: 60_000, interval: 500 },
    );
  });

  test("a browser's API call is one trace to its SQL, and its request id is in every server's log", async () => {
    const browser = await launchBrowser();
    const calls = [];
    let cookies = [];
    let bearer = "";
    try {
      const page = await browser.newPage();
      page.on("response", async (response) => {
        const sent = response.request();
        const url = sent.url();
        if (!url.startsWith(`${cluster.url}/api/`)) return;
        const headers = await sent.allHeaders();
        calls.push({ method: sent.method(), url, status: response.status(), headers, requestId: (await response.allHeaders())["x-request-id"] });
        if (url.endsWith("/api/auth/token") && response.ok()) {
          // A token fetched as the page navigates on (sign-up, then sign-in) has no body left
          // to read; a later one has.
          const answer = await response.json().catch(() => null);
          if (answer) bearer = answer.token;
        }
      });
      await signUp(page, cluster.url, { name: "Observed User", email, password });
      await addTask(page, "Traced task");
      await expectTitles(page, ["Traced task"]);
      cookies = await page.context().cookies();
    } finally {
      await browser.close();
    }

    const create = calls.find((call) => call.method === "POST" && call.url.endsWith("/api/v1/tasks"));
    assert.ok(create, "the browser created the task through the balancer");
    const [, traceId, parentId] = create.headers.traceparent.split("-");
    assert.equal(create.headers["x-request-id"], traceId);
    assert.equal(create.requestId, traceId, "the response carries the request's id");
    const tokenCall = calls.find((call) => call.url.endsWith("/api/auth/token"));
    assert.ok(tokenCall?.headers["x-request-id"], "the browser sent a request id to the token route");

    // The trace: the API's request span continues the browser's, its SQL spans are children of it.
    await eventually(
      () => {
        const spans = receiver.spans.filter((span) => span.traceId === traceId);
        const server = spans.find((span) => span.service === "todo-api" && span.parentId === parentId);
        assert.ok(server, JSON.stringify(spans));
        const sql = spans.filter((span) => span.attributes["db.system"] === "postgresql");
        assert.ok(sql.length > 0 && sql.every((span) => span.parentId === server.spanId), JSON.stringify(spans));
      },
      { timeout: 30_000 },
    );

    // The web server traces its token route in the trace the browser's call started.
    const tokenTrace = tokenCall.headers.traceparent.split("-")[1];
    await eventually(
      () => assert.ok(receiver.spans.some((span) => span.service === "todo-web" && span.traceId === tokenTrace), "a todo-web span of the token call"),
      { timeout: 30_000 },
    );

    // The logs: JSON lines, with the ids the responses carried.
    await eventually(() => {
      const logs = cluster.output();
      const lines = Object.fromEntries(Object.entries(logs).map(([name, text]) => [name, jsonLines(name, text)]));
      const api = [...lines.api1, ...lines.api2].find((line) => line.request_id === traceId && line.logger === "app.access");
      assert.ok(api, "the API logged the call with its request id");
      assert.deepEqual([api.method, api.route, api.status], ["POST", "/tasks", 201]);
      for (const field of ["time", "level", "message", "duration_ms"]) assert.ok(field in api, field);
      assert.ok(lines.haproxy.some((line) => line.request_id === traceId && line.status === 201), "the balancer logged it");
      const token = [...lines.web1, ...lines.web2].find((line) => line.request_id === tokenCall.headers["x-request-id"]);
      assert.ok(token, "the token route logged the browser's request id");
      assert.deepEqual([token.route, token.status], ["/api/auth/token", tokenCall.status]);
    });

    // Nothing secret or personal anywhere.
    const everything = Object.values(cluster.output()).join("\n");
    const secrets = [email, password, bearer, ...cookies.map((cookie) => cookie.value).filter((value) => value.length > 8)];
    assert.ok(bearer.length > 0);
    for (const secret of secrets) assert.ok(!everything.includes(secret), `a log line holds ${secret.slice(0, 12)}…`);
    assert.doesNotMatch(everything, /eyJ[\w-]+\.[\w-]+/, "no JWT in the logs");
    assert.doesNotMatch(everything, /[\w.+-]+@[\w-]+\.[\w.-]+/, "no email address in the logs");
  });
});
