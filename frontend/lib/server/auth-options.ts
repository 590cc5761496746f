import "server-only";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Pool } from "pg";
import type { BetterAuthOptions } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { twoFactor } from "better-auth/plugins";
import type { AuthDatabaseConfig, ServerConfig } from "./config";
import { APP_NAME, failedSignInsEmail, resetPasswordEmail, signUpAttemptEmail, verifyEmailEmail } from "./emails";
import { createMailer } from "./mail";
import { SIGN_IN_THROTTLE, signInThrottle } from "./sign-in-throttle";
import { deleteUserData } from "./user-data";
import { MIN_PASSWORD_LENGTH } from "../shared/limits";

const RESET_TOKEN_TTL_SECONDS = 60 * 60;

function openDatabase(database: AuthDatabaseConfig): BetterAuthOptions["database"] {
  if (database.kind === "postgres") {
    // pg reads sslmode from the connection string, which Neon URLs carry.
    return new Pool({ connectionString: database.url });
  }
  fs.mkdirSync(path.dirname(database.file), { recursive: true });
  const db = new Database(database.file);
  db.pragma("journal_mode = WAL");
  return db;
}

/**
 * Better-Auth settings shared by the web server and the migration script, so
 * both always see the same schema (`npm run migrate` runs with the
 * react-server condition, under which "server-only" is an empty module).
 */
export function buildAuthOptions(config: ServerConfig) {
  const sendMail = createMailer(config.mail);
  const attemptsLikeSignIn = { window: 10, max: config.signInAttemptsPer10s };
  return {
    appName: APP_NAME,
    secret: config.authSecret,
    baseURL: config.authUrl,
    database: openDatabase(config.database),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      // Sign-up answers the same whether the address is new or taken (a taken one is mailed
      // instead), so it signs nobody in: a session would tell the two apart.
      autoSignIn: false,
      onExistingUserSignUp: ({ user }) => sendMail(user.email, signUpAttemptEmail(user, `${config.authUrl}/auth/login`)),
      requireEmailVerification: config.requireEmailVerification,
      resetPasswordTokenExpiresIn: RESET_TOKEN_TTL_SECONDS,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: ({ user, url }) => sendMail(user.email, resetPasswordEmail(user, url, RESET_TOKEN_TTL_SECONDS / 60)),
    },
    emailVerification: {
      sendVerificationEmail: ({ user, url }) => sendMail(user.email, verifyEmailEmail(user, url)),
      // Every new account is told to check its mail, as a taken address is: the link signs it in.
      sendOnSignUp: true,
      sendOnSignIn: config.requireEmailVerification,
      autoSignInAfterVerification: true,
    },
    user: {
      changeEmail: { enabled: false },
      deleteUser: {
        enabled: true,
        // The tasks first: should the backend fail, this throws and the account stays.
        beforeDelete: (user) => deleteUserData(user.id, config),
      },
    },
    plugins: [
      twoFactor({ issuer: APP_NAME }),
      signInThrottle({
        alertOwner: (user) =>
          sendMail(user.email, failedSignInsEmail(user, `${config.authUrl}/auth/forgot-password`, SIGN_IN_THROTTLE.alertFailures, SIGN_IN_THROTTLE.alertWindowSeconds / 60)),
      }),
    ],
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        // Better-Auth would accept a recent session instead; deleting an account always takes the password.
        if (ctx.path === "/delete-user" && !ctx.body?.password) {
          throw new APIError("BAD_REQUEST", { code: "PASSWORD_REQUIRED", message: "Enter your password to delete your account." });
        }
      }),
    },
    advanced: {
      // Said outright rather than left to Better-Auth's guess: Secure cookies exactly when served over https.
      useSecureCookies: new URL(config.authUrl).protocol === "https:",
      // Mail goes out after the answer: a reset request for a known address then takes as
      // long as one for an unknown address (no mail), and a slow SMTP server delays nobody.
      // Better-Auth logs a failed send.
      backgroundTasks: { handler: () => {} },
    },
    rateLimit: {
      // In PostgreSQL, so every web server behind the balancer counts the same attempts
      // (Better-Auth keeps them in memory otherwise, one count per process).
      storage: config.database.kind === "postgres" ? "database" : "memory",
      customRules: {
        "/sign-in/email": attemptsLikeSignIn,
        "/sign-up/email": attemptsLikeSignIn,
        "/request-password-reset": attemptsLikeSignIn,
        "/reset-password": attemptsLikeSignIn,
        "/send-verification-email": attemptsLikeSignIn,
        "/two-factor/verify-totp": attemptsLikeSignIn,
        "/two-factor/verify-backup-code": attemptsLikeSignIn,
      },
    },
    telemetry: { enabled: false },
  } satisfies BetterAuthOptions;
}
