"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { Field, FormAlert } from "@/app/forms/fields";
import { readField, useForm } from "@/app/forms/use-form";
import { authCall, authClient } from "@/lib/client/auth-client";
import { withNext } from "@/lib/shared/safe-redirect";

export function TwoFactorForm({ next }: { next: string }) {
  const router = useRouter();
  const titleId = useId();
  const { alert, alertRef, begin, busy, errors, fail, failWith, formRef } = useForm();
  const [backup, setBackup] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = readField(event.currentTarget, "code").replace(/\s+/g, "");
    if (!code) return fail({ fields: { code: backup ? "Enter one of your backup codes." : "Enter the 6-digit code from your app." } });
    begin();
    const { error } = await authCall(
      backup ? authClient.twoFactor.verifyBackupCode({ code }) : authClient.twoFactor.verifyTotp({ code }),
    );
    if (error) return failWith(error);
    router.replace(next);
    router.refresh();
  }

  return (
    <main className="auth-page">
      <form ref={formRef} className="card auth-card" onSubmit={onSubmit} noValidate aria-labelledby={titleId}>
        <h1 id={titleId}>Two-factor authentication</h1>
        <p className="muted">
          {backup ? "Enter one of the backup codes you saved. Each works once." : "Enter the 6-digit code your authenticator app shows for Todo."}
        </p>
        <FormAlert ref={alertRef} message={alert} />
        <Field
          key={backup ? "backup" : "totp"}
          label={backup ? "Backup code" : "Authentication code"}
          name="code"
          type="text"
          inputMode={backup ? "text" : "numeric"}
          autoComplete="one-time-code"
          autoFocus
          required
          error={errors.code}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Checking…" : "Verify"}
        </button>
        <button type="button" className="link" onClick={() => setBackup((b) => !b)}>
          {backup ? "Use a code from your app instead" : "Use a backup code instead"}
        </button>
        <p className="switch">
          <Link href={withNext("/auth/login", next)}>Back to log in</Link>
        </p>
      </form>
    </main>
  );
}
