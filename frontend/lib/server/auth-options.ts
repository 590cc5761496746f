import "server-only";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Pool } from "pg";
import type { BetterAuthOptions } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { twoFactor } from "better-auth/plugins";
import type { AuthDatabaseConfig, ServerConfig } from "./config";
import { APP_NAME, resetPasswordEmail, verifyEmailEmail } from "./emails";
import { createMailer } from "./mail";
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
      autoSignIn: true,
      requireEmailVerification: config.requireEmailVerification,
      resetPasswordTokenExpiresIn: RESET_TOKEN_TTL_SECONDS,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: ({ user, url }) => sendMail(user.email, resetPasswordEmail(user, url, RESET_TOKEN_TTL_SECONDS / 60)),
    },
    emailVerification: {
      sendVerificationEmail: ({ user, url }) => sendMail(user.email, verifyEmailEmail(user, url)),
      sendOnSignUp: config.requireEmailVerification,
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
    plugins: [twoFactor({ issuer: APP_NAME })],
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        // Better-Auth would accept a recent session instead; deleting an account always takes the password.
        if (ctx.path === "/delete-user" && !ctx.body?.password) {
          throw new APIError("BAD_REQUEST", { code: "PASSWORD_REQUIRED", message: "Enter your password to delete your account." });
        }
      }),
    },
    advanced: {
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
