#!/usr/bin/env node
/**
 * `npm run check:bundle`: builds the app with a random sentinel secret and
 * fails if that value, or the variable's name, appears anywhere in the code
 * shipped to browsers (.next/static). Proves the secret stays server-side.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const staticDir = path.join(root, ".next", "static");
const sentinel = `bundle-sentinel-${randomBytes(24).toString("hex")}`;
const needles = [sentinel, "BETTER_AUTH_SECRET"];

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
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
for (const file of walk(staticDir)) {
  files += 1;
  const text = readFileSync(file).toString("latin1");
  for (const needle of needles) {
    if (text.includes(needle)) hits.push(`${path.relative(root, file)} contains ${needle === sentinel ? "the secret's value" : needle}`);
  }
}

if (files === 0) {
  console.error("check:bundle: .next/static is empty; nothing was checked");
  process.exit(1);
}
if (hits.length > 0) {
  console.error(`check:bundle: FAIL, the secret leaks into the client bundle:\n  ${hits.join("\n  ")}`);
  process.exit(1);
}
console.log(`check:bundle: OK, ${files} files in .next/static contain neither the secret's value nor its name`);
