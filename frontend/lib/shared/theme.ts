/** The browser's own colours around the page (title bar, installed window), as globals.css paints it. */
export const THEME_COLORS = { light: "#f5f6f8", dark: "#0f1318", accent: "#2f5bd3" } as const;
