import { describe, expect, it } from "vitest";
import { buildRule, describeRepeat, ordinal, parseRule } from "@/lib/client/repeat";

describe("repeat rules", () => {
  it("reads and writes a rule in a fixed order, keeping what it does not edit", () => {
    const parts = parseRule("BYDAY=MO,FR;FREQ=WEEKLY;INTERVAL=2;COUNT=5");
    expect(parts).toEqual({ freq: "WEEKLY", interval: 2, byday: ["MO", "FR"], bymonthday: [], rest: ["COUNT=5"] });
    expect(buildRule(parts!)).toBe("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;COUNT=5");
    expect(parseRule("INTERVAL=2")).toBeNull();
  });

  it("says the rule in words", () => {
    expect(describeRepeat("FREQ=DAILY")).toBe("Every day");
    expect(describeRepeat("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")).toBe("Every weekday");
    expect(describeRepeat("FREQ=WEEKLY;INTERVAL=2")).toBe("Every 2 weeks");
    expect(describeRepeat("FREQ=WEEKLY;BYDAY=MO,FR")).toBe("Every week on Mon, Fri");
    expect(describeRepeat("FREQ=MONTHLY;BYMONTHDAY=15")).toBe("Every month on the 15th");
    expect(describeRepeat("FREQ=MONTHLY;BYDAY=-1FR")).toBe("Every month on last Fri");
    expect(describeRepeat("FREQ=DAILY;INTERVAL=3", "completion")).toBe("Every 3 days after done");
  });

  it("writes ordinals", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 31, -1].map(ordinal)).toEqual(["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "31st", "last"]);
  });
});
