import { beforeAll, describe, expect, it, vi } from "vitest";
import { describeAuthError } from "@/lib/client/auth-errors";
import { realAuthServer } from "../helpers/real-auth";

// The official Better-Auth client, talking to a real Better-Auth server through a
// stubbed fetch: the messages are checked against the error objects the client
// really produces for the server's real answers.
const server = realAuthServer();
type AuthClientModule = typeof import("@/lib/client/auth-client");
let authClient: AuthClientModule["authClient"];
let authFailure: AuthClientModule["authFailure"];
let transport: (request: Request) => Promise<Response>;

beforeAll(async () => {
  transport = (request) => server.auth().handler(request);
  // The client keeps the fetch it finds when it is created.
  vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) => transport(new Request(input, init)));
  ({ authClient, authFailure } = await import("@/lib/client/auth-client"));
  return () => vi.unstubAllGlobals();
});

const ada = { name: "Ada Lovelace", email: "ada@example.com", password: "correct horse battery" };

async function message(call: Promise<{ error: { status: number } | null }>): Promise<string | null> {
  const failure = await authFailure(call);
  return failure && describeAuthError(failure);
}

describe("the Better-Auth client's answers, as the forms show them", () => {
  it("signs up and in without an error", async () => {
    expect(await message(authClient.signUp.email(ada))).toBeNull();
    expect(await message(authClient.signIn.email({ email: ada.email, password: ada.password }))).toBeNull();
  });

  it("answers a taken email as a new one, and a wrong password as an unknown email", async () => {
    expect(await message(authClient.signUp.email(ada))).toBeNull();
    expect(await message(authClient.signIn.email({ email: ada.email, password: "not the password" }))).toBe("Wrong email or password.");
    expect(await message(authClient.signIn.email({ email: "nobody@example.com", password: ada.password }))).toBe("Wrong email or password.");
  });

  it("explains a password the server finds too short", async () => {
    expect(await message(authClient.signUp.email({ ...ada, email: "short@example.com", password: "short" }))).toContain("too weak");
  });

  it("reports a request that got no answer as unreachable, not as a crash", async () => {
    transport = () => Promise.reject(new TypeError("Failed to fetch"));
    try {
      expect(await message(authClient.signIn.email({ email: ada.email, password: ada.password }))).toContain("Could not reach the server");
      expect(await authFailure(authClient.signOut())).toEqual({ status: 0 });
    } finally {
      transport = (request) => server.auth().handler(request);
    }
  });
});
