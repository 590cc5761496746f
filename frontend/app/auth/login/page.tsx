import type { Metadata } from "next";
import { renderAuthPage, type AuthPageProps } from "../auth-page";

export const metadata: Metadata = { title: "Log in · Todo" };

export default function LoginPage(props: AuthPageProps) {
  return renderAuthPage("login", props);
}
