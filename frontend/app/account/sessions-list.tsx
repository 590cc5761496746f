"use client";

import { useEffect, useState } from "react";
import { FormAlert, FormNotice } from "@/app/forms/fields";
import { authCall, authClient } from "@/lib/client/auth-client";
import { describeAuthError } from "@/lib/client/auth-errors";
import { describeIp, describeUserAgent } from "@/lib/client/session-labels";
import { AccountSection } from "./account-section";

interface SessionRow {
  id: string;
  token: string;
  userAgent?: string | null;
  ipAddress?: string | null;
  updatedAt: Date | string;
}

const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Where the user is signed in, with a way out for each place but this one, or all of them at once. */
export function SessionsList({ version, currentSessionId }: { version: number; currentSessionId: string | null }) {
  const [sessions, setSessions] = useState<SessionRow[] | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let current = true;
    void authCall(authClient.listSessions()).then(({ data, error }) => {
      if (!current) return;
      if (error) return setAlert(`Could not load your sessions. ${describeAuthError(error)}`);
      setSessions([...(data ?? [])].sort((a, b) => +new Date(b.updatedAt) - +new Date(a.updatedAt)));
    });
    return () => {
      current = false;
    };
  }, [version, reload, currentSessionId]);

  async function revoke(call: Promise<{ data: unknown; error: { status: number } | null }>, done: string) {
    setBusy(true);
    setAlert(null);
    const { error } = await authCall(call);
    setBusy(false);
    if (error) return setAlert(describeAuthError(error));
    setNotice(done);
    setReload((n) => n + 1);
  }

  const others = sessions?.filter((s) => s.id !== currentSessionId) ?? [];
  return (
    <AccountSection title="Where you are signed in">
      <FormNotice message={notice} />
      <FormAlert message={alert} />
      {sessions === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="sessions" aria-label="Sessions">
          {sessions.map((s) => {
            const device = describeUserAgent(s.userAgent);
            const mine = s.id === currentSessionId;
            return (
              <li key={s.id} className="session" data-current={mine || undefined}>
                <div>
                  <strong>{device}</strong> {mine && <span className="badge">This device</span>}
                  <p className="muted">
                    IP {describeIp(s.ipAddress)} · last active {WHEN.format(new Date(s.updatedAt))}
                  </p>
                </div>
                {!mine && (
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Sign out ${device}, IP ${describeIp(s.ipAddress)}`}
                    onClick={() => revoke(authClient.revokeSession({ token: s.token }), `Signed out ${device}.`)}
                  >
                    Sign out
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {others.length > 0 && (
        <button type="button" disabled={busy} onClick={() => revoke(authClient.revokeOtherSessions(), "Signed out everywhere else.")}>
          Sign out everywhere else
        </button>
      )}
    </AccountSection>
  );
}
