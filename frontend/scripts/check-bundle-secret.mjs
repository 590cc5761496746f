#!/usr/bin/env node
/**
 * `npm run check:bundle`: builds the app with a random sentinel secret and
 * fails if what browsers download (.next/static, and the pages prerendered at
 * build time) contains that value, or names a NEXT_PUBLIC_*SECRET* variable:
 * Next inlines NEXT_PUBLIC_ values into browser code, so no secret may wear
 * that prefix. Library code that merely mentions the name BETTER_AUTH_SECRET
 * (Better-Auth's client bundles its env reader) is no leak and is not flagged.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nextEnv from "@next/env";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sentinel = `bundle-sentinel-${randomBytes(24).toString("hex")}`;
const PUBLIC_SECRET_NAME = /NEXT_PUBLIC_\w*SECRET\w*/g;
// Served to browsers as they are: static assets, and the HTML/RSC payloads of prerendered pages.
const SHIPPED = [
  { dir: path.join(root, ".next", "static"), include: () => true },
  { dir: path.join(root, ".next", "server", "app"), include: (file) => /\.(html|rsc|body)$/.test(file) },
];

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

function fail(message) {
  console.error(`check:bundle: FAIL, ${message}`);
  process.exit(1);
}

// The same .env files `next build` reads: a NEXT_PUBLIC_*SECRET* set there is inlined
// into the bundle by value (and its name vanishes), so it is refused before building.
const { combinedEnv } = nextEnv.loadEnvConfig(root, false, { info: () => {}, error: console.error });
const publicSecrets = Object.keys(combinedEnv).filter((name) => new RegExp(PUBLIC_SECRET_NAME.source).test(name));
if (publicSecrets.length > 0) {
  fail(`${publicSecrets.join(", ")} would be inlined into browser code; a secret must not have the NEXT_PUBLIC_ prefix`);
}

console.log("check:bundle: building with a sentinel secret…");
const build = spawnSync("npx", ["next", "build"], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, BETTER_AUTH_SECRET: sentinel },
});
if (build.status !== 0) {
  console.error(`check:bundle: next build failed (exit ${build.status ?? build.signal})`);
  process.exit(1);
}

let files = 0;
const hits = [];
for (const { dir, include } of SHIPPED) {
  if (!existsSync(dir)) continue;
  for (const file of walk(dir)) {
    if (!include(file)) continue;
    files += 1;
    const text = readFileSync(file).toString("latin1");
    const where = path.relative(root, file);
    if (text.includes(sentinel)) hits.push(`${where} contains the secret's value`);
    for (const name of new Set(text.match(PUBLIC_SECRET_NAME))) hits.push(`${where} reads ${name}`);
  }
}

if (files === 0) fail(".next/static is empty; nothing was checked");
if (hits.length > 0) fail(`a secret reaches the browser:\n  ${hits.join("\n  ")}`);
console.log(`check:bundle: OK, ${files} files browsers download hold neither the secret's value nor a NEXT_PUBLIC_*SECRET* name`);
