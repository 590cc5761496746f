import { describe, expect, it, vi } from "vitest";
import { ApiError, AuthRequiredError, createApiClient, NetworkError, retryAfterMs, type Task } from "@/lib/client/api";
import { exampleTask } from "../helpers/task";

const API = "http://api.test";
const TOKEN_URL = "/api/auth/token";

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

function task(id: number): Task {
  const at = "2026-11-27T00:00:00Z";
  return exampleTask({ id, title: `Task ${id}`, completed: false, created_at: at, updated_at: at });
}

interface Harness {
  /** Answers for the backend, given the bearer token it was sent. */
  backend?: (request: { url: string; init: RequestInit; token: string }) => Response | Promise<Response>;
  /** Token lifetime in seconds, and the server's idea of "now" (seconds). */
  ttlSeconds?: number;
  serverNow?: number;
  tokenDelayMs?: number;
  /** Replaces the token route's answer. */
  tokenAnswer?: unknown;
}

function setup({ backend = () => json([]), ttlSeconds = 900, serverNow = 1_800_000_000, tokenDelayMs = 0, tokenAnswer }: Harness = {}) {
  let clock = 1_000_000; // local ms clock, deliberately unrelated to the server's
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  const tokensIssued: string[] = [];
  const backendCalls: { url: string; init: RequestInit; token: string }[] = [];
  const onAuthRequired = vi.fn();

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    if (url === TOKEN_URL) {
      if (tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, tokenDelayMs));
      // Opaque on purpose: the client learns the lifetime from expiresIn, never by decoding the token.
      const token = `opaque-token-${tokensIssued.length + 1}`;
      tokensIssued.push(token);
      return json(tokenAnswer ?? { token, expiresAt: new Date((serverNow + ttlSeconds) * 1000).toISOString(), expiresIn: ttlSeconds });
    }
    const token = String(new Headers(init.headers).get("Authorization")).replace(/^Bearer /, "");
    const call = { url, init, token };
    backendCalls.push(call);
    return backend(call);
  });

  const client = createApiClient({ baseUrl: `${API}/`, onAuthRequired, fetch: fetchMock as typeof fetch, now: () => clock, sleep });
  return {
    client,
    tokensIssued,
    backendCalls,
    onAuthRequired,
    fetchMock,
    waits,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("request ids and trace context", () => {
  it("sends each call a new X-Request-ID that is the trace id of its traceparent", async () => {
    const h = setup();
    await h.client.listTasks();
    await h.client.listTasks();
    const sent = h.backendCalls.map((call) => new Headers(call.init.headers));
    const ids = sent.map((headers) => headers.get("X-Request-ID"));
    for (const [i, headers] of sent.entries()) {
      expect(headers.get("traceparent")).toMatch(new RegExp(`^00-${ids[i]}-[0-9a-f]{16}-01$`));
      expect(ids[i]).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(ids[0]).not.toBe(ids[1]);
    const tokenFetch = h.fetchMock.mock.calls.find(([url]) => String(url) === TOKEN_URL);
    expect(new Headers(tokenFetch?.[1]?.headers).get("X-Request-ID")).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("token cache", () => {
  it("reuses one token across requests and sends it as a bearer header", async () => {
    const h = setup();
    await h.client.listTasks();
    await h.client.listTasks();
    expect(h.tokensIssued).toHaveLength(1);
    expect(h.backendCalls.map((c) => c.token)).toEqual([h.tokensIssued[0], h.tokensIssued[0]]);
    expect(h.backendCalls[0].url).toBe(`${API}/tasks`);
  });

  // Renewal comes min(60 s, 20 % of the lifetime) before expiry: just before that point the
  // cached token is reused, just after it a new one is fetched.
  it.each([
    { case: "a minute before a 15-minute token expires", ttlSeconds: 900, renewAtMs: 840_000 },
    { case: "with a proportional margin (20%) for a 30-second token", ttlSeconds: 30, renewAtMs: 24_000 },
  ])("renews $case", async ({ ttlSeconds, renewAtMs }) => {
    const h = setup({ ttlSeconds });
    await h.client.listTasks();
    h.advance(renewAtMs - 1_000);
    await h.client.listTasks();
    expect(h.tokensIssued).toHaveLength(1);
    h.advance(2_000);
    await h.client.listTasks();
    expect(h.tokensIssued).toHaveLength(2);
  });

  it("ignores the server clock: a token whose expiresAt is long past locally is still used for its lifetime", async () => {
    const h = setup({ serverNow: 1_000_000_000 }); // the server thinks it is 2001
    await h.client.listTasks();
    h.advance(60_000);
    await h.client.listTasks();
    expect(h.tokensIssued).toHaveLength(1);
  });

  it.each([
    { case: "no expiresIn", answer: { token: "t", expiresAt: "2026-11-27T00:15:00Z" } },
    { case: "a zero expiresIn", answer: { token: "t", expiresIn: 0 } },
    { case: "no token", answer: { expiresIn: 900 } },
  ])("refuses a token answer with $case instead of caching it forever", async ({ answer }) => {
    const h = setup({ tokenAnswer: answer });
    await expect(h.client.listTasks()).rejects.toThrow(/expiresIn/);
    expect(h.backendCalls).toHaveLength(0);
  });

  it("shares one token fetch among concurrent requests", async () => {
    const h = setup({ tokenDelayMs: 20 });
    await Promise.all(Array.from({ length: 5 }, () => h.client.listTasks()));
    expect(h.tokensIssued).toHaveLength(1);
    expect(h.backendCalls).toHaveLength(5);
  });

  it("forgets the token on clearToken, even one still being fetched", async () => {
    const h = setup({ tokenDelayMs: 20 });
    const pending = h.client.listTasks();
    h.client.clearToken();
    await pending;
    await h.client.listTasks();
    expect(h.tokensIssued).toHaveLength(2);
    expect(h.backendCalls[1].token).toBe(h.tokensIssued[1]);
  });
});

describe("401 handling", () => {
  it("fetches a fresh token once and retries once", async () => {
    const h = setup({ backend: ({ token }) => (token === h.tokensIssued[0] ? json({ detail: "expired" }, 401) : json([task(1)])) });
    await expect(h.client.listTasks()).resolves.toEqual([task(1)]);
    expect(h.tokensIssued).toHaveLength(2);
    expect(h.backendCalls.map((c) => c.token)).toEqual(h.tokensIssued);
    expect(h.onAuthRequired).not.toHaveBeenCalled();
  });

  it("refreshes once for a burst of requests rejected together", async () => {
    const revoked = new Set<string>();
    const h = setup({ backend: ({ token }) => (revoked.has(token) ? json({ detail: "expired" }, 401) : json([])) });
    await h.client.listTasks();
    revoked.add(h.tokensIssued[0]);
    await Promise.all([h.client.listTasks(), h.client.listTasks(), h.client.listTasks()]);
    expect(h.tokensIssued).toHaveLength(2);
    expect(h.backendCalls.slice(-3).map((c) => c.token)).toEqual([h.tokensIssued[1], h.tokensIssued[1], h.tokensIssued[1]]);
  });

  it("sends the user to log in when the retried request is rejected too", async () => {
    const h = setup({ backend: () => json({ detail: "invalid signature" }, 401) });
    await expect(h.client.createTask({ title: "x" })).rejects.toBeInstanceOf(AuthRequiredError);
    expect(h.backendCalls).toHaveLength(2);
    expect(h.onAuthRequired).toHaveBeenCalledTimes(1);
  });

  it("sends the user to log in when the session itself is gone", async () => {
    const h = setup();
    h.fetchMock.mockImplementationOnce(async () => json({ error: "not signed in" }, 401));
    await expect(h.client.listTasks()).rejects.toBeInstanceOf(AuthRequiredError);
    expect(h.onAuthRequired).toHaveBeenCalledTimes(1);
    expect(h.backendCalls).toHaveLength(0);
  });
});

describe("errors", () => {
  it("reports an unreachable backend as a NetworkError", async () => {
    const h = setup({ backend: () => Promise.reject(new TypeError("Failed to fetch")) });
    const failure = h.client.listTasks();
    await expect(failure).rejects.toBeInstanceOf(NetworkError);
    await expect(failure).rejects.toThrow("Could not reach the server");
  });

  it("shows FastAPI validation messages", async () => {
    const h = setup({
      backend: () => json({ detail: [{ loc: ["body", "title"], msg: "String should have at least 1 character", type: "string_too_short" }] }, 422),
    });
    const failure = h.client.createTask({ title: " " });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 422, message: "String should have at least 1 character" });
  });

  it("sends a call again as a 429's Retry-After asks (the API did nothing with it), a few times", async () => {
    let calls = 0;
    const busy = () => json({ detail: "too many requests in flight for this user" }, 429, { "Retry-After": "1" });
    const h = setup({ backend: () => (++calls < 3 ? busy() : json([task(1)])) });
    await expect(h.client.listTasks()).resolves.toEqual([task(1)]);
    expect(h.waits).toEqual([1000, 1000]);

    const always = setup({ backend: busy });
    await expect(always.client.deleteTask(3)).rejects.toMatchObject({ status: 429 });
    expect(always.backendCalls).toHaveLength(4);
  });

  it("passes on a string detail such as an outage", async () => {
    const h = setup({ backend: () => json({ detail: "database unavailable" }, 503) });
    await expect(h.client.deleteTask(3)).rejects.toMatchObject({ status: 503, message: "database unavailable" });
  });
});

describe("task calls", () => {
  it("asks for one page at a time, with every filter, never the whole list", async () => {
    const h = setup({ backend: () => json([task(1)]) });
    await expect(
      h.client.listTasks({ q: "rent", priority: ["high", "low"], tag: ["home", "work"], due_to: "2026-11-27", completed: false, sort: "due", limit: 50, offset: 50 }),
    ).resolves.toEqual([task(1)]);
    expect(h.backendCalls).toHaveLength(1);
    expect(h.backendCalls[0].url).toBe(
      `${API}/tasks?q=rent&priority=high&priority=low&tag=home&tag=work&due_to=2026-11-27&completed=false&sort=due&limit=50&offset=50`,
    );
  });

  it("counts, lists tags, toggles all and clears completed with the list's filters", async () => {
    const h = setup({
      backend: ({ url, init }) => {
        const path = new URL(url).pathname;
        if (path === "/tasks/counts") return json({ all: 3, active: 2, completed: 1 });
        if (path === "/tags") return json([{ name: "home", count: 2 }]);
        return json(init.method === "PATCH" ? { updated: 2 } : { deleted: 1 });
      },
    });
    await expect(h.client.countTasks({ tag: ["home"], has_due: false })).resolves.toEqual({ all: 3, active: 2, completed: 1 });
    await expect(h.client.listTags()).resolves.toEqual([{ name: "home", count: 2 }]);
    await expect(h.client.completeTasks({ q: "a b" }, true)).resolves.toBe(2);
    await expect(h.client.deleteCompletedTasks({ priority: ["high"] })).resolves.toBe(1);
    expect(h.backendCalls.map((c) => [c.init.method, c.url, c.init.body])).toEqual([
      ["GET", `${API}/tasks/counts?tag=home&has_due=false`, undefined],
      ["GET", `${API}/tags`, undefined],
      ["PATCH", `${API}/tasks?q=a+b`, JSON.stringify({ completed: true })],
      ["DELETE", `${API}/tasks?priority=high&completed=true`, undefined],
    ]);
  });

  it("sends JSON bodies with the right method and path", async () => {
    const h = setup({ backend: ({ init }) => (init.method === "DELETE" ? json(null, 204) : json(task(9), init.method === "POST" ? 201 : 200)) });
    await h.client.createTask({ title: "Buy milk", description: null });
    await h.client.updateTask(9, { completed: true });
    await h.client.deleteTask(9);
    expect(h.backendCalls.map((c) => [c.init.method, c.url, c.init.body])).toEqual([
      ["POST", `${API}/tasks`, JSON.stringify({ title: "Buy milk", description: null })],
      ["PATCH", `${API}/tasks/9`, JSON.stringify({ completed: true })],
      ["DELETE", `${API}/tasks/9`, undefined],
    ]);
    expect(new Headers(h.backendCalls[0].init.headers).get("Content-Type")).toBe("application/json");
  });
});

describe("Idempotency-Key on create", () => {
  const keyOf = (call: { init: RequestInit }) => new Headers(call.init.headers).get("Idempotency-Key");

  it("sends a fresh quoted key with each new task", async () => {
    const h = setup({ backend: () => json(task(1), 201) });
    await h.client.createTask({ title: "a" });
    await h.client.createTask({ title: "a" });
    const [first, second] = h.backendCalls.map(keyOf);
    expect(first).toMatch(/^"[0-9a-f-]{32,36}"$/);
    expect(second).toMatch(/^"[0-9a-f-]{32,36}"$/);
    expect(second).not.toBe(first);
  });

  it.each([
    { case: "a network failure", fail: (): Response => { throw new TypeError("Failed to fetch"); } },
    { case: "a 503", fail: () => json({ detail: "database unavailable" }, 503) },
    { case: "a 401 (with a new token)", fail: () => json({ detail: "token expired" }, 401) },
  ])("retries after $case with the same key", async ({ fail }) => {
    let calls = 0;
    const h = setup({ backend: () => (++calls === 1 ? fail() : json(task(7), 200)) });
    await expect(h.client.createTask({ title: "once" })).resolves.toEqual(task(7));
    expect(h.backendCalls).toHaveLength(2);
    const [first, retry] = h.backendCalls.map(keyOf);
    expect(first).toBeTruthy();
    expect(retry).toBe(first);
  });

  it("waits as long as a 503's Retry-After asks, and 1 s after a lost answer", async () => {
    let calls = 0;
    const h = setup({
      backend: () => {
        calls += 1;
        if (calls === 1) return json({ detail: "database unavailable" }, 503, { "Retry-After": "2" });
        if (calls === 2) throw new TypeError("Failed to fetch");
        return json(task(7), 201);
      },
    });
    await expect(h.client.createTask({ title: "later" })).resolves.toEqual(task(7));
    expect(h.waits).toEqual([2000, 1000]);
  });

  it("does not wait out a Retry-After longer than 10 s: the user is told at once", async () => {
    const h = setup({ backend: () => json({ detail: "database unavailable" }, 503, { "Retry-After": "120" }) });
    await expect(h.client.createTask({ title: "x" })).rejects.toMatchObject({ status: 503, retryAfterMs: 120_000 });
    expect(h.backendCalls).toHaveLength(1);
    expect(h.waits).toEqual([]);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("Sat, 28 Nov 2026 10:00:00 GMT");
    expect(retryAfterMs("3", now)).toBe(3000);
    expect(retryAfterMs("Sat, 28 Nov 2026 10:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs("Sat, 28 Nov 2026 09:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
  });

  it("gives up after two retries, and never retries a refusal", async () => {
    const down = setup({ backend: () => json({ detail: "database unavailable" }, 503) });
    await expect(down.client.createTask({ title: "x" })).rejects.toMatchObject({ status: 503 });
    expect(new Set(down.backendCalls.map(keyOf)).size).toBe(1);
    expect(down.backendCalls).toHaveLength(3);

    const refused = setup({ backend: () => json({ detail: [{ msg: "bad title" }] }, 422) });
    await expect(refused.client.createTask({ title: " " })).rejects.toBeInstanceOf(ApiError);
    expect(refused.backendCalls).toHaveLength(1);
  });
});

describe("sending while the page goes away", () => {
  it("starts the request synchronously, with keepalive and the token in memory", async () => {
    const h = setup({ backend: () => json({ deleted: 2 }) });
    await h.client.countTasks();
    const sent = h.client.deleteCompletedTasks({ tag: ["home"] }, { leaving: true });
    // Nothing awaited yet: a pagehide handler returns before any promise settles.
    expect(h.backendCalls).toHaveLength(2);
    expect(h.backendCalls[1]).toMatchObject({ url: `${API}/tasks?tag=home&completed=true`, token: h.tokensIssued[0] });
    expect(h.backendCalls[1].init).toMatchObject({ method: "DELETE", keepalive: true });
    await expect(sent).resolves.toBe(2);
    expect(h.tokensIssued).toHaveLength(1);
  });

  it("sends nothing when no unexpired token is in memory", async () => {
    const h = setup({ ttlSeconds: 30 });
    await expect(h.client.deleteTask(4, { leaving: true })).rejects.toBeInstanceOf(NetworkError);
    await h.client.listTasks();
    h.advance(30_000);
    await expect(h.client.deleteTask(4, { leaving: true })).rejects.toBeInstanceOf(NetworkError);
    expect(h.backendCalls).toHaveLength(1);
    expect(h.tokensIssued).toHaveLength(1);
  });
});
