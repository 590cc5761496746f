import { MIN_PASSWORD_LENGTH } from "../shared/limits";

/** The part of the Better-Auth client's `error` object the messages use. */
export interface AuthFailure {
  /** HTTP status; 0 when the request got no answer. */
  status: number;
  code?: string;
  message?: string;
}

const MESSAGES: Record<string, string> = {
  INVALID_EMAIL_OR_PASSWORD: "Wrong email or password.",
  USER_ALREADY_EXISTS: "An account with this email already exists. Log in instead.",
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: "An account with this email already exists. Log in instead.",
  PASSWORD_TOO_SHORT: `Password is too weak: use at least ${MIN_PASSWORD_LENGTH} characters.`,
  PASSWORD_TOO_LONG: "Password is too long.",
  INVALID_EMAIL: "Enter a valid email address.",
  // The page was opened on an origin other than BETTER_AUTH_URL (e.g. 127.0.0.1 vs localhost).
  INVALID_ORIGIN: "Sign-in is not allowed from this address. Open the app at its configured URL.",
};

/** A sentence for the form from whatever Better-Auth answered; never a stack trace. */
export function describeAuthError(failure: AuthFailure): string {
  if (failure.code && MESSAGES[failure.code]) return MESSAGES[failure.code];
  if (failure.status === 429) return "Too many attempts. Wait a few seconds and try again.";
  if (!failure.status) return "Could not reach the server. Check your connection and try again.";
  if (failure.status >= 500) return "Something went wrong on our side. Please try again.";
  return failure.message || "That did not work. Please try again.";
}
