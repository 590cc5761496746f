import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetPasswordEmail } from "@/lib/server/emails";
import { createMailer } from "@/lib/server/mail";

let outbox: string | undefined;

afterEach(() => {
  vi.restoreAllMocks();
  if (outbox) rmSync(outbox, { recursive: true, force: true });
});

describe("the mailer without SMTP_URL", () => {
  it("writes each message as an .eml file to the outbox and says where in one line", async () => {
    outbox = path.join(mkdtempSync(path.join(tmpdir(), "outbox-")), "outbox");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const send = createMailer({ from: "Todo <no-reply@example.com>", outboxDir: outbox });
    const content = resetPasswordEmail({ name: "Ada", email: "ada@example.com" }, "http://localhost:3000/api/auth/reset-password/abc?callbackURL=%2F", 60);

    await send("ada@example.com", content);

    const files = readdirSync(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const eml = readFileSync(path.join(outbox, files[0]), "utf8");
    expect(eml).toMatch(/^From: Todo <no-reply@example\.com>$/m);
    expect(eml).toMatch(/^To: ada@example\.com$/m);
    expect(eml).toMatch(/^Subject: Reset your Todo password$/m);
    expect(eml).toContain("multipart/alternative");
    expect(eml).toContain("text/plain");
    expect(eml).toContain("text/html");
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0][0])).toContain(path.join(outbox, files[0]));
  });
});
