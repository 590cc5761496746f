import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/server/auth";
import { getApiUrl } from "@/lib/server/config";
import { withNext } from "@/lib/shared/safe-redirect";
import { TasksApp } from "./tasks-app";

export const metadata: Metadata = { title: "Tasks · Todo" };

type SearchParams = Record<string, string | string[] | undefined>;

/** The request's search parameters as the browser's `location.search` reads them. */
function searchOf(params: SearchParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) search.append(key, item);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export default async function TasksPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const search = searchOf(await searchParams);
  const user = await getSessionUser(await headers());
  // The filters survive the trip through the login page.
  if (!user) redirect(withNext("/auth/login", `/tasks${search}`));
  // The backend URL is read here, at request time, so one build serves any backend.
  return <TasksApp user={{ id: user.id, name: user.name, email: user.email }} apiUrl={getApiUrl()} search={search} />;
}
