import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { SOCKET_ADDRESS_HEADER, stampSocketAddresses, trustedClientHeaders, withTrustedClientIp } from "@/lib/server/client-ip";

const SECRET = "s".repeat(32);

/** What the route handler would see: the headers of each request a real HTTP server received. */
async function receivedHeaders(sent: Record<string, string>): Promise<Headers> {
  const server = http.createServer((request, response) => {
    response.setHeader("Content-Type", "application/json");
    response.end(JSON.stringify(request.headers));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers: sent });
    return new Headers((await response.json()) as Record<string, string>);
  } finally {
    server.close();
  }
}

describe("the client address Better-Auth may read", () => {
  stampSocketAddresses();

  it("keeps X-Forwarded-For when the balancer's secret comes with it, and drops the secret", () => {
    const headers = trustedClientHeaders(new Headers({ "X-Forwarded-For": "203.0.113.7", "X-Balancer-Secret": SECRET }), SECRET);
    expect(headers.get("x-forwarded-for")).toBe("203.0.113.7");
    expect(headers.has("x-balancer-secret")).toBe(false);
  });

  it.each([
    ["no secret sent", { "X-Forwarded-For": "203.0.113.7" }],
    ["a wrong secret", { "X-Forwarded-For": "203.0.113.7", "X-Balancer-Secret": "t".repeat(32) }],
    ["a prefix of the secret", { "X-Forwarded-For": "203.0.113.7", "X-Balancer-Secret": SECRET.slice(0, 31) }],
  ])("names the socket's address, not X-Forwarded-For, with %s", async (_, sent) => {
    const headers = trustedClientHeaders(await receivedHeaders(sent), SECRET);
    expect(headers.get("x-forwarded-for")).toBe("127.0.0.1");
    expect(headers.has("x-balancer-secret")).toBe(false);
  });

  it("names the socket's address whatever X-Forwarded-For the client sends when no balancer is configured", async () => {
    for (const forged of ["203.0.113.1", "203.0.113.2", "198.51.100.9, 127.0.0.1"]) {
      const headers = trustedClientHeaders(await receivedHeaders({ "X-Forwarded-For": forged, "X-Balancer-Secret": "anything" }), undefined);
      expect(headers.get("x-forwarded-for")).toBe("127.0.0.1");
      expect(headers.has("x-balancer-secret")).toBe(false);
      expect(headers.has(SOCKET_ADDRESS_HEADER)).toBe(false);
    }
  });

  it("refuses a socket address the client wrote itself, without this process's stamp", async () => {
    const forged = { [SOCKET_ADDRESS_HEADER]: "0123456789abcdef 203.0.113.7", "X-Forwarded-For": "203.0.113.7" };
    const headers = trustedClientHeaders(new Headers(forged), undefined);
    expect(headers.has("x-forwarded-for")).toBe(false);
    expect(headers.has(SOCKET_ADDRESS_HEADER)).toBe(false);
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
