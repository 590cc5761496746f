#!/usr/bin/env node
/**
 * `npm run generate:api`: writes the backend's OpenAPI schema to
 * lib/shared/openapi.json and the TypeScript types generated from it
 * (openapi-typescript) to lib/shared/api-types.ts. Both are checked in.
 *
 * `npm run check:api` (part of `make test`): regenerates both into a
 * temporary folder and fails when either differs from the checked-in copy,
 * i.e. when the backend's contract changed and the frontend was not told.
 *
 * The schema comes from the backend's own Python (backend/.venv), so it is
 * exactly what FastAPI serves at /openapi.json, with no server running.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const backend = path.resolve(root, "..", "backend");
const python = path.join(backend, ".venv", "bin", "python");
const generator = path.join(root, "node_modules", ".bin", "openapi-typescript");
const shared = path.join(root, "lib", "shared");
const SCHEMA = "openapi.json";
const TYPES = "api-types.ts";
const REGENERATE = "`npm --prefix frontend run generate:api` and commit lib/shared/openapi.json and lib/shared/api-types.ts";

// The contract must not depend on who dumps it: no .env file is read (the
// settings class is told so before the app module builds its app) and the
// environment holds nothing but PATH and a throwaway secret.
const DUMP_SCHEMA = `
import json
from app.core.config import Settings
Settings.model_config["env_file"] = None
from app.main import create_app
print(json.dumps(create_app(Settings()).openapi(), indent=2, sort_keys=True))
`;
const DUMP_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  BETTER_AUTH_SECRET: "openapi-dump-only-".padEnd(48, "x"),
  PYTHONDONTWRITEBYTECODE: "1",
};

/** A failure with a message fit to print as it is. */
class Failure extends Error {}

function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
    throw new Failure(`${path.basename(command)} failed (exit ${result.status ?? result.signal}):\n${output || result.error?.message}`);
  }
  return result.stdout;
}

/** Writes openapi.json and api-types.ts into `dir`. */
function generate(dir) {
  if (!existsSync(python)) throw new Failure(`no backend environment at ${path.relative(root, python)}; \`make test\` or \`make run\` creates it`);
  const schema = run(python, ["-c", DUMP_SCHEMA], { cwd: backend, env: DUMP_ENV });
  writeFileSync(path.join(dir, SCHEMA), schema);
  // A request field with a default may be left out: without the flag, openapi-typescript
  // would make it required (its default suits response schemas only).
  run(generator, [path.join(dir, SCHEMA), "--output", path.join(dir, TYPES), "--default-non-nullable=false"], {
    cwd: root,
  });
}

/** Regenerates into a temporary folder and compares with the checked-in files. */
function checkContract() {
  const fresh = mkdtempSync(path.join(tmpdir(), "api-contract-"));
  try {
    generate(fresh);
    const stale = [SCHEMA, TYPES].filter((name) => {
      const committed = path.join(shared, name);
      return !existsSync(committed) || readFileSync(committed, "utf8") !== readFileSync(path.join(fresh, name), "utf8");
    });
    if (stale.length === 0) return;
    const diff = spawnSync("diff", ["-u", path.join(shared, SCHEMA), path.join(fresh, SCHEMA)], { encoding: "utf8" });
    const excerpt = (diff.stdout ?? "").split("\n").slice(2, 42).join("\n");
    throw new Failure(
      `out of date with the backend's API: ${stale.map((name) => `lib/shared/${name}`).join(", ")}.\nRun ${REGENERATE}.` +
        (excerpt ? `\nSchema difference (checked in -> backend now):\n${excerpt}` : ""),
    );
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

const check = process.argv.includes("--check");
const name = check ? "check:api" : "generate:api";
try {
  if (check) {
    checkContract();
    console.log(`${name}: lib/shared/${SCHEMA} and lib/shared/${TYPES} match the backend's schema`);
  } else {
    generate(shared);
    console.log(`${name}: wrote lib/shared/${SCHEMA} and lib/shared/${TYPES}`);
  }
} catch (error) {
  if (!(error instanceof Failure)) throw error;
  console.error(`${name}: ${error.message}`);
  process.exitCode = 1;
}
