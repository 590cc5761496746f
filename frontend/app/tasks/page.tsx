import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/server/auth";
import { getApiUrl } from "@/lib/server/config";
import { withNext } from "@/lib/shared/safe-redirect";
import { TasksApp } from "./tasks-app";

export const metadata: Metadata = { title: "Tasks · Todo" };

export default async function TasksPage() {
  const user = await getSessionUser(await headers());
  if (!user) redirect(withNext("/auth/login", "/tasks"));
  // The backend URL is read here, at request time, so one build serves any backend.
  return <TasksApp user={{ name: user.name, email: user.email }} apiUrl={getApiUrl()} />;
}
