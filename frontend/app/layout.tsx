import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { THEME_COLORS } from "@/lib/shared/theme";
import { ServiceWorker } from "./service-worker";
import "./globals.css";

export const metadata: Metadata = {
  title: "Todo",
  description: "Your tasks, kept in one place.",
  appleWebApp: { capable: true, title: "Todo" },
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: THEME_COLORS.light },
    { media: "(prefers-color-scheme: dark)", color: THEME_COLORS.dark },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request: each page's scripts carry that response's CSP nonce (see proxy.ts).
  await connection();
  return (
    <html lang="en">
      <body>
        {children}
        <ServiceWorker />
      </body>
    </html>
  );
}
