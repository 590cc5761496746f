import { describe, expect, it } from "vitest";
import { describeAuthError } from "@/lib/client/auth-errors";

describe("describeAuthError", () => {
  it.each([
    [{ status: 401, code: "INVALID_EMAIL_OR_PASSWORD", message: "Invalid email or password" }, "Wrong email or password."],
    [{ status: 422, code: "USER_ALREADY_EXISTS", message: "User already exists." }, "already exists"],
    [{ status: 400, code: "PASSWORD_TOO_SHORT", message: "Password too short" }, "too weak"],
    [{ status: 429 }, "Too many attempts"],
    [{ status: 0 }, "Could not reach the server"],
    [{ status: 500, message: "TypeError: x is undefined\n    at stack" }, "Something went wrong"],
  ])("turns %j into a sentence", (failure, expected) => {
    expect(describeAuthError(failure)).toContain(expected);
  });
});
