import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/server/auth";
import { safeNextPath } from "@/lib/shared/safe-redirect";
import { AuthForm } from "./auth-form";

export interface AuthPageProps {
  searchParams: Promise<{ next?: string | string[] }>;
}

/** Server half of both auth pages: validates `next` and skips the form when already signed in. */
export async function renderAuthPage(mode: "login" | "signup", { searchParams }: AuthPageProps) {
  const raw = (await searchParams).next;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if (await getSessionUser(await headers())) redirect(next);
  return <AuthForm mode={mode} next={next} />;
}
