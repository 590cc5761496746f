import "server-only";
import type { MailContent } from "./mail";

export const APP_NAME = "Todo";

interface Recipient {
  name: string;
  email: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Letter {
  subject: string;
  /** Paragraphs before the link. */
  intro: string[];
  action: string;
  /** Paragraphs after the link. */
  outro: string[];
}

/** One layout for every account email: greeting, why, the link (as a button and in full), sign-off. */
function render(to: Recipient, url: string, letter: Letter): MailContent {
  const greeting = `Hi ${to.name || to.email},`;
  const text = [greeting, ...letter.intro, `${letter.action}:\n${url}`, ...letter.outro, `— ${APP_NAME}`].join("\n\n");
  const paragraph = (line: string) => `<p>${escapeHtml(line)}</p>`;
  const href = escapeHtml(url);
  const html = [
    `<!doctype html><html><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2933">`,
    `<h1 style="font-size: 20px">${escapeHtml(APP_NAME)}</h1>`,
    paragraph(greeting),
    ...letter.intro.map(paragraph),
    `<p><a href="${href}" style="display: inline-block; padding: 10px 16px; background: #2563eb; color: #fff; border-radius: 6px; text-decoration: none">${escapeHtml(letter.action)}</a></p>`,
    `<p style="font-size: 13px; color: #52606d">Or paste this link into your browser: <a href="${href}">${href}</a></p>`,
    ...letter.outro.map(paragraph),
    paragraph(`— ${APP_NAME}`),
    `</body></html>`,
  ].join("\n");
  return { subject: letter.subject, text, html };
}

/** `url` is Better-Auth's link, built from BETTER_AUTH_URL; it holds a one-time token, never a password. */
export function resetPasswordEmail(to: Recipient, url: string, expiresInMinutes: number): MailContent {
  return render(to, url, {
    subject: `Reset your ${APP_NAME} password`,
    intro: [`Someone asked to reset the password of your ${APP_NAME} account (${to.email}). If it was you, choose a new password with the link below. It works once, within ${expiresInMinutes} minutes.`],
    action: "Choose a new password",
    outro: ["If you did not ask for this, ignore this email: your password stays as it is. Resetting it signs you out everywhere."],
  });
}

export function verifyEmailEmail(to: Recipient, url: string): MailContent {
  return render(to, url, {
    subject: `Confirm your email for ${APP_NAME}`,
    intro: [`Confirm that ${to.email} is your address to finish setting up your ${APP_NAME} account.`],
    action: "Confirm my email",
    outro: ["If you did not create an account, ignore this email."],
  });
}

/** Sent instead of an error when someone signs up with an address that already has an account. */
export function signUpAttemptEmail(to: Recipient, loginUrl: string): MailContent {
  return render(to, loginUrl, {
    subject: `Someone tried to sign up for ${APP_NAME} with your address`,
    intro: [`Someone tried to create a new ${APP_NAME} account with ${to.email}, which already has one. No new account was made.`],
    action: "Log in to your account",
    outro: ["If it was you, log in instead; forgot your password? The login page can mail you a link to choose a new one. If it was not you, ignore this email: nothing has changed."],
  });
}

/** Sent once when an account's password keeps being guessed wrong. */
export function failedSignInsEmail(to: Recipient, resetUrl: string, failures: number, minutes: number): MailContent {
  return render(to, resetUrl, {
    subject: `Repeated failed sign-ins to your ${APP_NAME} account`,
    intro: [`There were ${failures} failed attempts to sign in to your ${APP_NAME} account (${to.email}) within ${minutes} minutes. Sign-in for this account is slowed down while it goes on.`],
    action: "Choose a new password",
    outro: ["If it was you, no need to worry. If not, your password has not been found, but choosing a new, unique one keeps it that way."],
  });
}
