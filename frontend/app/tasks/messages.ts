import { ApiError, NetworkError } from "@/lib/client/api";

/** What a person should read when a backend call fails. */
export function describeFailure(error: unknown): string {
  if (error instanceof NetworkError) return "Could not reach the server. Check that the backend is running, then retry.";
  if (error instanceof ApiError) return error.message;
  return "Something went wrong. Please try again.";
}
