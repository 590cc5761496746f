import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/** Forbids imports from other rooms of lib/: server code must never reach the browser bundle. */
function keepOut(rooms, message) {
  const group = rooms.flatMap((room) => [`@/lib/${room}/*`, `../${room}/*`, `**/lib/${room}/*`]);
  return { "no-restricted-imports": ["error", { patterns: [{ group, message }] }] };
}

const config = [
  ...nextVitals,
  ...nextTs,
  { files: ["lib/client/**"], rules: keepOut(["server"], "lib/client runs in the browser: it must not import lib/server.") },
  {
    files: ["lib/shared/**"],
    rules: keepOut(["server", "client"], "lib/shared is used on both sides: it imports neither lib/server nor lib/client."),
  },
  { files: ["lib/server/**"], rules: keepOut(["client"], "lib/server must not depend on browser code in lib/client.") },
  { ignores: [".next/**", "node_modules/**", "data/**", "next-env.d.ts"] },
];

export default config;
