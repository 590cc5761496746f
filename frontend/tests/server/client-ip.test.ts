import { describe, expect, it } from "vitest";
import { trustedClientHeaders, withTrustedClientIp } from "@/lib/server/client-ip";

const SECRET = "s".repeat(32);

describe("the client address Better-Auth may read", () => {
  it("keeps X-Forwarded-For when the balancer's secret comes with it, and drops the secret", () => {
    const headers = trustedClientHeaders(new Headers({ "X-Forwarded-For": "203.0.113.7", "X-Balancer-Secret": SECRET }), SECRET);
    expect(headers.get("x-forwarded-for")).toBe("203.0.113.7");
    expect(headers.has("x-balancer-secret")).toBe(false);
  });

  it.each([
    ["no secret sent", { "X-Forwarded-For": "203.0.113.7" }],
    ["a wrong secret", { "X-Forwarded-For": "203.0.113.7", "X-Balancer-Secret": "t".repeat(32) }],
    ["a prefix of the secret", { "X-Forwarded-For": "203.0.113.7", "X-Balancer-Secret": SECRET.slice(0, 31) }],
  ])("ignores X-Forwarded-For with %s", (_, sent) => {
    const headers = trustedClientHeaders(new Headers(sent), SECRET);
    expect(headers.has("x-forwarded-for")).toBe(false);
    expect(headers.has("x-balancer-secret")).toBe(false);
  });

  it("leaves the address as next start gives it when no balancer is configured, and drops a stray secret", () => {
    const headers = trustedClientHeaders(new Headers({ "X-Forwarded-For": "127.0.0.1", "X-Balancer-Secret": "anything" }), undefined);
    expect(headers.get("x-forwarded-for")).toBe("127.0.0.1");
    expect(headers.has("x-balancer-secret")).toBe(false);
  });

  it("keeps the request's method, body and other headers", async () => {
    const request = new Request("http://localhost/api/auth/sign-in/email", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Forwarded-For": "203.0.113.7" },
      body: JSON.stringify({ email: "a@example.com" }),
    });
    const trusted = withTrustedClientIp(request, SECRET);
    expect(trusted.method).toBe("POST");
    expect(trusted.url).toBe(request.url);
    expect(trusted.headers.get("content-type")).toBe("application/json");
    expect(trusted.headers.has("x-forwarded-for")).toBe(false);
    expect(await trusted.json()).toEqual({ email: "a@example.com" });
  });
});
