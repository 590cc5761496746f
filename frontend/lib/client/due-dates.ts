/**
 * Due dates are calendar days ("YYYY-MM-DD"): the server stays time-zone free, so "today" is
 * always the browser's local day, and day arithmetic is done on whole days, never on
 * timestamps (a day across a daylight-saving change is not 24 hours).
 */

const DAY_MS = 86_400_000;

/** The local calendar day of `date`, as the API writes it. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Days since the epoch of a "YYYY-MM-DD" day, counted in UTC so no offset can shift it. */
function dayNumber(day: string): number {
  const [year, month, date] = day.split("-").map(Number);
  return Math.round(Date.UTC(year, month - 1, date) / DAY_MS);
}

export function addDays(day: string, days: number): string {
  return new Date((dayNumber(day) + days) * DAY_MS).toISOString().slice(0, 10);
}

/** How many days `day` is after `today` (negative: before). */
export function daysFrom(today: string, day: string): number {
  return dayNumber(day) - dayNumber(today);
}

export type DueTone = "overdue" | "today" | "soon" | "later" | "done";

export interface DueLabel {
  /** What the row shows: "Today", "Tomorrow", "Overdue 3 d", "Fri", "Dec 3". */
  text: string;
  /** The same for a screen reader, in words: "overdue by 3 days". */
  spoken: string;
  tone: DueTone;
}

function calendarText(day: string, today: string, weekdayOnly: boolean): string {
  const [year, month, date] = day.split("-").map(Number);
  const utc = new Date(Date.UTC(year, month - 1, date));
  const options: Intl.DateTimeFormatOptions = weekdayOnly
    ? { weekday: "short", timeZone: "UTC" }
    : { month: "short", day: "numeric", timeZone: "UTC", ...(today.slice(0, 4) === day.slice(0, 4) ? {} : { year: "numeric" }) };
  return utc.toLocaleDateString("en-US", options);
}

/**
 * A due date relative to the local day. A completed task is never overdue: it shows its date.
 */
export function dueLabel(due: string, today: string, completed = false): DueLabel {
  const days = daysFrom(today, due);
  const date = calendarText(due, today, false);
  if (days < 0 && !completed) {
    const spoken = `overdue by ${-days} ${-days === 1 ? "day" : "days"}, due ${date}`;
    return { text: `Overdue ${-days} d`, spoken, tone: "overdue" };
  }
  const tone: DueTone = completed ? "done" : days === 0 ? "today" : days < 7 ? "soon" : "later";
  if (days === 0) return { text: "Today", spoken: "due today", tone };
  if (days === 1) return { text: "Tomorrow", spoken: "due tomorrow", tone };
  if (days > 1 && days < 7) {
    const weekday = calendarText(due, today, true);
    return { text: weekday, spoken: `due ${weekday}, ${date}`, tone };
  }
  return { text: date, spoken: `due ${date}`, tone };
}

/** The due-date filters offered by the list, each a range of local days. */
export const DUE_PRESETS = ["overdue", "today", "week", "none"] as const;
export type DuePreset = (typeof DUE_PRESETS)[number];

export interface DueRange {
  due_from?: string;
  due_to?: string;
  has_due?: boolean;
}

/**
 * The API filter for a preset. "This week" is today and the six days after it, so it never
 * shrinks to one day on a Sunday; overdue is anything due before today.
 */
export function dueRange(preset: DuePreset, today: string): DueRange {
  switch (preset) {
    case "overdue":
      return { due_to: addDays(today, -1) };
    case "today":
      return { due_from: today, due_to: today };
    case "week":
      return { due_from: today, due_to: addDays(today, 6) };
    case "none":
      return { has_due: false };
  }
}

/**
 * How a chosen due date reads, in the browser's language: "Mon, Nov 30". A date in another year
 * names its year ("Wed, Dec 1, 2027"), so "dec 1" typed on Dec 5 shows which December it meant.
 */
export function chipDay(isoDate: string, today: Date): string {
  const [year, month, day] = isoDate.split("-").map(Number);
  const date = new Date(year, month - 1, day);
  return date.toLocaleDateString(undefined, {
    weekday: "short",
    month: "short",
    day: "numeric",
    ...(year === today.getFullYear() ? {} : { year: "numeric" }),
  });
}

/** An Upcoming day group's heading: "Today · Sun, Dec 6", "Tomorrow · Mon, Dec 7", "Tue, Dec 8". */
export function dayHeading(day: string, today: string): string {
  const [year, month, date] = day.split("-").map(Number);
  const text = new Date(Date.UTC(year, month - 1, date)).toLocaleDateString("en-US", { weekday: "short", month: "short", day: "numeric", timeZone: "UTC" });
  const days = daysFrom(today, day);
  if (days === 0) return `Today · ${text}`;
  if (days === 1) return `Tomorrow · ${text}`;
  return text;
}
