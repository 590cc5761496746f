import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "Todo",
  description: "Your tasks, kept in one place.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request: each page's scripts carry that response's CSP nonce (see proxy.ts).
  await connection();
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
