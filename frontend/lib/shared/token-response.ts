/** The answer of GET /api/auth/token: the route writes it, the browser client reads it. */
export interface TokenResponse {
  /** HS256 JWT for the backend's `Authorization: Bearer` header. */
  token: string;
  /** ISO 8601 time at which the token stops being accepted (server clock). */
  expiresAt: string;
  /** Seconds the token lives. The client counts them from when it got the answer, so clock skew does not matter. */
  expiresIn: number;
}
