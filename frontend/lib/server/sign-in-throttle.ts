import "server-only";
import { createHash } from "node:crypto";
import type { BetterAuthPlugin, DBAdapter, User } from "better-auth";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";

/** The limits of guessing one account's password, wherever the guesses come from. */
export const SIGN_IN_THROTTLE = {
  /** Failures in a row after which each further sign-in waits. */
  freeFailures: 5,
  /** The wait after the 5th failure; it doubles with each further one… */
  firstDelaySeconds: 60,
  /** …up to this. */
  maxDelaySeconds: 15 * 60,
  /** Failures are forgotten this long after the last one (or after the wait it set, if later). */
  forgetAfterSeconds: 15 * 60,
  /** The owner is mailed, once, when this many failures come within `alertWindowSeconds`. */
  alertFailures: 10,
  alertWindowSeconds: 60 * 60,
} as const;

const MODEL = "signInThrottle";
const SIGN_IN_PATH = "/sign-in/email";
// Competing requests for one account retry a compare-and-swap; past this many, it is a flood.
const MAX_SWAPS = 8;

interface ThrottleRow {
  key: string;
  failures: number;
  firstFailureAt: number;
  lastFailureAt: number;
  lockedUntil: number;
  alerted: boolean;
}

/**
 * One counter per address however it is typed; a hash, so the table never holds an address
 * (unknown ones included).
 */
function accountKey(email: unknown): string | null {
  if (typeof email !== "string") return null;
  return createHash("sha256").update(email.normalize("NFKC").trim().toLowerCase()).digest("hex");
}

function delayMs(failures: number): number {
  const { firstDelaySeconds, freeFailures, maxDelaySeconds } = SIGN_IN_THROTTLE;
  return Math.min(firstDelaySeconds * 2 ** (failures - freeFailures), maxDelaySeconds) * 1000;
}

function forgotten(row: ThrottleRow, now: number): boolean {
  return now - Math.max(row.lastFailureAt, row.lockedUntil) > SIGN_IN_THROTTLE.forgetAfterSeconds * 1000;
}

function tooManyFailures(waitMs: number): APIError {
  return new APIError(
    "TOO_MANY_REQUESTS",
    { code: "TOO_MANY_FAILED_SIGN_INS", message: "Too many failed sign-ins for this account. Try again later." },
    { "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))) },
  );
}

// PostgreSQL hands bigint columns back as strings.
function readRow(row: Record<string, unknown> | null): ThrottleRow | null {
  if (!row) return null;
  return {
    key: String(row.key),
    failures: Number(row.failures),
    firstFailureAt: Number(row.firstFailureAt),
    lastFailureAt: Number(row.lastFailureAt),
    lockedUntil: Number(row.lockedUntil),
    alerted: Boolean(row.alerted),
  };
}

/**
 * Counts the attempt as a failure before the password is checked (a success then clears the
 * count), so that parallel guesses cannot all slip in before the first failure is written: each
 * attempt takes its turn by compare-and-swap on the count, and one that finds the account waiting
 * is refused without a look at the password.
 */
async function reserveAttempt(adapter: DBAdapter, key: string, now: number): Promise<void> {
  const byKey = { field: "key", value: key };
  for (let swap = 0; swap < MAX_SWAPS; swap++) {
    const row = readRow(await adapter.findOne<Record<string, unknown>>({ model: MODEL, where: [byKey] }));
    if (row && row.lockedUntil > now) throw tooManyFailures(row.lockedUntil - now);
    const fresh = { failures: 1, firstFailureAt: now, lastFailureAt: now, lockedUntil: 0, alerted: false };
    if (!row) {
      // Two first attempts race to create the row: the loser goes round again and counts on it.
      const created = await adapter.create({ model: MODEL, data: { key, ...fresh } }).then(
        () => true,
        () => false,
      );
      if (created) return;
      continue;
    }
    const failures = forgotten(row, now) ? 1 : row.failures + 1;
    const next = failures === 1 ? fresh : { failures, lastFailureAt: now, lockedUntil: failures >= SIGN_IN_THROTTLE.freeFailures ? now + delayMs(failures) : 0 };
    const swapped = await adapter.incrementOne({
      model: MODEL,
      where: [byKey, { field: "failures", value: row.failures }, { field: "lastFailureAt", value: row.lastFailureAt }],
      increment: {},
      set: next,
    });
    if (swapped) return;
  }
  throw tooManyFailures(SIGN_IN_THROTTLE.firstDelaySeconds * 1000);
}

/** Whether this failure is the one that should tell the owner (exactly one per run of failures). */
async function claimAlert(adapter: DBAdapter, key: string, now: number): Promise<boolean> {
  const { alertFailures, alertWindowSeconds } = SIGN_IN_THROTTLE;
  const claimed = await adapter.incrementOne({
    model: MODEL,
    where: [
      { field: "key", value: key },
      { field: "failures", operator: "gte", value: alertFailures },
      { field: "alerted", value: false },
      { field: "firstFailureAt", operator: "gt", value: now - alertWindowSeconds * 1000 },
    ],
    increment: {},
    set: { alerted: true },
  });
  return claimed !== null;
}

/**
 * The password was right: a sign-in, or the one refusal that comes only after the password
 * matched (address not confirmed yet). Any other refusal (a foreign Origin, a malformed body…)
 * proves nothing and clears nothing.
 */
function passwordMatched(returned: unknown): boolean {
  if (isAPIError(returned)) return returned.body?.code === "EMAIL_NOT_VERIFIED";
  if (returned instanceof Response) return returned.ok;
  return true;
}

function wrongPassword(returned: unknown): boolean {
  const status = isAPIError(returned) ? returned.statusCode : returned instanceof Response ? returned.status : 200;
  return status === 401;
}

export interface SignInThrottleOptions {
  /** Tells the owner of an existing account that someone keeps guessing its password. */
  alertOwner: (user: User) => Promise<void>;
}

/**
 * Throttles password sign-in per account, whatever the client's address: after
 * `freeFailures` failures each sign-in for that email answers 429 (Retry-After) until a wait
 * that doubles with each failure has passed, whether the password is right or not. Unknown
 * addresses are counted the same way, so the answers tell nothing about which accounts exist.
 * The counts live in Better-Auth's database (shared by every web server on PostgreSQL).
 */
export function signInThrottle({ alertOwner }: SignInThrottleOptions) {
  const onSignIn = (context: { path?: string }) => context.path === SIGN_IN_PATH;
  return {
    id: "sign-in-throttle",
    schema: {
      [MODEL]: {
        fields: {
          key: { type: "string", required: true, unique: true },
          failures: { type: "number", required: true },
          firstFailureAt: { type: "number", required: true, bigint: true },
          lastFailureAt: { type: "number", required: true, bigint: true },
          lockedUntil: { type: "number", required: true, bigint: true },
          alerted: { type: "boolean", required: true },
        },
      },
    },
    hooks: {
      before: [
        {
          matcher: onSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            const key = accountKey(ctx.body?.email);
            if (key) await reserveAttempt(ctx.context.adapter, key, Date.now());
          }),
        },
      ],
      after: [
        {
          matcher: onSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            const key = accountKey(ctx.body?.email);
            if (!key) return;
            const returned = ctx.context.returned;
            if (passwordMatched(returned)) {
              await ctx.context.adapter.deleteMany({ model: MODEL, where: [{ field: "key", value: key }] });
            } else if (wrongPassword(returned) && (await claimAlert(ctx.context.adapter, key, Date.now()))) {
              const email = String(ctx.body.email).trim().toLowerCase();
              const alert = ctx.context.internalAdapter.findUserByEmail(email).then((found) => (found ? alertOwner(found.user) : undefined));
              await ctx.context.runInBackgroundOrAwait(alert.catch((error: unknown) => ctx.context.logger.error("Failed to send the failed sign-ins alert", error)));
            }
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
