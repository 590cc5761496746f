import { describe, expect, it } from "vitest";
import { describeAuthError, explainAuthError } from "@/lib/client/auth-errors";

describe("describeAuthError", () => {
  it.each([
    [{ status: 401, code: "INVALID_EMAIL_OR_PASSWORD", message: "Invalid email or password" }, "Wrong email or password."],
    [{ status: 422, code: "USER_ALREADY_EXISTS", message: "User already exists." }, "already exists"],
    [{ status: 400, code: "PASSWORD_TOO_SHORT", message: "Password too short" }, "too weak"],
    [{ status: 429 }, "Too many attempts"],
    [{ status: 429, code: "TOO_MANY_FAILED_SIGN_INS" }, "Too many failed sign-ins for this account"],
    [{ status: 0 }, "Could not reach the server"],
    [{ status: 500, message: "TypeError: x is undefined\n    at stack" }, "Something went wrong"],
    [{ status: 400, code: "INVALID_TOKEN", message: "Invalid token" }, "link is invalid"],
    [{ status: 503, code: "BACKEND_UNAVAILABLE", message: "x" }, "nothing was deleted"],
    [{ status: 401, message: "Unauthorized" }, "You have been signed out"],
  ])("turns %j into a sentence", (failure, expected) => {
    expect(describeAuthError(failure)).toContain(expected);
  });

  it("never shows the server's own words", () => {
    const raw = "[body.email] Invalid email address";
    expect(describeAuthError({ status: 400, code: "VALIDATION_ERROR", message: raw })).toBe("Enter a valid email address.");
    expect(describeAuthError({ status: 400, code: "SOMETHING_NEW", message: "Internal detail" })).toBe("That did not work. Please try again.");
    expect(describeAuthError({ status: 400, code: "VALIDATION_ERROR", message: "[body.favouriteColour] bad" })).not.toContain("favouriteColour");
  });

  it.each([
    [{ status: 400, code: "VALIDATION_ERROR", message: "[body.email] Invalid email address" }, "email"],
    [{ status: 400, code: "INVALID_PASSWORD", message: "Invalid password" }, "password"],
    [{ status: 400, code: "PASSWORD_TOO_SHORT" }, "newPassword"],
    [{ status: 401, code: "INVALID_CODE", message: "Invalid code" }, "code"],
    [{ status: 401, code: "INVALID_EMAIL_OR_PASSWORD" }, undefined],
  ])("puts %j beside the field it is about", (failure, field) => {
    expect(explainAuthError(failure).field).toBe(field);
  });
});
