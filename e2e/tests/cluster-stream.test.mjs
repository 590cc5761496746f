// GET /events through HAProxy (deploy/haproxy.cfg) on two API replicas, read with fetch as the
// browser reads it: a quiet stream outlives the balancer's timeouts, and a client whose replica
// stops mid-stream reconnects through the balancer with its Last-Event-ID and loses nothing.
// PostgreSQL only (the replicas share it); no web servers, no browser: the API alone.
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { startCluster } from "../lib/cluster.mjs";
import { keepAlive, request } from "../lib/http.mjs";

const POSTGRES = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "");
const HOST = process.env.CLUSTER_STREAM_TEST_HOST ?? "127.0.0.22";
// The balancer's client and server timeouts (deploy/haproxy.cfg): a quiet stream outlives both.
const BALANCER_TIMEOUT_MS = 30_000;

const base64url = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A bridge token, as the frontend's token route signs it. */
function mint(secret, sub, ttlSeconds = 900) {
  const now = Math.floor(Date.now() / 1000);
  const signed = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url({ sub, iat: now, exp: now + ttlSeconds, aud: "todo-api" })}`;
  return `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
}

/** An open GET /events: its blocks (an event, or comments alone) one at a time, null at the end. */
class EventStream {
  static async open(url, token, lastEventId) {
    const controller = new AbortController();
    const headers = { Authorization: `Bearer ${token}`, ...(lastEventId ? { "Last-Event-ID": lastEventId } : {}) };
    const response = await fetch(`${url}/api/v1/events`, { headers, signal: controller.signal });
    return new EventStream(response, controller);
  }

  constructor(response, controller) {
    this.status = response.status;
    this.contentType = response.headers.get("content-type");
    this.controller = controller;
    this.reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    this.buffer = "";
  }

  async block() {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end >= 0) {
        const lines = this.buffer.slice(0, end).split("\n");
        this.buffer = this.buffer.slice(end + 2);
        const block = { comments: [] };
        for (const line of lines) {
          const [name, ...rest] = line.split(":");
          const value = rest.join(":").replace(/^ /, "");
          if (name === "") block.comments.push(value);
          else block[name] = value;
        }
        return block;
      }
      let chunk;
      try {
        chunk = await this.reader.read();
      } catch {
        return null; // the connection was cut (a replica killed): the stream is over
      }
      if (chunk.done) return null;
      this.buffer += chunk.value;
    }
  }

  close() {
    this.controller.abort();
  }
}

describe("event streams through the load balancer", { skip: !POSTGRES && "needs DATABASE_URL=postgresql://…", timeout: 300_000 }, () => {
  let cluster;
  let token;
  const api = (path, options = {}) =>
    request(`${cluster.url}/api/v1${path}`, { ...options, headers: { Authorization: `Bearer ${token}`, ...options.headers } });

  before(async () => {
    cluster = await startCluster({ host: HOST, web: false });
  });

  after(async () => {
    keepAlive.destroy();
    await cluster?.stop();
  });

  test("a quiet stream outlives the balancer's timeouts, and then still carries a change", async () => {
    token = mint(cluster.secret, `stream-quiet-${randomUUID()}`);
    const stream = await EventStream.open(cluster.url, token);
    try {
      assert.equal(stream.status, 200);
      assert.match(stream.contentType, /^text\/event-stream/);
      const opened = Date.now();
      while (Date.now() - opened < BALANCER_TIMEOUT_MS + 10_000) {
        const block = await stream.block();
        assert.ok(block, `the stream ended after ${Date.now() - opened} ms`);
        assert.equal(block.data, undefined, "only comments on a quiet stream");
      }
      const created = await api("/tasks", { method: "POST", body: { title: "after a long silence" } });
      assert.equal(created.status, 201, created.text);
      let block;
      do block = await stream.block();
      while (block && block.data === undefined);
      assert.ok(block, "the stream ended");
      assert.deepEqual(JSON.parse(block.data), { type: "task.created", id: JSON.parse(created.text).id, row: JSON.parse(created.text) });
    } finally {
      stream.close();
    }
  });

  // SIGTERM as a rolling restart sends it, after a drain (which must not wait for the streams:
  // they never end by themselves); SIGKILL as a crash, with no drain.
  for (const signal of ["SIGTERM", "SIGKILL"]) {
    test(`a client whose replica is stopped (${signal}) mid-stream reconnects with its cursor and misses nothing`, async () => {
      token = mint(cluster.secret, `stream-${signal}-${randomUUID()}`);
      const seen = new Set();
      let cursor;
      let reconnects = 0;
      let reading = true;
      // The replica holding the stream: the one whose stream sessions it adds to (an earlier
      // test's closed stream may still count until the balancer next writes to it).
      const streams = () => Promise.all(["api1", "api2"].map((server) => cluster.serverStat("events", server)));
      const before = await streams();
      let stream = await EventStream.open(cluster.url, token);
      assert.equal(stream.status, 200);
      const sessions = await streams();
      const holder = sessions.findIndex(({ sessions }, i) => sessions > before[i].sessions);
      assert.ok(holder >= 0, `no replica holds the stream: ${JSON.stringify({ before, sessions })}`);

      // The client, as the browser's: on the stream's end, it reconnects with its cursor.
      const client = (async () => {
        while (reading) {
          const block = await stream.block();
          if (block === null && !reading) break;
          if (block === null) {
            stream.close();
            for (;;) {
              reconnects += 1;
              stream = await EventStream.open(cluster.url, token, cursor).catch(() => null);
              if (stream?.status === 200) break;
              stream?.close();
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
            continue;
          }
          if (block.data === undefined) continue;
          assert.notEqual(block.event, "reset", "a kept cursor is replayed, not reset");
          cursor = block.id;
          const data = JSON.parse(block.data);
          if (data.type === "task.created") seen.add(data.id);
        }
      })();

      // Writers, as the frontend writes: a create keeps its Idempotency-Key across its retries.
      const acknowledged = [];
      const create = async (title) => {
        const key = `"${randomUUID()}"`;
        for (let attempt = 0; attempt < 5; attempt++) {
          const response = await api("/tasks", { method: "POST", headers: { "Idempotency-Key": key }, body: { title } }).catch(() => ({ status: 0 }));
          if (response.status === 201 || response.status === 200) return acknowledged.push(JSON.parse(response.text).id);
        }
        assert.fail(`create "${title}" failed five times`);
      };
      const writers = [0, 1].map(async (writer) => {
        for (let i = 0; i < 15; i++) await create(`${signal}-${writer}-${i}`);
      });
      await poll(() => acknowledged.length >= 4, "the writers are under way");
      await cluster.stopApi(holder, { drain: signal === "SIGTERM", signal });
      await Promise.all(writers);
      await poll(() => acknowledged.every((id) => seen.has(id)), () => `events for every write (missing ${acknowledged.filter((id) => !seen.has(id))})`);
      reading = false;
      stream.close();
      await client;
      await cluster.startApi(holder);

      assert.ok(reconnects >= 1, "the stream was cut and the client reconnected");
      assert.equal(acknowledged.length, 30);
      assert.deepEqual(seen, new Set(acknowledged));
    });
  }
});

/** Polls `condition` until it holds, within 60 s. */
async function poll(condition, what) {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within 60 s: ${typeof what === "function" ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
