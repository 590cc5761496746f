import "server-only";
import { SignJWT } from "jose";

export interface AccessToken {
  token: string;
  /** ISO 8601 time at which the token stops being accepted. */
  expiresAt: string;
}

interface SignOptions {
  secret: string;
  ttlSeconds: number;
  now?: Date;
}

/**
 * Signs the short-lived HS256 token the backend accepts. Only the user id goes
 * in: the backend needs nothing else, and the token is readable by anyone holding it.
 */
export async function signAccessToken(userId: string, { secret, ttlSeconds, now = new Date() }: SignOptions): Promise<AccessToken> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
  return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
}
