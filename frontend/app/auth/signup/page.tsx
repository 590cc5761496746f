import type { Metadata } from "next";
import { renderAuthPage, type AuthPageProps } from "../auth-page";

export const metadata: Metadata = { title: "Sign up · Todo" };

export default function SignupPage(props: AuthPageProps) {
  return renderAuthPage("signup", props);
}
