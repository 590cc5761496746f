"use client";

import QRCode from "qrcode";
import { useState, type FormEvent } from "react";
import { Field, FormAlert, FormNotice, PasswordField } from "@/app/forms/fields";
import { readField, useForm } from "@/app/forms/use-form";
import { authCall, authClient } from "@/lib/client/auth-client";
import { AccountSection } from "./account-section";

interface Enrolment {
  qrCode: string;
  secret: string;
  backupCodes: string[];
}

/** The key an authenticator app would read from the QR code, for typing in by hand. */
function secretOf(totpUri: string): string {
  return new URL(totpUri).searchParams.get("secret") ?? "";
}

/**
 * Two-factor authentication with an authenticator app (TOTP). Turning it on takes the
 * password, shows the QR code, the key and the backup codes, and is done once a code from
 * the app checks out; turning it off takes the password.
 */
export function TwoFactorSettings({ enabled }: { enabled: boolean }) {
  const { alert, alertRef, begin, busy, errors, fail, failWith, formRef, notice, succeed } = useForm();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);

  async function submitPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const password = readField(target, "password", { trim: false });
    if (!password) return fail({ fields: { password: "Enter your password." } });
    begin();
    if (enabled) {
      const { error } = await authCall(authClient.twoFactor.disable({ password }));
      if (error) return failWith(error);
      target.reset();
      return succeed("Two-factor authentication is off.");
    }
    const { data, error } = await authCall(authClient.twoFactor.enable({ password }));
    if (error || !data || !("totpURI" in data)) return failWith(error ?? { status: 500 });
    const qrCode = await QRCode.toDataURL(data.totpURI, { margin: 1, width: 200 });
    setEnrolment({ qrCode, secret: secretOf(data.totpURI), backupCodes: data.backupCodes });
    succeed(null);
  }

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = readField(event.currentTarget, "code").replace(/\s+/g, "");
    if (!/^\d{6}$/.test(code)) return fail({ fields: { code: "Enter the 6-digit code from your app." } });
    begin();
    const { error } = await authCall(authClient.twoFactor.verifyTotp({ code }));
    if (error) return failWith(error);
    setEnrolment(null);
    succeed("Two-factor authentication is on. Keep your backup codes somewhere safe.");
  }

  return (
    <AccountSection title="Two-factor authentication">
      <p className="muted">
        {enabled ? "On: signing in asks for a code from your authenticator app." : "Off: add a code from an authenticator app to signing in."}
      </p>
      <FormNotice message={notice} />
      {enrolment ? (
        <form ref={formRef} onSubmit={confirm} noValidate>
          <FormAlert ref={alertRef} message={alert} />
          <p>Scan this QR code with your authenticator app, or type in the key.</p>
          {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL, nothing to optimise */}
          <img src={enrolment.qrCode} width={200} height={200} alt="QR code for your authenticator app" />
          <p>
            Key: <code data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <p>Backup codes (each works once, if you lose your phone):</p>
          <ul className="backup-codes" aria-label="Backup codes">
            {enrolment.backupCodes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
          <Field label="Code from your app" name="code" type="text" inputMode="numeric" autoComplete="one-time-code" required error={errors.code} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Checking…" : "Turn on two-factor"}
          </button>
        </form>
      ) : (
        <form ref={formRef} onSubmit={submitPassword} noValidate>
          <FormAlert ref={alertRef} message={alert} />
          <PasswordField
            label={enabled ? "Password to turn off two-factor" : "Password to set up two-factor"}
            name="password"
            autoComplete="current-password"
            required
            error={errors.password}
          />
          <button type="submit" disabled={busy}>
            {enabled ? "Turn off two-factor" : "Set up two-factor"}
          </button>
        </form>
      )}
    </AccountSection>
  );
}
