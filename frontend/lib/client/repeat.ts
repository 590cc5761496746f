/**
 * Repeat rules as the API stores them: an RFC 5545 RRULE subset ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR").
 * Read into parts for the editor and for the row's words ("Every 2 weeks on Mon, Fri"), and
 * written back in a fixed order. The server checks the rule; this only reads what it accepts.
 */

export const FREQS = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"] as const;
export type Freq = (typeof FREQS)[number];
export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const WEEKDAY_NAMES: Record<Weekday, string> = { MO: "Mon", TU: "Tue", WE: "Wed", TH: "Thu", FR: "Fri", SA: "Sat", SU: "Sun" };
const UNIT: Record<Freq, string> = { DAILY: "day", WEEKLY: "week", MONTHLY: "month", YEARLY: "year" };

export interface RuleParts {
  freq: Freq;
  interval: number;
  /** Weekdays, each with an ordinal under MONTHLY ("2MO", "-1FR"). */
  byday: string[];
  bymonthday: number[];
  /** Anything else the rule holds (BYMONTH, COUNT, UNTIL), kept as written. */
  rest: string[];
}

export function parseRule(rule: string): RuleParts | null {
  const parts: RuleParts = { freq: "DAILY", interval: 1, byday: [], bymonthday: [], rest: [] };
  let freq: Freq | null = null;
  for (const part of rule.split(";").filter(Boolean)) {
    const [key, value = ""] = part.split("=");
    if (key === "FREQ" && (FREQS as readonly string[]).includes(value)) freq = value as Freq;
    else if (key === "INTERVAL" && /^[1-9]\d*$/.test(value)) parts.interval = Number(value);
    else if (key === "BYDAY") parts.byday = value.split(",");
    else if (key === "BYMONTHDAY") parts.bymonthday = value.split(",").map(Number);
    else parts.rest.push(part);
  }
  return freq ? { ...parts, freq } : null;
}

export function buildRule(parts: RuleParts): string {
  return [
    `FREQ=${parts.freq}`,
    ...(parts.interval > 1 ? [`INTERVAL=${parts.interval}`] : []),
    ...(parts.byday.length ? [`BYDAY=${parts.byday.join(",")}`] : []),
    ...(parts.bymonthday.length ? [`BYMONTHDAY=${parts.bymonthday.join(",")}`] : []),
    ...parts.rest,
  ].join(";");
}

/** 1 → "1st", 22 → "22nd", -1 → "last". */
export function ordinal(n: number): string {
  if (n === -1) return "last";
  if (n < 0) return `${ordinal(-n)} to last`;
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

function dayWords(byday: string): string {
  const match = /^(-?\d+)?([A-Z]{2})$/.exec(byday);
  if (!match) return byday;
  const name = WEEKDAY_NAMES[match[2] as Weekday] ?? match[2];
  return match[1] ? `${ordinal(Number(match[1]))} ${name}` : name;
}

const WORK_WEEK = "MO,TU,WE,TH,FR";

/** The rule in words, as the row and the chips show it: "Every weekday", "Every 2 weeks on Mon, Fri". */
export function describeRepeat(rule: string, from: "due" | "completion" = "due"): string {
  const parts = parseRule(rule);
  if (!parts) return "Repeats";
  const unit = UNIT[parts.freq];
  let text = parts.interval > 1 ? `Every ${parts.interval} ${unit}s` : `Every ${unit}`;
  if (parts.freq === "WEEKLY" && parts.interval === 1 && parts.byday.join(",") === WORK_WEEK) text = "Every weekday";
  else if (parts.byday.length) text += ` on ${parts.byday.map(dayWords).join(", ")}`;
  if (parts.bymonthday.length) text += ` on the ${parts.bymonthday.map(ordinal).join(", ")}`;
  if (from === "completion") text += " after done";
  return text;
}

/** The editor's one-click choices. */
export const REPEAT_PRESETS = [
  { label: "Every day", rule: "FREQ=DAILY" },
  { label: "Every weekday", rule: `FREQ=WEEKLY;BYDAY=${WORK_WEEK}` },
  { label: "Every week", rule: "FREQ=WEEKLY" },
  { label: "Every month", rule: "FREQ=MONTHLY" },
  { label: "Every year", rule: "FREQ=YEARLY" },
] as const;
