import { afterEach, describe, expect, it, vi } from "vitest";
import { contentSecurityPolicy, pageSecurityHeaders } from "@/lib/server/security-headers";
import { realAuthServer } from "../helpers/real-auth";

afterEach(() => {
  vi.unstubAllEnvs();
});

function directives(policy: string): Record<string, string> {
  return Object.fromEntries(policy.split("; ").map((directive) => [directive.split(" ")[0], directive.slice(directive.indexOf(" ") + 1)]));
}

describe("the pages' Content-Security-Policy", () => {
  it("runs only scripts with this response's nonce, in no frame, talking to itself and the API", () => {
    const policy = directives(contentSecurityPolicy({ nonce: "abc123", apiOrigin: "https://api.example.com", development: false }));
    expect(policy["script-src"]).toBe("'self' 'nonce-abc123' 'strict-dynamic'");
    expect(policy["frame-ancestors"]).toBe("'none'");
    expect(policy["connect-src"]).toBe("'self' https://api.example.com");
    expect(policy["object-src"]).toBe("'none'");
  });

  it("reads the API's origin at run time; a path means the pages' own origin", () => {
    vi.stubEnv("NEXT_PUBLIC_API_URL", "https://api.example.com:8443/v1/");
    expect(directives(pageSecurityHeaders("n")["Content-Security-Policy"])["connect-src"]).toBe("'self' https://api.example.com:8443");
    vi.stubEnv("NEXT_PUBLIC_API_URL", "/api/v1");
    expect(directives(pageSecurityHeaders("n")["Content-Security-Policy"])["connect-src"]).toBe("'self'");
  });

  it("lets next dev evaluate code, and nothing else", () => {
    expect(contentSecurityPolicy({ nonce: "n", apiOrigin: null, development: true })).toContain("'unsafe-eval'");
    expect(contentSecurityPolicy({ nonce: "n", apiOrigin: null, development: false })).not.toContain("unsafe-eval");
  });
});

describe("Strict-Transport-Security", () => {
  it("is sent when the app is served over https, and not over http", () => {
    vi.stubEnv("BETTER_AUTH_URL", "https://todo.example.com");
    expect(pageSecurityHeaders("n")["Strict-Transport-Security"]).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    vi.stubEnv("BETTER_AUTH_URL", "http://localhost:3000");
    expect(pageSecurityHeaders("n")).not.toHaveProperty("Strict-Transport-Security");
  });
});

describe("the session cookie over https", () => {
  const server = realAuthServer({ BETTER_AUTH_URL: "https://todo.example.com" });

  it("is Secure", async () => {
    const email = "secure@example.com";
    const password = "correct horse battery";
    await server.auth().api.signUpEmail({ body: { name: "Ada", email, password } });
    const response = await server.auth().api.signInEmail({ body: { email, password }, asResponse: true });
    const cookies = response.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatch(/^__Secure-.*; Secure/i);
  });
});
