import Bowser from "bowser";

/** "Chrome on Linux" from a User-Agent header, for the list of sessions; "Unknown device" without one. */
export function describeUserAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown device";
  const { browser, os } = Bowser.parse(userAgent);
  const name = browser.name ?? "Unknown browser";
  return os.name ? `${name} on ${os.name}` : name;
}
