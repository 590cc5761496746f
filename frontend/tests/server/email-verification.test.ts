import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { realAuthServer } from "../helpers/real-auth";
import { outboxMessages } from "../helpers/outbox";

// REQUIRE_EMAIL_VERIFICATION=true on a real Better-Auth server, mail into an outbox folder.
const outbox = mkdtempSync(path.join(tmpdir(), "outbox-"));
const server = realAuthServer({ MAIL_OUTBOX_DIR: outbox, REQUIRE_EMAIL_VERIFICATION: "true" });

beforeAll(() => {
  vi.spyOn(console, "log").mockImplementation(() => {});
});

afterAll(() => {
  rmSync(outbox, { recursive: true, force: true });
});

const post = server.post;

async function verificationLinks(count: number): Promise<string[]> {
  await vi.waitFor(() => expect(outboxMessages(outbox).length).toBeGreaterThanOrEqual(count), { timeout: 10_000 });
  return outboxMessages(outbox)
    .map((eml) => eml.replace(/=\r?\n/g, "").replace(/=3D/g, "="))
    .map((eml) => {
      const link = /http:\/\/localhost:3000\/api\/auth\/verify-email\?token=[^\s"<>]+/.exec(eml);
      if (!link) throw new Error(`no verification link in:\n${eml}`);
      return link[0];
    });
}

describe("with REQUIRE_EMAIL_VERIFICATION=true", () => {
  const ada = { name: "Ada", email: "ada@example.com", password: "correct horse battery" };

  it("signs up without a session, mails a link, and sign-in waits for it", async () => {
    const signedUp = await post("/sign-up/email", { ...ada, callbackURL: "/tasks" });
    expect(signedUp.status).toBe(200);
    expect(signedUp.body.token).toBeNull();
    expect(await verificationLinks(1)).toHaveLength(1);

    const refused = await post("/sign-in/email", { email: ada.email, password: ada.password });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("EMAIL_NOT_VERIFIED");
    // Signing in again sends the link again; so does "resend".
    expect((await post("/send-verification-email", { email: ada.email, callbackURL: "/tasks" })).status).toBe(200);
    // The mails go out after their answers, so their files may land in either order.
    const resent = (await verificationLinks(3)).filter((link) => /callbackURL=(%2F|\/)tasks/.test(link));
    expect(resent).toHaveLength(2);

    const opened = await server.auth().handler(new Request(resent[1]));
    expect(opened.status).toBe(302);
    expect(opened.headers.get("location")).toBe("/tasks");
    expect(opened.headers.getSetCookie().join(";")).toMatch(/session_token=/);

    expect((await post("/sign-in/email", { email: ada.email, password: ada.password })).status).toBe(200);
  });

  it("counts the right password for an unconfirmed address as a success of the per-account throttle", async () => {
    const bob = { name: "Bob", email: "bob@example.com", password: "correct horse battery" };
    expect((await post("/sign-up/email", bob)).status).toBe(200);
    const attempt = (password: string) => post("/sign-in/email", { email: bob.email, password });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await attempt("not the password")).status).toBe(401);
      expect((await attempt(bob.password)).body.code).toBe("EMAIL_NOT_VERIFIED");
    }
  });
});
