import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it, vi } from "vitest";
import { realAuthServer } from "../helpers/real-auth";

// An SMTP server that accepts connections and then says nothing: a mail sent to it never
// finishes. The reset answer must not wait for it (or a known address would answer later
// than an unknown one, and a slow mail server would hold every request).
const sockets = new Set<net.Socket>();
const silent = net.createServer((socket) => {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
});
await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
const smtpUrl = `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`;

const server = realAuthServer({ SMTP_URL: smtpUrl });

afterAll(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
});

const post = server.post;

describe("a reset request", () => {
  it("is answered while its mail is still on the way", async () => {
    await post("/sign-up/email", { name: "Ada", email: "ada@example.com", password: "correct horse battery" });
    // The new account's confirmation mail, under way too.
    await vi.waitFor(() => expect(sockets.size).toBe(1));
    const known = await post("/request-password-reset", { email: "ada@example.com", redirectTo: "/auth/reset-password" });
    const unknown = await post("/request-password-reset", { email: "nobody@example.com", redirectTo: "/auth/reset-password" });

    expect(known).toEqual(unknown);
    // The mail for the known address is under way: connected, waiting for the server's greeting.
    await vi.waitFor(() => expect(sockets.size).toBe(2));
  });
});
