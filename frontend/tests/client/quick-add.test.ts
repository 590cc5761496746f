import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EMPTY_DETAILS,
  draftTask,
  isCalendarDate,
  localDay,
  parseQuickAdd,
  suggestTags,
  tagProblem,
  type QuickAdd,
} from "@/lib/client/quick-add";
import { normalizeTag } from "@/lib/shared/tags";

// Saturday 28 November 2026, noon, in the test's local time zone.
const SATURDAY = new Date(2026, 10, 28, 12);
const FRIDAY = new Date(2026, 11, 4, 12);

const parse = (line: string, today = SATURDAY, keepAsText?: ReadonlySet<string>) => parseQuickAdd(line, { today, keepAsText });
const dueOf = (line: string, today = SATURDAY) => parse(line, today).due?.date ?? null;

function drafted(line: string, details = EMPTY_DETAILS) {
  return draftTask(parse(line), details);
}

describe("quick add: the issue's example", () => {
  it("reads 'Pay rent tomorrow !high #home' as a title, a date, a priority and a tag", () => {
    const parsed = parse("Pay rent tomorrow !high #home");
    expect(parsed).toEqual<QuickAdd>({
      title: "Pay rent",
      priority: { value: "high", text: "!high", key: "!high" },
      due: { date: "2026-11-29", text: "tomorrow", key: "date:tomorrow" },
      tags: [{ name: "home", key: "#home", problem: null }],
    });
    expect(draftTask(parsed, EMPTY_DETAILS)).toEqual({
      ok: true,
      task: { title: "Pay rent", description: null, priority: "high", due_date: "2026-11-29", tags: ["home"] },
    });
  });
});

describe("quick add: priorities", () => {
  it.each([
    ["!high", "high"],
    ["!med", "medium"],
    ["!medium", "medium"],
    ["!low", "low"],
    ["!HIGH", "high"],
  ] as const)("reads %s as %s and takes it out of the title", (token, priority) => {
    const parsed = parse(`Call mom ${token} later`);
    expect(parsed.priority?.value).toBe(priority);
    expect(parsed.title).toBe("Call mom later");
  });

  it("uses the first priority and leaves a second one in the title", () => {
    const parsed = parse("Pay !low rent !high");
    expect(parsed.priority?.value).toBe("low");
    expect(parsed.title).toBe("Pay rent !high");
  });

  it("reads only whole words: 'wow!high', '!highest' and '!urgent' stay text", () => {
    for (const line of ["wow!high", "go !highest", "fix !urgent"]) {
      expect(parse(line)).toMatchObject({ title: line, priority: null });
    }
  });

  it("has no priority when none is typed", () => {
    expect(drafted("Buy milk")).toMatchObject({ ok: true, task: { priority: "none" } });
  });
});

describe("quick add: tags", () => {
  it("stores tags lower-cased, collapses duplicates and keeps their order", () => {
    const parsed = parse("Plan #Work #home #work trip");
    expect(parsed.tags.map((tag) => tag.name)).toEqual(["work", "home"]);
    expect(parsed.title).toBe("Plan trip");
  });

  it("takes letters of any script, digits, '-' and '_'", () => {
    expect(parse("x #café #2026 #to-do #a_b").tags.map((tag) => tag.name)).toEqual(["café", "2026", "to-do", "a_b"]);
  });

  it("ends a tag at punctuation, which stays in the title", () => {
    expect(parse("Call #home, then rest")).toMatchObject({ title: "Call, then rest", tags: [{ name: "home" }] });
  });

  it("leaves a lone '#', '##x' and 'a#b' in the title", () => {
    for (const line of ["Room # 5", "see ##x", "C#b minor", "#"]) {
      expect(parse(line)).toMatchObject({ title: line, tags: [] });
    }
  });

  it("keeps a 33-character tag with a readable problem, and accepts 32", () => {
    const long = "a".repeat(33);
    expect(parse(`Plan #${long}`).tags).toEqual([
      { name: long, key: `#${long}`, problem: `Tag “${long}” is 33 characters long; a tag has at most 32.` },
    ]);
    expect(drafted(`Plan #${long}`)).toEqual({
      ok: false,
      problems: { line: `Tag “${long}” is 33 characters long; a tag has at most 32.` },
    });
    expect(drafted(`Plan #${"a".repeat(32)}`)).toMatchObject({ ok: true });
  });

  it("refuses 11 different tags and accepts 10, duplicates not counted", () => {
    const tags = (count: number) => Array.from({ length: count }, (_, index) => `#t${index}`).join(" ");
    expect(drafted(`Plan ${tags(11)}`)).toEqual({ ok: false, problems: { line: "A task has at most 10 tags; this one has 11." } });
    expect(drafted(`Plan ${tags(10)} #t0 #T1`)).toMatchObject({ ok: true });
  });

  it("counts the line's and the details' tags together", () => {
    const details = { ...EMPTY_DETAILS, tags: ["d1", "d2", "d3", "d4", "d5", "home"] };
    expect(drafted("Plan #home #a #b #c #d", details)).toMatchObject({ ok: true, task: { tags: ["home", "a", "b", "c", "d", "d1", "d2", "d3", "d4", "d5"] } });
    expect(drafted("Plan #home #a #b #c #d #e", details)).toMatchObject({ ok: false });
  });

  it("normalises as the backend does", () => {
    expect(normalizeTag("  Back \t  Office ")).toBe("back office");
    // "İ" lower-cases to two characters in JavaScript; the server keeps it as typed.
    expect(normalizeTag("İzmir")).toBe("İzmir");
  });

  it("explains tags the backend would refuse", () => {
    expect(tagProblem("ok tag-1_x")).toBeNull();
    expect(tagProblem("")).toBe("A tag needs at least one letter, digit, '-' or '_'.");
    expect(tagProblem("a+b")).toBe("Tag “a+b” may hold only letters, digits, spaces, '-' and '_'.");
  });
});

describe("quick add: dates, relative to the local day", () => {
  it.each([
    ["tomorrow", "2026-11-29"],
    ["today", "2026-11-28"],
    ["next fri", "2026-12-04"],
    ["friday", "2026-12-04"],
    ["dec 3", "2026-12-03"],
    ["in 3 days", "2026-12-01"],
    ["in a week", "2026-12-05"],
    ["the day after tomorrow", "2026-11-30"],
    ["next week", "2026-11-30"],
    ["2027-01-15", "2027-01-15"],
    ["may 5", "2027-05-05"],
    ["on sat", "2026-11-28"],
  ])("on Saturday 28 Nov 2026, %s is %s", (words, date) => {
    expect(dueOf(`Do it ${words}`)).toBe(date);
  });

  it("on a Friday, 'fri' is today and 'next fri' a week later", () => {
    expect(dueOf("Do it fri", FRIDAY)).toBe("2026-12-04");
    expect(dueOf("Do it next fri", FRIDAY)).toBe("2026-12-11");
  });

  it("'next week' is the coming Monday, from any day (a Monday's is a week on)", () => {
    expect(dueOf("Plan next week", FRIDAY)).toBe("2026-12-07");
    expect(dueOf("Plan next week", new Date(2026, 11, 6, 12))).toBe("2026-12-07");
    expect(dueOf("Plan next week", new Date(2026, 11, 7, 12))).toBe("2026-12-14");
  });

  it("a date already past this year is next year's", () => {
    expect(dueOf("Party dec 3", FRIDAY)).toBe("2027-12-03");
  });

  it("counts from the local day, late in the evening and across the new year", () => {
    expect(dueOf("x tomorrow", new Date(2026, 10, 28, 23, 59))).toBe("2026-11-29");
    expect(dueOf("x tomorrow", new Date(2026, 11, 31, 0, 1))).toBe("2027-01-01");
    expect(localDay(new Date(2026, 0, 5, 23, 59))).toBe("2026-01-05");
  });

  describe("in a time zone far east of UTC", () => {
    const zone = process.env.TZ;
    beforeAll(() => {
      process.env.TZ = "Pacific/Kiritimati"; // UTC+14
    });
    afterAll(() => {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    });

    it("'today' and 'tomorrow' follow the local day, not UTC's", () => {
      const morning = new Date(2026, 10, 29, 8);
      expect(morning.toISOString()).toBe("2026-11-28T18:00:00.000Z");
      expect(dueOf("x today", morning)).toBe("2026-11-29");
      expect(dueOf("x tomorrow", morning)).toBe("2026-11-30");
    });
  });

  it("takes the date's words and its 'by'/'due'/'on' out of the title", () => {
    expect(parse("Pay rent due by friday, then relax")).toMatchObject({
      title: "Pay rent, then relax",
      due: { date: "2026-12-04", text: "friday", key: "date:friday" },
    });
    expect(parse("Dentist on Monday please").title).toBe("Dentist please");
    expect(parse("Renew passport before june 10")).toMatchObject({ title: "Renew passport", due: { date: "2027-06-10" } });
    expect(parse("Rest this weekend")).toMatchObject({ title: "Rest", due: { date: "2026-11-28" } });
  });

  it("uses the first date and leaves a second one in the title", () => {
    expect(parse("Call mom tomorrow and dad friday")).toMatchObject({ title: "Call mom and dad friday", due: { date: "2026-11-29" } });
  });

  it("reads a time of day apart from the date (issue 20): the due date stays a day", () => {
    expect(parse("Call dentist tomorrow at 5pm")).toMatchObject({ title: "Call dentist", due: { date: "2026-11-29" }, time: { value: "17:00" } });
    expect(parse("Meet at 5")).toMatchObject({ title: "Meet", due: null, time: { value: "05:00" } });
  });

  // Decided: words that chrono reads as dates but people write as words stay text.
  it.each([
    "Ask if we may go", // a month alone ("may", "june") is no day
    "Tidy up in june",
    "sat exam prep", // mon, wed, sat, sun and weekend need "on", "by", "next"...
    "Buy sun cream",
    "Plan weekend trip",
    "Weekday routine",
    "Bake with 3/4 cup flour", // slashes: fractions, and 12/3 differs between the US and Europe
    "Do it now", // a moment, not a day
    "Book party feb 30", // no such day
    "Read chapter 12",
    "Plan the week", // a bare length of time: "in a week" is a date
    "Enjoy the day",
    "Pack for 3 days",
    "Away from dec 3 to dec 10", // a range has no single due date
  ])("leaves '%s' as it is", (line) => {
    expect(parse(line)).toMatchObject({ title: line, due: null });
  });

  it("does not read a tag as a date: '#friday' is a tag", () => {
    expect(parse("Meeting #friday")).toMatchObject({ title: "Meeting", due: null, tags: [{ name: "friday" }] });
  });
});

describe("quick add: removing a chip keeps its words as title text", () => {
  it("keeps a date's words, and then reads the next date", () => {
    expect(parse("Call May tomorrow", SATURDAY, new Set(["date:tomorrow"]))).toMatchObject({ title: "Call May tomorrow", due: null });
    expect(parse("Call mom tomorrow and dad friday", SATURDAY, new Set(["date:tomorrow"]))).toMatchObject({
      title: "Call mom tomorrow and dad",
      due: { date: "2026-12-04" },
    });
  });

  it("keeps a priority's or a tag's text", () => {
    expect(parse("Fix !low bug !high", SATURDAY, new Set(["!low"]))).toMatchObject({ title: "Fix !low bug", priority: { value: "high" } });
    expect(parse("Fix issue #12 #work", SATURDAY, new Set(["#12"]))).toMatchObject({ title: "Fix issue #12", tags: [{ name: "work" }] });
  });
});

describe("quick add: the title", () => {
  it("refuses a line that is only tokens, saying why", () => {
    expect(drafted("!high #home tomorrow")).toEqual({
      ok: false,
      problems: { line: "Add a title: the line holds only a priority, a date or tags." },
    });
  });

  it("refuses an empty or invisible title", () => {
    for (const line of ["", "   ", "\u200b\u2800"]) {
      expect(drafted(line)).toEqual({ ok: false, problems: { line: "Enter a title for the task." } });
    }
  });

  it("counts characters, not UTF-16 units, up to 200", () => {
    expect(drafted("😀".repeat(200))).toMatchObject({ ok: true });
    expect(drafted("x".repeat(201))).toEqual({ ok: false, problems: { line: "The title is 201 characters long; at most 200." } });
    // Tokens do not count: the title is what is left.
    expect(drafted(`${"x".repeat(200)} !high #home tomorrow`)).toMatchObject({ ok: true });
  });
});

describe("quick add: the details area", () => {
  it("fills what the line does not say; the line wins where both do", () => {
    const details = { description: "  two months  ", priority: "low" as const, dueDate: "2026-12-24", tags: ["Bills"] };
    expect(drafted("Pay rent", details)).toEqual({
      ok: true,
      task: { title: "Pay rent", description: "two months", priority: "low", due_date: "2026-12-24", tags: ["bills"] },
    });
    expect(drafted("Pay rent tomorrow !high", details)).toMatchObject({ ok: true, task: { priority: "high", due_date: "2026-11-29" } });
    // The details' tag field may hold spaces; the line's "#tag" cannot.
    expect(drafted("Pay #bills", { ...details, tags: ["  Back   Office ", "BILLS"] })).toMatchObject({ task: { tags: ["bills", "back office"] } });
  });

  it("explains a description too long, an impossible date and a bad tag, each at its field", () => {
    const details = { description: "d".repeat(2001), priority: "none" as const, dueDate: "2026-02-30", tags: ["a+b"] };
    expect(drafted("Pay rent", details)).toEqual({
      ok: false,
      problems: {
        description: "The description is 2001 characters long; at most 2000.",
        dueDate: "Enter a real date, or clear the field.",
        tags: "Tag “a+b” may hold only letters, digits, spaces, '-' and '_'.",
      },
    });
  });

  it("checks calendar dates as the backend does", () => {
    expect(["2026-02-28", "2024-02-29", "0001-01-01"].map(isCalendarDate)).toEqual([true, true, true]);
    expect(["2026-02-29", "2026-13-01", "0000-01-01", "2026-1-1", ""].map(isCalendarDate)).toEqual([false, false, false, false, false]);
  });

  it("suggests known tags, prefix matches first, not those already chosen", () => {
    const known = ["errands", "home", "homework", "shopping", "work"];
    expect(suggestTags(known, "Wor", [])).toEqual(["work", "homework"]);
    expect(suggestTags(known, "ho", ["home"])).toEqual(["homework", "shopping"]);
    expect(suggestTags(known, "", ["work"], 3)).toEqual(["errands", "home", "homework"]);
    expect(suggestTags(known, "zzz", [])).toEqual([]);
  });
});

describe("quick add: lists, times and repeats (issue 20)", () => {
  const lists = [
    { id: 4, name: "Work" },
    { id: 9, name: "Side project" },
  ];
  const read = (line: string, today = SATURDAY) => parseQuickAdd(line, { today, lists });
  const rule = (line: string) => read(line).repeat?.rule ?? null;

  it("reads ^List by name, ignoring case, with - or _ for spaces", () => {
    expect(read("Plan ^work").list).toEqual({ id: 4, name: "Work", text: "^work", key: "^work" });
    expect(read("Plan ^Side_project").list?.id).toBe(9);
    expect(read("Plan ^side-project").title).toBe("Plan");
    expect(draftTask(read("Plan ^Work"), EMPTY_DETAILS)).toMatchObject({ ok: true, task: { title: "Plan", list_id: 4 } });
    // A list that does not exist is named in the problem, not silently dropped.
    const missing = draftTask(read("Plan ^Garden"), EMPTY_DETAILS);
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.problems.line).toMatch(/no list named “Garden”/);
  });

  it("reads times: 5pm, 5:30 pm, 17:30, at 9; a time alone is due today", () => {
    expect(read("Call 5pm").time?.value).toBe("17:00");
    expect(read("Call 5:30 pm").time?.value).toBe("17:30");
    expect(read("Call 17:30").time?.value).toBe("17:30");
    expect(read("Call at 9").time?.value).toBe("09:00");
    expect(read("Call at 12am").time?.value).toBe("00:00");
    expect(read("Call at 9").title).toBe("Call");
    expect(read("Call 13pm").time ?? null).toBeNull();
    expect(draftTask(read("Call tomorrow 5pm"), EMPTY_DETAILS)).toMatchObject({ ok: true, task: { title: "Call", due_date: "2026-11-29", due_time: "17:00" } });
    expect(draftTask(read("Call at 9"), EMPTY_DETAILS)).toMatchObject({ ok: true, task: { due_date: "2026-11-28", due_time: "09:00" } });
  });

  it("reads the issue's repeats as RRULEs", () => {
    const rules = {
      "Water plants every day": "FREQ=DAILY",
      "Standup every weekday": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
      "Review every week": "FREQ=WEEKLY",
      "Review every 2 weeks": "FREQ=WEEKLY;INTERVAL=2",
      "Gym every monday": "FREQ=WEEKLY;BYDAY=MO",
      "Gym every mon and fri": "FREQ=WEEKLY;BYDAY=MO,FR",
      "Gym every fri, mon": "FREQ=WEEKLY;BYDAY=MO,FR",
      "Rent every month": "FREQ=MONTHLY",
      "Rent every 15th": "FREQ=MONTHLY;BYMONTHDAY=15",
      "Retro every last friday": "FREQ=MONTHLY;BYDAY=-1FR",
      "Taxes every year": "FREQ=YEARLY",
    };
    for (const [line, expected] of Object.entries(rules)) expect(rule(line), line).toBe(expected);
    expect(read("Gym every monday").title).toBe("Gym");
  });

  it("starts a repeat on its first day from today when no date is given (Saturday 28 Nov)", () => {
    expect(read("Gym every mon and fri").repeat?.first).toBe("2026-11-30");
    expect(read("Rent every 15th").repeat?.first).toBe("2026-12-15");
    expect(read("Retro every last friday").repeat?.first).toBe("2026-12-25");
    expect(read("Stretch every day").repeat?.first).toBe("2026-11-28");
    // A repeat's weekday is not also read as the due date.
    expect(read("Gym every monday").due).toBeNull();
    expect(draftTask(read("Gym every monday 7am"), EMPTY_DETAILS)).toMatchObject({
      ok: true,
      task: { title: "Gym", due_date: "2026-11-30", due_time: "07:00", repeat: "FREQ=WEEKLY;BYDAY=MO", repeat_from: "due" },
    });
  });

  it("counts from completion with every!, which takes only units", () => {
    expect(read("Haircut every! 3 weeks").repeat).toMatchObject({ rule: "FREQ=WEEKLY;INTERVAL=3", from: "completion", problem: null });
    expect(draftTask(read("Water every! 3 days"), EMPTY_DETAILS)).toMatchObject({ ok: true, task: { repeat: "FREQ=DAILY;INTERVAL=3", repeat_from: "completion" } });
    expect(draftTask(read("Gym every! monday"), EMPTY_DETAILS).ok).toBe(false);
  });

  it("leaves a part in the title when its chip is removed", () => {
    const parsed = parseQuickAdd("Gym every monday ^Work", { today: SATURDAY, lists, keepAsText: new Set(["repeat:every monday", "^work"]) });
    expect(parsed.title).toBe("Gym every monday ^Work");
    expect(parsed.repeat ?? null).toBeNull();
  });
});
