import { decodeProtectedHeader, jwtVerify } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { TokenResponse } from "@/lib/shared/token-response";
import { AUTH_SECRET as SECRET, realAuthServer } from "../helpers/real-auth";

// A real Better-Auth instance on a throwaway SQLite file: the route is tested
// against genuine session cookies, not a mocked getSession.
const TTL_SECONDS = 600;
const server = realAuthServer({ AUTH_TOKEN_TTL_SECONDS: String(TTL_SECONDS) });

type TokenRoute = typeof import("@/app/api/auth/token/route");
let GET: TokenRoute["GET"];

function tokenRequest(cookie?: string): Request {
  return new Request("http://localhost:3000/api/auth/token", { headers: cookie ? { cookie } : {} });
}

/** Turns Set-Cookie headers into the Cookie header a browser would send back. */
function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
}

/** A new account, signed in (sign-up itself signs nobody in). */
async function signUp(email: string): Promise<{ userId: string; cookie: string }> {
  const password = "correct horse battery";
  await server.auth().api.signUpEmail({ body: { name: "Ada Lovelace", email, password } });
  const response = await server.auth().api.signInEmail({ body: { email, password }, asResponse: true });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { user: { id: string } };
  return { userId: body.user.id, cookie: cookieHeader(response) };
}

beforeAll(async () => {
  ({ GET } = await import("@/app/api/auth/token/route"));
});

describe("GET /api/auth/token", () => {
  it("exchanges a session cookie for an HS256 token about that user only", async () => {
    const { userId, cookie } = await signUp("ada@example.com");
    const before = Math.floor(Date.now() / 1000);

    const response = await GET(tokenRequest(cookie));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as TokenResponse;

    expect(decodeProtectedHeader(body.token)).toEqual({ alg: "HS256", typ: "JWT" });
    const { payload } = await jwtVerify(body.token, new TextEncoder().encode(SECRET), { algorithms: ["HS256"] });
    expect(payload.sub).toBe(userId);
    // Without a JWT_AUDIENCE setting: the default the backend requires.
    expect(payload.aud).toBe("todo-api");
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(payload.exp).toBe(payload.iat! + TTL_SECONDS);
    expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat", "sub"]);
    expect(body.token).not.toMatch(/ada/i);
    expect(body.expiresAt).toBe(new Date(payload.exp! * 1000).toISOString());
    expect(body.expiresIn).toBe(TTL_SECONDS);
    expect(Object.keys(body).sort()).toEqual(["expiresAt", "expiresIn", "token"]);
  });

  it("issues a token the wrong secret cannot verify", async () => {
    const { cookie } = await signUp("grace@example.com");
    const { token } = (await (await GET(tokenRequest(cookie))).json()) as { token: string };
    await expect(
      jwtVerify(token, new TextEncoder().encode(`${SECRET}-other`), { algorithms: ["HS256"] }),
    ).rejects.toThrow();
  });

  it("answers 401 JSON without a session cookie", async () => {
    const response = await GET(tokenRequest());
    expect(response.status).toBe(401);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).not.toHaveProperty("token");
  });

  it("returns the request's id and logs one JSON line with it, never the token, cookie or email", async () => {
    vi.stubEnv("LOG_FORMAT", "json");
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const { userId, cookie } = await signUp("logged@example.com");
      const request = new Request("http://localhost:3000/api/auth/token", { headers: { cookie, "x-request-id": "browser-call.1" } });
      const response = await GET(request);
      expect(response.headers.get("x-request-id")).toBe("browser-call.1");
      const { token } = (await response.json()) as TokenResponse;
      const written = write.mock.calls.map(([chunk]) => String(chunk)).join("");
      const line = written
        .trim()
        .split("\n")
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .find((entry) => entry["request_id"] === "browser-call.1");
      expect(line).toMatchObject({ method: "GET", route: "/api/auth/token", status: 200 });
      expect(line?.["user"]).toMatch(/^[0-9a-f]{16}$/);
      for (const secret of [token, cookie.split("=")[1] ?? cookie, "logged@example.com", userId]) expect(written).not.toContain(secret);
    } finally {
      write.mockRestore();
      vi.stubEnv("LOG_FORMAT", "");
    }
  });

  it("replaces an unsafe request id", async () => {
    const response = await GET(new Request("http://localhost:3000/api/auth/token", { headers: { "x-request-id": "not safe!" } }));
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("answers 401 to a forged session cookie", async () => {
    const response = await GET(tokenRequest("better-auth.session_token=forged.c2lnbmF0dXJl"));
    expect(response.status).toBe(401);
  });

  it("answers 401 once the session is signed out", async () => {
    const { cookie } = await signUp("linus@example.com");
    await server.auth().api.signOut({ headers: new Headers({ cookie }) });
    const response = await GET(tokenRequest(cookie));
    expect(response.status).toBe(401);
  });
});
