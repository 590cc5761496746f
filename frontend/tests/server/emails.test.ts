import { describe, expect, it } from "vitest";
import { APP_NAME, failedSignInsEmail, resetPasswordEmail, signUpAttemptEmail, verifyEmailEmail } from "@/lib/server/emails";

const ada = { name: "Ada <script>alert(1)</script>", email: "ada@example.com" };
const RESET_URL = "https://todo.example.com/api/auth/reset-password/tok123?callbackURL=%2Fauth%2Freset-password";

describe("account emails", () => {
  it("say the same in text and HTML: the app, the recipient, the link and how long it works", () => {
    const mail = resetPasswordEmail(ada, RESET_URL, 60);
    expect(mail.subject).toBe(`Reset your ${APP_NAME} password`);
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain(APP_NAME);
      expect(body).toContain("ada@example.com");
      expect(body).toContain("60 minutes");
    }
    expect(mail.text).toContain(RESET_URL);
    // In HTML the & of a query string is escaped, as it must be inside an attribute.
    expect(mail.html).toContain(`href="${RESET_URL.replaceAll("&", "&#38;")}"`);
  });

  it("escape what the user typed in the HTML", () => {
    const { html, text } = verifyEmailEmail(ada, "https://todo.example.com/api/auth/verify-email?token=t");
    expect(html).not.toContain("<script>");
    expect(html).toContain("Ada &#60;script&#62;");
    expect(text).toContain("Hi Ada <script>");
  });

  it("never carry a password, only the link Better-Auth built", () => {
    const mail = verifyEmailEmail({ name: "Ada", email: "ada@example.com" }, "https://todo.example.com/api/auth/verify-email?token=t");
    expect(mail.subject).toBe(`Confirm your email for ${APP_NAME}`);
    expect(`${mail.text}${mail.html}`).not.toMatch(/password/i);
  });

  it("tell the owner of a taken address that someone tried to sign up with it, and where to log in", () => {
    const mail = signUpAttemptEmail(ada, "https://todo.example.com/auth/login");
    expect(mail.subject).toBe(`Someone tried to sign up for ${APP_NAME} with your address`);
    expect(mail.text).toContain("ada@example.com, which already has one");
    expect(mail.text).toContain("https://todo.example.com/auth/login");
  });

  it("tell the owner how many sign-ins failed, and offer a new password", () => {
    const mail = failedSignInsEmail(ada, "https://todo.example.com/auth/forgot-password", 10, 60);
    expect(mail.subject).toBe(`Repeated failed sign-ins to your ${APP_NAME} account`);
    expect(mail.text).toContain("10 failed attempts");
    expect(mail.text).toContain("within 60 minutes");
    expect(mail.text).toContain("https://todo.example.com/auth/forgot-password");
  });
});
