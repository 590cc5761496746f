import type { Metadata } from "next";
import { firstValue, type AuthPageProps } from "../auth-page";
import { ResetPasswordForm } from "./reset-password-form";

export const metadata: Metadata = { title: "Choose a new password · Todo" };

/** The reset link lands here through Better-Auth, with `?token=…`, or `?error=INVALID_TOKEN` when it is no good. */
export default async function ResetPasswordPage({ searchParams }: AuthPageProps) {
  const query = await searchParams;
  return <ResetPasswordForm token={firstValue(query, "token") ?? null} linkError={firstValue(query, "error") ?? null} />;
}
