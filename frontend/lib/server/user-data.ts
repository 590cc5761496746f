import "server-only";
import { APIError } from "better-auth/api";
import { signAccessToken } from "./token";

interface BackendAccess {
  apiUrl: string;
  authSecret: string;
  tokenTtlSeconds: number;
  tokenAudience: string;
}

// The backend answers in milliseconds; past this, deleting the account is refused rather than left hanging.
const BACKEND_TIMEOUT_MS = 10_000;

/** The error the account page shows when the tasks could not be deleted (nothing else is, then). */
export const BACKEND_UNAVAILABLE = "BACKEND_UNAVAILABLE";

/**
 * Deletes everything the user owns on the backend (`DELETE /me`), as that
 * user: a bridged token is minted for them, exactly as the token route does.
 * Runs before Better-Auth deletes the account, so a failure here throws and
 * leaves the account in place; the backend itself never reads our tables.
 */
export async function deleteUserData(userId: string, access: BackendAccess): Promise<void> {
  const { token } = await signAccessToken(userId, {
    secret: access.authSecret,
    ttlSeconds: access.tokenTtlSeconds,
    audience: access.tokenAudience,
  });
  let status: number;
  try {
    const response = await fetch(`${access.apiUrl}/me`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(BACKEND_TIMEOUT_MS),
      cache: "no-store",
    });
    status = response.status;
  } catch (error) {
    console.error(`[todo] account deletion stopped: the backend at ${access.apiUrl} did not answer (${error instanceof Error ? error.name : "error"})`);
    status = 0;
  }
  if (status === 204) return;
  if (status !== 0) console.error(`[todo] account deletion stopped: DELETE /me answered ${status}`);
  throw new APIError("SERVICE_UNAVAILABLE", {
    code: BACKEND_UNAVAILABLE,
    message: "Your tasks could not be deleted because the task server is unavailable. Nothing was deleted.",
  });
}
