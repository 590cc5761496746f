import { decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { signAccessToken } from "@/lib/server/token";

const SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const key = new TextEncoder().encode(SECRET);
const NOW = new Date("2026-11-27T10:00:00.000Z");

describe("signAccessToken", () => {
  it("signs sub, iat, exp and the audience with HS256, and says how long the token lives", async () => {
    const answer = await signAccessToken("user-1", { secret: SECRET, ttlSeconds: 600, audience: "todo-api", now: NOW });

    expect(decodeProtectedHeader(answer.token)).toEqual({ alg: "HS256", typ: "JWT" });
    const { payload } = await jwtVerify(answer.token, key, { algorithms: ["HS256"], currentDate: NOW, audience: "todo-api" });
    expect(payload).toEqual({ sub: "user-1", aud: "todo-api", iat: NOW.getTime() / 1000, exp: NOW.getTime() / 1000 + 600 });
    expect(answer.expiresIn).toBe(600);
    expect(answer.expiresAt).toBe("2026-11-27T10:10:00.000Z");
  });

  it("puts the configured audience in aud, so a verifier expecting another one refuses the token", async () => {
    const { token } = await signAccessToken("user-1", { secret: SECRET, ttlSeconds: 600, audience: "staging-api", now: NOW });
    await expect(jwtVerify(token, key, { currentDate: NOW, audience: "staging-api" })).resolves.toBeTruthy();
    await expect(jwtVerify(token, key, { currentDate: NOW, audience: "todo-api" })).rejects.toThrow(/aud/);
  });
});
