"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useRef, useState, type FormEvent } from "react";
import { authClient, authFailure } from "@/lib/client/auth-client";
import { describeAuthError } from "@/lib/client/auth-errors";
import { MIN_PASSWORD_LENGTH } from "@/lib/shared/limits";
import { withNext } from "@/lib/shared/safe-redirect";

type Mode = "login" | "signup";

const COPY = {
  login: { title: "Log in", submit: "Log in", busy: "Logging in…", switchText: "No account yet?", switchLabel: "Sign up", switchPath: "/auth/signup" },
  signup: { title: "Create your account", submit: "Sign up", busy: "Signing up…", switchText: "Already have an account?", switchLabel: "Log in", switchPath: "/auth/login" },
} as const;

function validate(mode: Mode, name: string, email: string, password: string): string | null {
  if (mode === "signup" && !name.trim()) return "Enter your name.";
  if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) return "Enter a valid email address.";
  if (!password) return "Enter your password.";
  if (mode === "signup" && password.length < MIN_PASSWORD_LENGTH) {
    return `Password is too weak: use at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  return null;
}

/** Sign-up and log-in share one form; `mode` picks the fields, copy and endpoint. */
export function AuthForm({ mode, next }: { mode: Mode; next: string }) {
  const router = useRouter();
  const copy = COPY[mode];
  const ids = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);

  function fail(message: string) {
    setError(message);
    setBusy(false);
    // Move focus so screen-reader and keyboard users land on the problem.
    requestAnimationFrame(() => errorRef.current?.focus());
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = String(data.get("name") ?? "");
    const email = String(data.get("email") ?? "").trim();
    const password = String(data.get("password") ?? "");
    const invalid = validate(mode, name, email, password);
    if (invalid) return fail(invalid);

    setBusy(true);
    setError(null);
    const failure = await authFailure(
      mode === "signup"
        ? authClient.signUp.email({ name: name.trim(), email, password })
        : authClient.signIn.email({ email, password }),
    );
    if (failure) return fail(describeAuthError(failure));
    router.replace(next);
    router.refresh();
  }

  const passwordHintId = `${ids}-password-hint`;
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={onSubmit} noValidate aria-labelledby={`${ids}-title`}>
        <h1 id={`${ids}-title`}>{copy.title}</h1>
        {error && (
          <div role="alert" className="alert" ref={errorRef} tabIndex={-1}>
            {error}
          </div>
        )}
        {mode === "signup" && (
          <div className="field">
            <label htmlFor={`${ids}-name`}>Name</label>
            <input id={`${ids}-name`} name="name" type="text" autoComplete="name" maxLength={100} required />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${ids}-email`}>Email</label>
          <input id={`${ids}-email`} name="email" type="email" autoComplete="email" required />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-password`}>Password</label>
          <input
            id={`${ids}-password`}
            name="password"
            type="password"
            autoComplete={mode === "signup" ? "new-password" : "current-password"}
            aria-describedby={mode === "signup" ? passwordHintId : undefined}
            required
          />
          {mode === "signup" && (
            <p id={passwordHintId} className="hint">
              At least {MIN_PASSWORD_LENGTH} characters.
            </p>
          )}
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? copy.busy : copy.submit}
        </button>
        <p className="switch">
          {copy.switchText}{" "}
          <Link href={withNext(copy.switchPath, next)}>
            {copy.switchLabel}
          </Link>
        </p>
      </form>
    </main>
  );
}
