import { describe, expect, it } from "vitest";
import { describeIp, describeUserAgent } from "@/lib/client/session-labels";

describe("session labels", () => {
  it.each([
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36", "Chrome on Linux"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", "Safari on iOS"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Windows"],
    [null, "Unknown device"],
  ])("names the browser and system of %s", (userAgent, expected) => {
    expect(describeUserAgent(userAgent)).toBe(expected);
  });

  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["2001:0db8:0001:0002:0000:0000:0000:0000", "2001:db8:1:2::"],
    ["0000:0000:0000:0000:0000:0000:0000:0000", "localhost"],
    ["2001:0db8:0000:0000:0001:0000:0000:0000", "2001:db8:0:0:1::"],
    ["", "unknown"],
  ])("writes the address %s short", (ip, expected) => {
    expect(describeIp(ip)).toBe(expected);
  });
});
