import type { NextConfig } from "next";

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
  // Nothing here uses these; a script that got in could not either.
  { key: "Permissions-Policy", value: "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()" },
];

const nextConfig: NextConfig = {
  // better-sqlite3 and pg are native/Node-only; keep them out of the server bundle.
  serverExternalPackages: ["better-sqlite3", "pg"],
  poweredByHeader: false,
  // `make test` type-checks in a step of its own once its build is done (`tsc --noEmit`: this
  // tsconfig, the route types the build generates, and the tests, which Next's check leaves
  // out), so its build skips the same check. Every other build checks the types itself.
  typescript: { ignoreBuildErrors: process.env.TYPES_CHECKED_APART === "1" },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
