import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SIGN_IN_THROTTLE } from "@/lib/server/sign-in-throttle";
import { AUTH_URL, realAuthServer } from "../helpers/real-auth";

const outbox = mkdtempSync(path.join(tmpdir(), "throttle-outbox-"));
const server = realAuthServer({ MAIL_OUTBOX_DIR: outbox });
const PASSWORD = "correct horse battery";
const WRONG = "wrong horse battery";

afterAll(() => rmSync(outbox, { recursive: true, force: true }));

// The clock alone is faked, to step over the waits; the database and mail are real.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

interface Answer {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

async function signIn(email: string, password: string, forwardedFor = "203.0.113.1", extra: Record<string, string> = {}): Promise<Answer> {
  const response = await server.auth().handler(
    new Request(`${AUTH_URL}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: AUTH_URL, "X-Forwarded-For": forwardedFor },
      body: JSON.stringify({ email, password, ...extra }),
    }),
  );
  return { status: response.status, body: await response.json(), retryAfter: response.headers.get("retry-after") };
}

async function account(name: string): Promise<string> {
  const email = `${name}@example.com`;
  expect((await server.post("/sign-up/email", { name, email, password: PASSWORD })).status).toBe(200);
  return email;
}

async function failTimes(email: string, times: number): Promise<Answer[]> {
  const answers = [];
  // A different address each time: the count follows the account, not the client.
  for (let i = 0; i < times; i++) answers.push(await signIn(email, WRONG, `198.51.100.${i + 1}`));
  return answers;
}

const advanceSeconds = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

/** The alerts mailed to `email` (the outbox also holds each new account's confirmation mail). */
function alertsTo(email: string): string[] {
  return readdirSync(outbox)
    .map((name) => readFileSync(path.join(outbox, name), "utf8"))
    .filter((message) => message.includes(`To: ${email}`) && /^Subject: Repeated failed sign-ins/m.test(message));
}

describe("sign-in for one account", () => {
  it("answers 429 with Retry-After after 5 failures, even with the right password", async () => {
    const email = await account("ada");
    const failures = await failTimes(email, 5);
    expect(failures.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);

    const locked = await signIn(email, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.retryAfter).toBe("60");
    expect(locked.body).toMatchObject({ code: "TOO_MANY_FAILED_SIGN_INS" });
  });

  it("counts an address however it is typed", async () => {
    const email = await account("bea");
    for (const typed of ["BEA@example.com", "Bea@Example.COM", email, "bea@EXAMPLE.com", email]) {
      expect((await signIn(typed, WRONG)).status).toBe(401);
    }
    expect((await signIn(email, PASSWORD)).status).toBe(429);
  });

  it("waits twice as long after each further failure, up to 15 minutes", async () => {
    const email = await account("cy");
    await failTimes(email, 5);
    const waits = [];
    for (let failure = 6; failure <= 10; failure++) {
      const wait = Number((await signIn(email, PASSWORD)).retryAfter);
      waits.push(wait);
      advanceSeconds(wait);
      expect((await signIn(email, WRONG)).status).toBe(401);
    }
    expect(waits).toEqual([60, 120, 240, 480, 900]);
    expect((await signIn(email, PASSWORD)).retryAfter).toBe(String(SIGN_IN_THROTTLE.maxDelaySeconds));
  });

  it("starts counting again after a success", async () => {
    const email = await account("dot");
    await failTimes(email, 4);
    expect((await signIn(email, PASSWORD)).status).toBe(200);
    expect((await failTimes(email, 4)).map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
    expect((await signIn(email, PASSWORD)).status).toBe(200);
  });

  it("counts a malformed attempt as a failure, and is not cleared by it", async () => {
    const email = await account("ian");
    await failTimes(email, 4);
    const malformed = await signIn(email, PASSWORD, "203.0.113.9", { rememberMe: "not a boolean" });
    expect(malformed.status).toBe(400);
    expect((await signIn(email, PASSWORD)).status).toBe(429);
  });

  it("forgets failures 15 minutes after the wait they set", async () => {
    const email = await account("eve");
    await failTimes(email, 5);
    advanceSeconds(60 + SIGN_IN_THROTTLE.forgetAfterSeconds + 1);
    expect((await failTimes(email, 4)).map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
    expect((await signIn(email, PASSWORD)).status).toBe(200);
  });

  it("lets no more than 5 of many parallel guesses reach the password check", async () => {
    const email = await account("fay");
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(email, WRONG, `192.0.2.${i + 1}`)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(15);
  });
});

describe("an unknown address", () => {
  it("gets the same answers, headers and bodies as an account's", async () => {
    const known = await account("gus");
    const unknown = "nobody-at-all@example.com";
    const answers = async (email: string) => {
      const all = await failTimes(email, 5);
      all.push(await signIn(email, PASSWORD));
      return all;
    };
    expect(await answers(unknown)).toEqual(await answers(known));
  });
});

describe("the owner of the account", () => {
  it("is mailed once, after 10 failures within an hour", async () => {
    const email = await account("hal");
    for (let failure = 1; failure <= 12; failure++) {
      const answer = await signIn(email, WRONG);
      if (answer.status === 429) {
        advanceSeconds(Number(answer.retryAfter));
        expect((await signIn(email, WRONG)).status).toBe(401);
      } else {
        expect(answer.status).toBe(401);
      }
      if (failure === 9) expect(alertsTo(email)).toEqual([]);
    }
    await vi.waitFor(() => expect(alertsTo(email)).toHaveLength(1));
    expect(alertsTo(email)[0]).not.toContain(WRONG);
  });
});
