"use client";

import type { FormEvent } from "react";
import { Field, FormAlert, FormNotice } from "@/app/forms/fields";
import { readField, useForm } from "@/app/forms/use-form";
import { authCall, authClient } from "@/lib/client/auth-client";
import { AccountSection } from "./account-section";

export function ProfileForm({ name, email }: { name: string; email: string }) {
  const { alert, alertRef, begin, busy, errors, fail, failWith, formRef, notice, succeed } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const newName = readField(event.currentTarget, "name");
    if (!newName) return fail({ fields: { name: "Enter your name." } });
    begin();
    const { error } = await authCall(authClient.updateUser({ name: newName }));
    if (error) return failWith(error);
    succeed("Your name has been saved.");
  }

  return (
    <AccountSection title="Profile">
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        <FormNotice message={notice} />
        <FormAlert ref={alertRef} message={alert} />
        <Field label="Name" name="name" type="text" autoComplete="name" maxLength={100} defaultValue={name} required error={errors.name} />
        <p className="muted">Email: {email}</p>
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save name"}
        </button>
      </form>
    </AccountSection>
  );
}
