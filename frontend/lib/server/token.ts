import "server-only";
import { SignJWT } from "jose";
import type { TokenResponse } from "../shared/token-response";

interface SignOptions {
  secret: string;
  ttlSeconds: number;
  /** The `aud` claim: tells these tokens apart from other JWTs the same secret signs (Better-Auth's own). */
  audience: string;
  now?: Date;
}

/**
 * Signs the short-lived HS256 token the backend accepts. Only the user id goes
 * in: the backend needs nothing else, and the token is readable by anyone holding it.
 */
export async function signAccessToken(
  userId: string,
  { secret, ttlSeconds, audience, now = new Date() }: SignOptions,
): Promise<TokenResponse> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setAudience(audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
  return { token, expiresAt: new Date(expiresAt * 1000).toISOString(), expiresIn: ttlSeconds };
}
