import "server-only";
import { randomBytes } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { MailConfig } from "./config";

/** A message as the account emails render it: plain text and HTML saying the same. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export type SendMail = (to: string, content: MailContent) => Promise<void>;

/**
 * Sends over SMTP when SMTP_URL is set. Without it (the offline default of
 * `make run`) each message is written as an .eml file to the outbox folder,
 * and one log line says where, so the email flows work on a fresh machine.
 */
export function createMailer(config: MailConfig): SendMail {
  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(config.smtpUrl);
    return async (to, content) => {
      await transport.sendMail({ from: config.from, to, ...content });
    };
  }
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return async (to, content) => {
    const { message } = await composer.sendMail({ from: config.from, to, ...content });
    await mkdir(config.outboxDir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.eml`;
    const file = path.join(config.outboxDir, name);
    // Whole or not at all: a reader of the folder never finds a message half written.
    const partial = path.join(config.outboxDir, `.${name}.partial`);
    await writeFile(partial, message, { mode: 0o600 });
    await rename(partial, file);
    console.log(`[todo] SMTP_URL is not set: mail "${content.subject}" written to ${file}`);
  };
}
