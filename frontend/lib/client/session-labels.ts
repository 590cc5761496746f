import Bowser from "bowser";

/** "Chrome on Linux" from a User-Agent header, for the list of sessions; "Unknown device" without one. */
export function describeUserAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown device";
  const { browser, os } = Bowser.parse(userAgent);
  const name = browser.name ?? "Unknown browser";
  return os.name ? `${name} on ${os.name}` : name;
}

/**
 * An address as Better-Auth stored it, short. It keeps IPv6 addresses as their /64 network,
 * written out in full (`2001:0db8:0001:0002:0000:0000:0000:0000`): shown compressed
 * (`2001:db8:1:2::`); the loopback's network, all zeros, is this machine.
 */
export function describeIp(ip: string | null | undefined): string {
  if (!ip) return "unknown";
  if (!ip.includes(":")) return ip;
  const groups = ip.split(":").map((group) => group.replace(/^0+(?=.)/, ""));
  if (groups.every((group) => group === "0")) return "localhost";
  // The longest run of zero groups becomes "::" (RFC 5952).
  let best = { start: -1, length: 1 };
  for (let start = 0; start < groups.length; start++) {
    let length = 0;
    while (groups[start + length] === "0") length++;
    if (length > best.length) best = { start, length };
  }
  if (best.start < 0) return groups.join(":");
  const head = groups.slice(0, best.start).join(":");
  const tail = groups.slice(best.start + best.length).join(":");
  return `${head}::${tail}`;
}
