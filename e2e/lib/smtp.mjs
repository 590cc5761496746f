// A real SMTP server for the browser tests (the smtp-server package): it takes every message
// the frontend sends and keeps it, so a test can wait for a mail and follow its link.
import { SMTPServer } from "smtp-server";

import { eventually, launchBrowser } from "./browser.mjs";
import { startSystem } from "./system.mjs";

/** The text of a quoted-printable body part, decoded (soft line breaks and =XX escapes). */
function decodeQuotedPrintable(text) {
  const bytes = text
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

export async function startSmtpServer() {
  const messages = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on("data", (chunk) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        messages.push({
          from: session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          text: decodeQuotedPrintable(raw),
        });
        callback();
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** The messages sent to `address` so far. */
    to: (address) => messages.filter((message) => message.to.includes(address)),
    /** Waits for the `count`-th message to `address` (whose subject starts with `subject`, if given) and returns it. */
    async waitFor(address, count = 1, { subject = "" } = {}) {
      return eventually(
        () => {
          const received = messages.filter((message) => message.to.includes(address) && message.raw.includes(`\nSubject: ${subject}`));
          if (received.length < count) throw new Error(`${received.length} of ${count} mails to ${address}`);
          return received[count - 1];
        },
        { timeout: 20_000 },
      );
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The first link in a message that starts with `base`. */
export function linkIn(message, base) {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}[^\\s"<>]*`).exec(message.text);
  if (!match) throw new Error(`no link to ${base} in:\n${message.text}`);
  return match[0];
}

/**
 * What the account suites run against: an SMTP server, the system with its frontend mailing
 * there (`frontendEnv` adds settings) and a browser; `stop` ends all three. When a part fails
 * to start, what had started is stopped again.
 */
export async function startMailingSystem(frontendEnv) {
  const smtp = await startSmtpServer();
  let system;
  try {
    system = await startSystem({ tokenTtlSeconds: 60, frontendEnv: { SMTP_URL: smtp.url, ...frontendEnv } });
    const browser = await launchBrowser();
    const stop = async () => {
      await browser.close();
      await system.stop();
      await smtp.close();
    };
    return { smtp, system, browser, stop };
  } catch (error) {
    await system?.stop();
    await smtp.close();
    throw error;
  }
}
