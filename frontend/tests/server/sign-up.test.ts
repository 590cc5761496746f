import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { AUTH_URL, realAuthServer } from "../helpers/real-auth";

const outbox = mkdtempSync(path.join(tmpdir(), "sign-up-outbox-"));
const server = realAuthServer({ MAIL_OUTBOX_DIR: outbox });

afterAll(() => rmSync(outbox, { recursive: true, force: true }));

async function signUp(email: string, password: string) {
  const response = await server.auth().handler(
    new Request(`${AUTH_URL}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: AUTH_URL },
      body: JSON.stringify({ name: "Ada", email, password }),
    }),
  );
  const body = (await response.json()) as { user: Record<string, unknown> };
  // What differs by nature between any two accounts: the id and the moment.
  const user = { ...body.user, id: typeof body.user.id, createdAt: typeof body.user.createdAt, updatedAt: typeof body.user.updatedAt, email: "…" };
  return { status: response.status, body: { ...body, user }, cookies: response.headers.getSetCookie() };
}

function subjectsTo(email: string): string[] {
  return readdirSync(outbox)
    .map((name) => readFileSync(path.join(outbox, name), "utf8"))
    .filter((message) => message.includes(`To: ${email}`))
    .map((message) => /^Subject: (.*)$/m.exec(message)?.[1] ?? "");
}

describe("sign-up with an address that already has an account", () => {
  it("answers exactly as for a new address, signs nobody in, and mails the owner instead", async () => {
    const taken = "owner@example.com";
    expect((await signUp(taken, "the owner's password")).status).toBe(200);
    await vi.waitFor(() => expect(subjectsTo(taken)).toEqual(["Confirm your email for Todo"]));

    const again = await signUp(taken, "an intruder's password");
    const fresh = await signUp("newcomer@example.com", "a newcomer's password");
    expect(again).toEqual(fresh);
    expect(again.status).toBe(200);
    expect(again.cookies).toEqual([]);

    await vi.waitFor(() => expect(subjectsTo(taken)).toContain("Someone tried to sign up for Todo with your address"));
    await vi.waitFor(() => expect(subjectsTo("newcomer@example.com")).toEqual(["Confirm your email for Todo"]));
    const signIn = (password: string) => server.post("/sign-in/email", { email: taken, password });
    // The account is untouched: its own password still works, the intruder's does not.
    expect((await signIn("an intruder's password")).status).toBe(401);
    expect((await signIn("the owner's password")).status).toBe(200);
  });
});
