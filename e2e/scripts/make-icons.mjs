// Draws the install icons (frontend/public/icons/*.png) from their SVG sources with Debian's
// chromium, so no image tool is needed: node e2e/scripts/make-icons.mjs
import { readFileSync } from "node:fs";
import path from "node:path";

import { launchBrowser } from "../lib/browser.mjs";
import { ROOT } from "../lib/system.mjs";

const ICONS = path.join(ROOT, "frontend/public/icons");

const browser = await launchBrowser();
try {
  for (const name of ["icon", "maskable"]) {
    const svg = readFileSync(path.join(ICONS, `${name}.svg`), "utf8");
    for (const size of [192, 512]) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      await page.setContent(`<style>*{margin:0}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
      await page.screenshot({ path: path.join(ICONS, `${name}-${size}.png`), omitBackground: true });
      await page.close();
    }
  }
} finally {
  await browser.close();
}
