import { MIN_PASSWORD_LENGTH } from "../shared/limits";

/** The part of the Better-Auth client's `error` object the messages use. */
export interface AuthFailure {
  /** HTTP status; 0 when the request got no answer. */
  status: number;
  code?: string;
  message?: string;
}

/** The form field a message belongs to (the input's `name`); none: the whole form. */
export type AuthField = "name" | "email" | "password" | "newPassword" | "code";

export interface AuthMessage {
  text: string;
  field?: AuthField;
}

export const WEAK_PASSWORD = `Password is too weak: use at least ${MIN_PASSWORD_LENGTH} characters.`;

/** The form's own check of a new password, before asking the server: its problem, or undefined. */
export function weakPassword(password: string): string | undefined {
  return password.length < MIN_PASSWORD_LENGTH ? WEAK_PASSWORD : undefined;
}
const LOG_IN_AGAIN = "For your safety, log in again before doing this.";
const ACCOUNT_EXISTS = "An account with this email already exists. Log in instead.";
const TWO_FACTOR_OFF = "Two-factor authentication is not on.";
// The page was opened on an origin other than BETTER_AUTH_URL (e.g. 127.0.0.1 vs localhost).
const OTHER_ORIGIN = "This is not allowed from this address. Open the app at its configured URL.";

/** Codes' messages, each tied to `field` (null: to the whole form). */
function about(field: AuthField | null, texts: Record<string, string>): Record<string, AuthMessage> {
  return Object.fromEntries(Object.entries(texts).map(([code, text]) => [code, field ? { text, field } : { text }]));
}

// Better-Auth's codes (and ours: PASSWORD_REQUIRED, BACKEND_UNAVAILABLE) in plain words, by the
// field each is about. A password field named `password` is the one the user signs in with (the
// current one).
const MESSAGES: Record<string, AuthMessage> = {
  ...about("email", {
    USER_ALREADY_EXISTS: ACCOUNT_EXISTS,
    USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: ACCOUNT_EXISTS,
    INVALID_EMAIL: "Enter a valid email address.",
  }),
  ...about("password", {
    INVALID_PASSWORD: "Wrong password.",
    PASSWORD_REQUIRED: "Enter your password.",
  }),
  ...about("newPassword", {
    PASSWORD_TOO_SHORT: WEAK_PASSWORD,
    PASSWORD_TOO_LONG: "Password is too long.",
  }),
  ...about("code", {
    INVALID_CODE: "That code is not right. Enter the current code from your app.",
    INVALID_BACKUP_CODE: "That backup code is not right, or was already used.",
  }),
  ...about(null, {
    INVALID_EMAIL_OR_PASSWORD: "Wrong email or password.",
    TOO_MANY_FAILED_SIGN_INS: "Too many failed sign-ins for this account. Wait a few minutes and try again, or reset your password.",
    CREDENTIAL_ACCOUNT_NOT_FOUND: "This account has no password to check.",
    EMAIL_NOT_VERIFIED: "Confirm your email address first: open the link we emailed you.",
    EMAIL_ALREADY_VERIFIED: "Your email address is already confirmed. Log in.",
    INVALID_TOKEN: "This link is invalid or was already used. Ask for a new one.",
    TOKEN_EXPIRED: "This link has expired. Ask for a new one.",
    SESSION_EXPIRED: LOG_IN_AGAIN,
    SESSION_NOT_FRESH: LOG_IN_AGAIN,
    USER_NOT_FOUND: "This account no longer exists.",
    INVALID_TWO_FACTOR_COOKIE: "Your sign-in took too long. Log in again.",
    TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE: "Too many wrong codes. Log in again.",
    ACCOUNT_TEMPORARILY_LOCKED: "Too many wrong codes: your account is locked for a while. Try again later.",
    TOTP_ALREADY_ENABLED: "Two-factor authentication is already on.",
    TWO_FACTOR_NOT_ENABLED: TWO_FACTOR_OFF,
    TOTP_NOT_ENABLED: TWO_FACTOR_OFF,
    BACKEND_UNAVAILABLE: "Your tasks could not be deleted because the task server is unavailable, so nothing was deleted. Try again later.",
    INVALID_ORIGIN: OTHER_ORIGIN,
    MISSING_OR_NULL_ORIGIN: OTHER_ORIGIN,
  }),
};

// A request body Better-Auth's schema refused: "[body.email] Invalid email address".
const INVALID_FIELD = /^\[body\.(\w+)\]/;
const FIELD_MESSAGES: Record<string, AuthMessage> = {
  email: { text: "Enter a valid email address.", field: "email" },
  name: { text: "Enter your name.", field: "name" },
  password: { text: "Enter your password.", field: "password" },
  newPassword: { text: WEAK_PASSWORD, field: "newPassword" },
  currentPassword: { text: "Enter your current password.", field: "password" },
  code: { text: "Enter the code from your app.", field: "code" },
};

/** A sentence for the form, and the field it is about, from whatever Better-Auth answered; never raw server text. */
export function explainAuthError(failure: AuthFailure): AuthMessage {
  if (failure.code && MESSAGES[failure.code]) return MESSAGES[failure.code];
  if (failure.status === 429) return { text: "Too many attempts. Wait a few seconds and try again." };
  // A call that needs a session, made after this one was signed out (elsewhere, or by a reset).
  if (failure.status === 401) return { text: "You have been signed out. Log in again." };
  if (!failure.status) return { text: "Could not reach the server. Check your connection and try again." };
  if (failure.status >= 500) return { text: "Something went wrong on our side. Please try again." };
  const field = INVALID_FIELD.exec(failure.message ?? "")?.[1];
  if (field) return FIELD_MESSAGES[field] ?? { text: "Some of what you entered is not valid. Check the form and try again." };
  return { text: "That did not work. Please try again." };
}

export function describeAuthError(failure: AuthFailure): string {
  return explainAuthError(failure).text;
}
