import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/server/auth";
import { safeNextPath } from "@/lib/shared/safe-redirect";
import { AuthForm } from "./auth-form";

type Query = Record<string, string | string[] | undefined>;

export interface AuthPageProps {
  searchParams: Promise<Query>;
}

// What brought the user here (?notice=…), said on the login page.
const NOTICES: Record<string, string> = {
  "signed-out": "You have been signed out.",
  "password-reset": "Your password has been changed and you were signed out everywhere. Log in with the new password.",
  deleted: "Your account and all its tasks have been deleted.",
};

// A confirmation link that did not work comes back here with ?error=<code>; signing in sends a new one.
const LINK_ERRORS: Record<string, string> = {
  INVALID_TOKEN: "This confirmation link is invalid or was already used.",
  TOKEN_EXPIRED: "This confirmation link has expired.",
};

function linkError(code: string | undefined): string | null {
  if (!code) return null;
  return `${LINK_ERRORS[code] ?? "This confirmation link did not work."} Log in and we will send you a new one.`;
}

export function firstValue(query: Query, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Server half of both auth pages: validates `next` and skips the form when already signed in. */
export async function renderAuthPage(mode: "login" | "signup", { searchParams }: AuthPageProps) {
  const query = await searchParams;
  const next = safeNextPath(firstValue(query, "next"));
  if (await getSessionUser(await headers())) redirect(next);
  const notice = NOTICES[firstValue(query, "notice") ?? ""] ?? null;
  return <AuthForm mode={mode} next={next} arrivalNotice={notice} arrivalAlert={linkError(firstValue(query, "error"))} />;
}
