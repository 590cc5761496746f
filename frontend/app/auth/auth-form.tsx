"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { Field, FormAlert, FormNotice, PasswordField } from "@/app/forms/fields";
import { hasErrors, readField, useForm, type FieldErrors } from "@/app/forms/use-form";
import { authCall, authClient } from "@/lib/client/auth-client";
import { weakPassword } from "@/lib/client/auth-errors";
import { MIN_PASSWORD_LENGTH } from "@/lib/shared/limits";
import { withNext } from "@/lib/shared/safe-redirect";

type Mode = "login" | "signup";

const COPY = {
  login: { title: "Log in", submit: "Log in", busy: "Logging in…", switchText: "No account yet?", switchLabel: "Sign up", switchPath: "/auth/signup" },
  signup: { title: "Create your account", submit: "Sign up", busy: "Signing up…", switchText: "Already have an account?", switchLabel: "Log in", switchPath: "/auth/login" },
} as const;

export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

function validate(mode: Mode, name: string, email: string, password: string): FieldErrors {
  const errors: FieldErrors = {};
  if (mode === "signup" && !name) errors.name = "Enter your name.";
  if (!EMAIL_PATTERN.test(email)) errors.email = "Enter a valid email address.";
  if (!password) errors.password = "Enter your password.";
  else if (mode === "signup") errors.password = weakPassword(password);
  return errors;
}

/** Sign-up and log-in share one form; `mode` picks the fields, copy and endpoint. */
interface AuthFormProps {
  mode: Mode;
  next: string;
  /** What brought the user here: good news, or a confirmation link that did not work. */
  arrivalNotice: string | null;
  arrivalAlert: string | null;
}

export function AuthForm({ mode, next, arrivalNotice, arrivalAlert }: AuthFormProps) {
  const router = useRouter();
  const copy = COPY[mode];
  const titleId = useId();
  const { alert, alertRef, begin, busy, errors, fail, failWith, formRef, notice, succeed } = useForm();
  // An address that must be confirmed before signing in: the form offers to send the link again.
  const [unverified, setUnverified] = useState<string | null>(null);
  // The confirmation link signs the user in and lands here, which forwards to `next`; a link
  // that did not work lands here too, with ?error=.
  const afterConfirming = withNext("/auth/login", next);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = readField(event.currentTarget, "name");
    const email = readField(event.currentTarget, "email");
    const password = readField(event.currentTarget, "password", { trim: false });
    const invalid = validate(mode, name, email, password);
    if (hasErrors(invalid)) return fail({ fields: invalid });

    begin();
    setUnverified(null);
    if (mode === "signup") {
      const { error } = await authCall(authClient.signUp.email({ name, email, password, callbackURL: afterConfirming }));
      if (error) return failWith(error);
      // The same answer whether the address is new (a confirmation link, which signs the new
      // account in) or already has an account (its owner is told): the page cannot tell which.
      return succeed(`Check your email: open the link we sent to ${email} to continue.`);
    } else {
      const { data, error } = await authCall(authClient.signIn.email({ email, password, callbackURL: afterConfirming }));
      if (error?.code === "EMAIL_NOT_VERIFIED") setUnverified(email);
      if (error) return failWith(error);
      if (data && "twoFactorRedirect" in data && data.twoFactorRedirect) {
        router.push(withNext("/auth/two-factor", next));
        return;
      }
    }
    router.replace(next);
    router.refresh();
  }

  async function resend() {
    if (!unverified) return;
    begin();
    const { error } = await authCall(authClient.sendVerificationEmail({ email: unverified, callbackURL: afterConfirming }));
    if (error) return failWith(error);
    succeed(`We sent a new link to ${unverified}.`);
  }

  return (
    <main className="auth-page">
      <form ref={formRef} className="card auth-card" onSubmit={onSubmit} noValidate aria-labelledby={titleId}>
        <h1 id={titleId}>{copy.title}</h1>
        <FormNotice message={notice ?? arrivalNotice} />
        <FormAlert ref={alertRef} message={alert ?? (busy || notice ? null : arrivalAlert)} />
        {unverified && (
          <button type="button" className="link" onClick={resend} disabled={busy}>
            Resend the confirmation link
          </button>
        )}
        {mode === "signup" && (
          <Field label="Name" name="name" type="text" autoComplete="name" maxLength={100} required error={errors.name} />
        )}
        <Field label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />
        <PasswordField
          label="Password"
          name="password"
          autoComplete={mode === "signup" ? "new-password" : "current-password"}
          hint={mode === "signup" ? `At least ${MIN_PASSWORD_LENGTH} characters.` : undefined}
          required
          error={errors.password}
        />
        {mode === "login" && (
          <p className="aside">
            <Link href="/auth/forgot-password">Forgot your password?</Link>
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? copy.busy : copy.submit}
        </button>
        <p className="switch">
          {copy.switchText} <Link href={withNext(copy.switchPath, next)}>{copy.switchLabel}</Link>
        </p>
      </form>
    </main>
  );
}
