import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/server/auth";
import { getApiUrl } from "@/lib/server/config";
import { withNext } from "@/lib/shared/safe-redirect";
import { AccountApp } from "./account-app";

export const metadata: Metadata = { title: "Account · Todo" };

export default async function AccountPage() {
  const user = await getSessionUser(await headers());
  if (!user) redirect(withNext("/auth/login", "/account"));
  // The backend URL is read at request time, as the tasks page reads it.
  return <AccountApp user={{ name: user.name, email: user.email, twoFactorEnabled: Boolean(user.twoFactorEnabled) }} apiUrl={getApiUrl()} />;
}
