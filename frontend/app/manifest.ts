import type { MetadataRoute } from "next";
import { THEME_COLORS } from "@/lib/shared/theme";

/** The web app manifest (served as /manifest.webmanifest): with the service worker, Chromium offers to install. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    id: "/tasks",
    name: "Todo",
    short_name: "Todo",
    description: "Your tasks, kept in one place.",
    start_url: "/tasks",
    scope: "/",
    display: "standalone",
    background_color: THEME_COLORS.light,
    theme_color: THEME_COLORS.accent,
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
}
