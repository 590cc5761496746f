"use client";

import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { Field, FormAlert, PasswordField } from "@/app/forms/fields";
import { hasErrors, readField, useForm, type FieldErrors } from "@/app/forms/use-form";
import { authCall, authClient } from "@/lib/client/auth-client";
import { AccountSection } from "./account-section";

const CONFIRMATION = "DELETE";

/**
 * Deletes the account and all its tasks: the server deletes the tasks first and the
 * account only after that worked, so a failure leaves everything in place.
 */
export function DeleteAccountForm() {
  const router = useRouter();
  const { alert, alertRef, begin, busy, errors, fail, failWith, formRef } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = readField(event.currentTarget, "password", { trim: false });
    const confirmation = readField(event.currentTarget, "confirmation");
    const invalid: FieldErrors = {};
    if (!password) invalid.password = "Enter your password.";
    if (confirmation !== CONFIRMATION) invalid.confirmation = `Type ${CONFIRMATION} to confirm.`;
    if (hasErrors(invalid)) return fail({ fields: invalid });
    begin();
    const { error } = await authCall(authClient.deleteUser({ password }));
    if (error) return failWith(error);
    router.replace("/auth/login?notice=deleted");
    router.refresh();
  }

  return (
    <AccountSection title="Delete account" className="danger-zone">
      <p>This deletes your account and every task in it, for good.</p>
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        <FormAlert ref={alertRef} message={alert} />
        <PasswordField label="Your password" name="password" autoComplete="current-password" required error={errors.password} />
        <Field
          label={`Type ${CONFIRMATION} to confirm`}
          name="confirmation"
          type="text"
          autoComplete="off"
          spellCheck={false}
          required
          error={errors.confirmation}
        />
        <button type="submit" className="danger" disabled={busy}>
          {busy ? "Deleting…" : "Delete my account"}
        </button>
      </form>
    </AccountSection>
  );
}
