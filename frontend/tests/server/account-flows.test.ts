import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AUTH_URL, realAuthServer } from "../helpers/real-auth";
import { outboxMessages } from "../helpers/outbox";

// A real Better-Auth server (SQLite), its mail going to an outbox folder, its backend a small
// HTTP server of the test's own that records DELETE /me.
const outbox = mkdtempSync(path.join(tmpdir(), "outbox-"));
const backendCalls: { method?: string; url?: string; authorization?: string }[] = [];
let backendStatus = 204;
const backend = http.createServer((request, response) => {
  backendCalls.push({ method: request.method, url: request.url, authorization: request.headers.authorization });
  response.writeHead(backendStatus).end();
});
await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;

const server = realAuthServer({ MAIL_OUTBOX_DIR: outbox, NEXT_PUBLIC_API_URL: backendUrl });

beforeAll(() => {
  vi.spyOn(console, "log").mockImplementation(() => {});
});

afterAll(() => {
  if (backend.listening) backend.close();
  rmSync(outbox, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: Record<string, unknown> | null;
  cookie: string;
}

/** One request to Better-Auth's handler, as the browser on BETTER_AUTH_URL sends it. */
async function call(route: string, body: unknown, cookie = ""): Promise<Answer> {
  const response = await server.auth().handler(
    new Request(`${AUTH_URL}/api/auth${route}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "Content-Type": "application/json", Origin: AUTH_URL, Cookie: cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  const cookies = response.headers.getSetCookie().map((c) => c.split(";")[0]);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, cookie: cookies.join("; ") };
}

/** A new account, signed in (sign-up itself signs nobody in): its session cookie. */
async function signUp(email: string, password = "correct horse battery") {
  expect((await call("/sign-up/email", { name: "Ada", email, password })).status).toBe(200);
  const answer = await call("/sign-in/email", { email, password });
  expect(answer.status).toBe(200);
  return answer.cookie;
}

/** The reset mails in the outbox (each new account is also mailed a confirmation link). */
function mails(): string[] {
  return outboxMessages(outbox).filter((eml) => /^Subject: Reset your Todo password/m.test(eml));
}

/** Mail goes out after the answer (a background task): wait for the count to be reached. */
async function waitForMails(count: number): Promise<string[]> {
  await vi.waitFor(() => expect(mails().length).toBeGreaterThanOrEqual(count), { timeout: 10_000 });
  return mails();
}

function resetToken(eml: string): string {
  // Quoted-printable may fold the link; unfold it first.
  const unfolded = eml.replace(/=\r?\n/g, "");
  const match = /\/api\/auth\/reset-password\/([A-Za-z0-9]+)\?callbackURL=/.exec(unfolded);
  if (!match) throw new Error(`no reset link in:\n${eml}`);
  return match[1];
}

async function session(cookie: string) {
  return (await call("/get-session", undefined, cookie)).body;
}

describe("password reset", () => {
  it("answers an unknown address exactly like a known one, and mails only the known one", async () => {
    await signUp("known@example.com");
    const unknown = await call("/request-password-reset", { email: "nobody@example.com", redirectTo: "/auth/reset-password" });
    const known = await call("/request-password-reset", { email: "known@example.com", redirectTo: "/auth/reset-password" });
    expect(unknown).toEqual(known);

    const [eml, ...others] = await waitForMails(1);
    expect(others).toEqual([]);
    expect(eml).toMatch(/^To: known@example\.com$/m);
    expect(eml.replace(/=\r?\n/g, "")).toContain(`${AUTH_URL}/api/auth/reset-password/`);
    expect(eml).not.toContain("correct horse battery");
  });

  it("sets the new password once, signs every session out, and refuses the old password", async () => {
    rmSync(outbox, { recursive: true, force: true });
    const first = await signUp("reset@example.com", "old password one");
    const second = (await call("/sign-in/email", { email: "reset@example.com", password: "old password one" })).cookie;
    await call("/request-password-reset", { email: "reset@example.com", redirectTo: "/auth/reset-password" });
    const token = resetToken((await waitForMails(1))[0]);

    expect((await call("/reset-password", { token, newPassword: "new password two" })).status).toBe(200);
    expect((await call("/reset-password", { token, newPassword: "third password" })).body).toMatchObject({ code: "INVALID_TOKEN" });

    expect(await session(first)).toBeNull();
    expect(await session(second)).toBeNull();
    expect((await call("/sign-in/email", { email: "reset@example.com", password: "old password one" })).status).toBe(401);
    expect((await call("/sign-in/email", { email: "reset@example.com", password: "new password two" })).status).toBe(200);
  });
  it("refuses a link older than an hour", async () => {
    rmSync(outbox, { recursive: true, force: true });
    await signUp("late@example.com", "old password one");
    await call("/request-password-reset", { email: "late@example.com", redirectTo: "/auth/reset-password" });
    const token = resetToken((await waitForMails(1))[0]);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61 * 60 * 1000 });
    try {
      expect((await call("/reset-password", { token, newPassword: "new password two" })).body).toMatchObject({ code: "INVALID_TOKEN" });
    } finally {
      vi.useRealTimers();
    }
    expect((await call("/sign-in/email", { email: "late@example.com", password: "old password one" })).status).toBe(200);
  });
});

describe("deleting an account", () => {
  it("takes the password, always", async () => {
    const cookie = await signUp("nopassword@example.com");
    const answer = await call("/delete-user", {}, cookie);
    expect(answer.body).toMatchObject({ code: "PASSWORD_REQUIRED" });
    expect(await session(cookie)).not.toBeNull();
  });

  it("deletes the tasks on the backend first, as that user, then the account", async () => {
    const cookie = await signUp("leaving@example.com");
    const userId = ((await session(cookie)) as { user: { id: string } }).user.id;
    backendCalls.length = 0;

    const answer = await call("/delete-user", { password: "correct horse battery" }, cookie);

    expect(answer.status).toBe(200);
    expect(backendCalls).toHaveLength(1);
    expect(backendCalls[0]).toMatchObject({ method: "DELETE", url: "/me" });
    const token = backendCalls[0].authorization?.replace(/^Bearer /, "") ?? "";
    expect(decodeJwt(token)).toMatchObject({ sub: userId, aud: "todo-api" });
    expect(await session(cookie)).toBeNull();
    // The address is free again.
    await signUp("leaving@example.com");
  });

  it("keeps everything when the backend refuses or cannot be reached", async () => {
    const cookie = await signUp("staying@example.com");
    backendStatus = 503;
    try {
      expect((await call("/delete-user", { password: "correct horse battery" }, cookie)).body).toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    } finally {
      backendStatus = 204;
    }
    // Now nothing listens there at all.
    backend.closeAllConnections();
    await new Promise<void>((resolve) => backend.close(() => resolve()));
    const answer = await call("/delete-user", { password: "correct horse battery" }, cookie);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    expect(await session(cookie)).not.toBeNull();
    expect((await call("/sign-in/email", { email: "staying@example.com", password: "correct horse battery" })).status).toBe(200);
  });
});

describe("sign-up input", () => {
  it("refuses user@invalid with a code the form maps to plain words", async () => {
    const answer = await call("/sign-up/email", { name: "Ada", email: "user@invalid", password: "correct horse battery" });
    expect(answer.status).toBe(400);
    const { describeAuthError } = await import("@/lib/client/auth-errors");
    expect(describeAuthError({ status: answer.status, ...(answer.body as { code?: string; message?: string }) })).toBe("Enter a valid email address.");
  });
});
