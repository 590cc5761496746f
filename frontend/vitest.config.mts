import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // Tests run outside React's server layer, where "server-only" would throw on import.
      "server-only": fileURLToPath(new URL("./node_modules/server-only/empty.js", import.meta.url)),
    },
  },
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts"],
    testTimeout: 20_000,
    // A file's real Better-Auth server (tests/helpers/real-auth.ts) imports the auth modules
    // afresh and migrates its database in a beforeAll: seconds of CPU, which beside the
    // browser suites on two cores overran vitest's default 10 s for a hook.
    hookTimeout: 60_000,
  },
});
