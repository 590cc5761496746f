import type { Metadata, Viewport } from "next";
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

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {children}
        <ServiceWorker />
      </body>
    </html>
  );
}
