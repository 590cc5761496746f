import { afterEach, describe, expect, it } from "vitest";
import { addDays, chipDay, dayHeading, daysFrom, dueLabel, localDay } from "@/lib/client/due-dates";

const TODAY = "2026-11-28"; // a Saturday

describe("relative due-date labels", () => {
  it.each([
    ["2026-11-28", "Today", "today"],
    ["2026-11-29", "Tomorrow", "soon"],
    ["2026-12-02", "Wed", "soon"],
    ["2026-12-05", "Dec 5", "later"],
    ["2027-01-15", "Jan 15, 2027", "later"],
    ["2026-11-27", "Overdue 1 d", "overdue"],
    ["2026-11-25", "Overdue 3 d", "overdue"],
    ["2025-11-28", "Overdue 365 d", "overdue"],
  ])("%s reads %s", (due, text, tone) => {
    expect(dueLabel(due, TODAY)).toMatchObject({ text, tone });
  });

  it("says it in words for a screen reader", () => {
    expect(dueLabel("2026-11-25", TODAY).spoken).toBe("overdue by 3 days, due Nov 25");
    expect(dueLabel("2026-11-27", TODAY).spoken).toBe("overdue by 1 day, due Nov 27");
    expect(dueLabel(TODAY, TODAY).spoken).toBe("due today");
  });

  it("never calls a completed task overdue", () => {
    expect(dueLabel("2026-11-25", TODAY, true)).toMatchObject({ text: "Nov 25", tone: "done" });
    expect(dueLabel(TODAY, TODAY, true)).toMatchObject({ text: "Today", tone: "done" });
  });

  it("counts whole days across month, year and leap-day boundaries", () => {
    expect(daysFrom("2026-12-31", "2027-01-01")).toBe(1);
    expect(daysFrom("2028-02-28", "2028-03-01")).toBe(2);
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
  });
});

describe("the local day", () => {
  const zone = process.env.TZ;
  afterEach(() => {
    // Node reads TZ again whenever it changes.
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it.each(["America/Los_Angeles", "Pacific/Kiritimati", "UTC"])("is the calendar day on the local clock in %s", (tz) => {
    process.env.TZ = tz;
    // Late evening and just after midnight, local: UTC is on another day in most of these zones.
    expect(localDay(new Date(2026, 10, 28, 23, 30))).toBe("2026-11-28");
    expect(localDay(new Date(2026, 10, 29, 0, 10))).toBe("2026-11-29");
  });

  it("labels a task due today as Today late in the evening west of UTC", () => {
    process.env.TZ = "America/Los_Angeles";
    const evening = new Date(Date.UTC(2026, 10, 29, 6, 30)); // 22:30 on Nov 28 in Los Angeles
    expect(dueLabel("2026-11-28", localDay(evening)).text).toBe("Today");
  });

  it("counts days across a daylight-saving change", () => {
    process.env.TZ = "America/Los_Angeles";
    const beforeChange = localDay(new Date(2026, 2, 7, 12)); // clocks go forward on March 8
    expect(dueLabel("2026-03-09", beforeChange).text).toBe("Mon");
    expect(dueLabel("2026-03-08", beforeChange).text).toBe("Tomorrow");
  });
});

describe("a chosen due date as its chip reads it", () => {
  const dec5 = new Date(2026, 11, 5, 12);
  it("names the year when it is not this year's (dec 1 typed on Dec 5)", () => {
    expect(chipDay("2027-12-01", dec5)).toMatch(/2027/);
  });
  it("leaves this year's dates without a year", () => {
    expect(chipDay("2026-12-24", dec5)).not.toMatch(/2026/);
  });
});

describe("dayHeading", () => {
  it("names today and tomorrow, then the weekday and date", () => {
    expect(dayHeading("2026-12-06", "2026-12-06")).toBe("Today · Sun, Dec 6");
    expect(dayHeading("2026-12-07", "2026-12-06")).toBe("Tomorrow · Mon, Dec 7");
    expect(dayHeading("2026-12-08", "2026-12-06")).toBe("Tue, Dec 8");
  });
});
