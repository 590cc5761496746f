"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { authClient, authFailure } from "@/lib/client/auth-client";
import { DeleteAccountForm } from "./delete-account-form";
import { PasswordForm } from "./password-form";
import { ProfileForm } from "./profile-form";
import { SessionsList } from "./sessions-list";
import { TwoFactorSettings } from "./two-factor-settings";
import { YourData } from "./your-data";

export interface AccountUser {
  name: string;
  email: string;
  twoFactorEnabled: boolean;
}

/** The account page: each section is a form of its own, talking to Better-Auth directly. */
export function AccountApp({ user, apiUrl }: { user: AccountUser; apiUrl: string }) {
  const router = useRouter();
  const session = authClient.useSession();
  const current = session.data?.user;
  // Bumped when a change (a new password) signs other sessions out, so the list reloads.
  const [sessionsVersion, setSessionsVersion] = useState(0);
  const [signingOut, setSigningOut] = useState(false);

  async function signOut() {
    setSigningOut(true);
    if (await authFailure(authClient.signOut())) return setSigningOut(false);
    router.replace("/auth/login?notice=signed-out");
    router.refresh();
  }

  return (
    <div className="app">
      <header className="topbar">
        <h1>Account</h1>
        <nav className="user" aria-label="Account">
          <Link href="/tasks">Tasks</Link>
          <span className="user-email">{current?.email ?? user.email}</span>
          <button type="button" onClick={signOut} disabled={signingOut}>
            {signingOut ? "Signing out…" : "Sign out"}
          </button>
        </nav>
      </header>
      <main className="content account">
        <ProfileForm name={current?.name ?? user.name} email={user.email} />
        <PasswordForm onOthersSignedOut={() => setSessionsVersion((v) => v + 1)} />
        <SessionsList version={sessionsVersion} currentSessionId={session.data?.session.id ?? null} />
        <TwoFactorSettings enabled={Boolean(current?.twoFactorEnabled ?? user.twoFactorEnabled)} />
        <YourData apiUrl={apiUrl} />
        <DeleteAccountForm />
      </main>
    </div>
  );
}
