import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/server/auth";
import { safeNextPath } from "@/lib/shared/safe-redirect";
import { firstValue, type AuthPageProps } from "../auth-page";
import { TwoFactorForm } from "./two-factor-form";

export const metadata: Metadata = { title: "Two-factor code · Todo" };

/** The second step of signing in, for accounts with two-factor authentication on. */
export default async function TwoFactorPage({ searchParams }: AuthPageProps) {
  const next = safeNextPath(firstValue(await searchParams, "next"));
  if (await getSessionUser(await headers())) redirect(next);
  return <TwoFactorForm next={next} />;
}
