"use client";

import Link from "next/link";
import { useId, type FormEvent } from "react";
import { EMAIL_PATTERN } from "@/app/auth/auth-form";
import { Field, FormAlert, FormNotice } from "@/app/forms/fields";
import { readField, useForm } from "@/app/forms/use-form";
import { authCall, authClient } from "@/lib/client/auth-client";

/** Asks for a reset link. The answer is the same whether or not an account has this address. */
export function ForgotPasswordForm() {
  const titleId = useId();
  const { alert, alertRef, begin, busy, errors, fail, failWith, formRef, notice, succeed } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = readField(event.currentTarget, "email");
    if (!EMAIL_PATTERN.test(email)) return fail({ fields: { email: "Enter a valid email address." } });
    begin();
    const { error } = await authCall(authClient.requestPasswordReset({ email, redirectTo: "/auth/reset-password" }));
    if (error) return failWith(error);
    succeed(`If an account uses ${email}, we have sent it a link to choose a new password. The link works once, within an hour.`);
  }

  return (
    <main className="auth-page">
      <form ref={formRef} className="card auth-card" onSubmit={onSubmit} noValidate aria-labelledby={titleId}>
        <h1 id={titleId}>Forgot your password?</h1>
        <p className="muted">Enter the email you signed up with and we will send you a link to choose a new password.</p>
        <FormNotice message={notice} />
        <FormAlert ref={alertRef} message={alert} />
        <Field label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Sending…" : "Send reset link"}
        </button>
        <p className="switch">
          <Link href="/auth/login">Back to log in</Link>
        </p>
      </form>
    </main>
  );
}
