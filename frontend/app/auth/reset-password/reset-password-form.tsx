"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, type FormEvent } from "react";
import { FormAlert, PasswordField } from "@/app/forms/fields";
import { readField, useForm } from "@/app/forms/use-form";
import { authCall, authClient } from "@/lib/client/auth-client";
import { describeAuthError } from "@/lib/client/auth-errors";
import { MIN_PASSWORD_LENGTH } from "@/lib/shared/limits";

export function ResetPasswordForm({ token, linkError }: { token: string | null; linkError: string | null }) {
  const router = useRouter();
  const titleId = useId();
  const { alert, alertRef, begin, busy, errors, fail, failWith, formRef } = useForm();
  const broken = !token || linkError ? describeAuthError({ status: 400, code: linkError ?? "INVALID_TOKEN" }) : null;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!token) return;
    const newPassword = readField(event.currentTarget, "newPassword", { trim: false });
    if (newPassword.length < MIN_PASSWORD_LENGTH) {
      return fail({ fields: { newPassword: `Password is too weak: use at least ${MIN_PASSWORD_LENGTH} characters.` } });
    }
    begin();
    const { error } = await authCall(authClient.resetPassword({ newPassword, token }));
    if (error) return failWith(error);
    router.replace("/auth/login?notice=password-reset");
  }

  return (
    <main className="auth-page">
      <form ref={formRef} className="card auth-card" onSubmit={onSubmit} noValidate aria-labelledby={titleId}>
        <h1 id={titleId}>Choose a new password</h1>
        <FormAlert ref={alertRef} message={broken ?? alert} />
        {broken ? (
          <p className="switch">
            <Link href="/auth/forgot-password">Ask for a new link</Link>
          </p>
        ) : (
          <>
            <PasswordField
              label="New password"
              name="newPassword"
              autoComplete="new-password"
              hint={`At least ${MIN_PASSWORD_LENGTH} characters. You will be signed out everywhere.`}
              required
              error={errors.newPassword}
            />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Saving…" : "Set new password"}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
