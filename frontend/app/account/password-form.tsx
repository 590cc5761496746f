"use client";

import type { FormEvent } from "react";
import { FormAlert, FormNotice, NewPasswordField, PasswordField } from "@/app/forms/fields";
import { hasErrors, readField, useForm, type FieldErrors } from "@/app/forms/use-form";
import { authCall, authClient } from "@/lib/client/auth-client";
import { weakPassword } from "@/lib/client/auth-errors";
import { AccountSection } from "./account-section";

/** Changing the password takes the current one and signs every other session out. */
export function PasswordForm({ onOthersSignedOut }: { onOthersSignedOut: () => void }) {
  const { alert, alertRef, begin, busy, errors, fail, failWith, formRef, notice, succeed } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const currentPassword = readField(target, "password", { trim: false });
    const newPassword = readField(target, "newPassword", { trim: false });
    const invalid: FieldErrors = {};
    if (!currentPassword) invalid.password = "Enter your current password.";
    const weak = weakPassword(newPassword);
    if (weak) invalid.newPassword = weak;
    if (hasErrors(invalid)) return fail({ fields: invalid });
    begin();
    const { error } = await authCall(authClient.changePassword({ currentPassword, newPassword, revokeOtherSessions: true }));
    if (error) return failWith(error);
    target.reset();
    succeed("Your password has been changed. Your other sessions were signed out.");
    onOthersSignedOut();
  }

  return (
    <AccountSection title="Password">
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        <FormNotice message={notice} />
        <FormAlert ref={alertRef} message={alert} />
        <PasswordField label="Current password" name="password" autoComplete="current-password" required error={errors.password} />
        <NewPasswordField effect="Other devices will be signed out." error={errors.newPassword} />
        <button type="submit" disabled={busy}>
          {busy ? "Changing…" : "Change password"}
        </button>
      </form>
    </AccountSection>
  );
}
