"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, type FormEvent } from "react";
import { FormAlert, NewPasswordField } from "@/app/forms/fields";
import { readField, useForm } from "@/app/forms/use-form";
import { authCall, authClient } from "@/lib/client/auth-client";
import { describeAuthError, weakPassword } from "@/lib/client/auth-errors";

export function ResetPasswordForm({ token, linkError }: { token: string | null; linkError: string | null }) {
  const router = useRouter();
  const titleId = useId();
  const { alert, alertRef, begin, busy, errors, fail, failWith, formRef } = useForm();
  const broken = !token || linkError ? describeAuthError({ status: 400, code: linkError ?? "INVALID_TOKEN" }) : null;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!token) return;
    const newPassword = readField(event.currentTarget, "newPassword", { trim: false });
    const weak = weakPassword(newPassword);
    if (weak) return fail({ fields: { newPassword: weak } });
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
            <NewPasswordField effect="You will be signed out everywhere." error={errors.newPassword} />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Saving…" : "Set new password"}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
