import { afterEach, describe, expect, it, vi } from "vitest";
import { hashUserId, log, redact, requestIdOf } from "@/lib/server/log";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("server log lines", () => {
  it("hash a user id exactly as the API does (HMAC under a key derived from the secret)", () => {
    // backend: UserHasher(b"a-test-secret-that-is-at-least-32-bytes-long").hash("user-42")
    expect(hashUserId("user-42", "a-test-secret-that-is-at-least-32-bytes-long")).toBe("e2f749a178eb2349");
  });

  it.each([
    ["alice@example.com"],
    ["Bearer abc.def.ghi"],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"],
    ["password=hunter22"],
    ["cookie: better-auth.session_token=abcdef"],
  ])("blank %s", (secret) => {
    const text = redact(`saw ${secret} here`);
    expect(text).not.toContain(secret);
    expect(text).toContain("here");
  });

  it("keep a safe X-Request-ID and replace anything else", () => {
    expect(requestIdOf(new Headers({ "x-request-id": "A.b_c-9" }))).toBe("A.b_c-9");
    for (const unsafe of ["", "x".repeat(65), "has space", "a/b", "<a>"]) {
      const id = requestIdOf(new Headers({ "x-request-id": unsafe }));
      expect(id).not.toBe(unsafe);
      expect(id).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(requestIdOf(new Headers())).toMatch(/^[0-9a-f]{32}$/);
  });

  it("write one JSON object per line with LOG_FORMAT=json", () => {
    vi.stubEnv("LOG_FORMAT", "json");
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    log("info", "GET /x 200 for bob@example.com", { request_id: "r-1", method: "GET", route: "/x", status: 200, duration_ms: 1.5 });
    const line = JSON.parse(write.mock.calls[0]?.[0] as string) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "info", request_id: "r-1", method: "GET", route: "/x", status: 200, duration_ms: 1.5 });
    expect(line["message"]).toBe("GET /x 200 for [email]");
    expect(typeof line["time"]).toBe("string");
  });
});
