/**
 * The quick-add line: "Pay rent tomorrow 5pm every month ^Home !high #bills" becomes a title, a
 * priority, a due date and time, a repeat, a list and tags, and the whole new task is checked against the same rules the backend enforces, so
 * a person reads what is wrong before anything is sent.
 */
import * as chrono from "chrono-node";
import type { components } from "../shared/api-types";
import { DESCRIPTION_MAX_LENGTH, TAG_MAX_LENGTH, TAGS_PER_TASK, TITLE_MAX_LENGTH } from "../shared/limits";
import type { Priority } from "../shared/priorities";
import { normalizeTag } from "../shared/tags";

export type TaskCreate = components["schemas"]["TaskCreate"];

const PRIORITY_WORDS: Record<string, Priority> = { high: "high", medium: "medium", med: "medium", low: "low" };

// A token is a whole word: it starts the line or follows whitespace, and ends the line or meets
// whitespace or closing punctuation ("#home," is the tag "home").
const TOKEN_END = String.raw`(?=$|[\s.,;:!?)])`;
const PRIORITY_TOKEN = new RegExp(String.raw`(?<=^|\s)!(high|medium|med|low)${TOKEN_END}`, "giu");
// Letters, digits, "-" and "_" as the backend's `\w` and `-` (a space would end the token).
const TAG_TOKEN = new RegExp(String.raw`(?<=^|\s)#([\p{L}\p{N}_-]+)${TOKEN_END}`, "gu");
const TAG_CHARACTERS = /^[\p{L}\p{N}_\-\s]*$/u;

/** Words written before a date that belong to it: "due by friday" leaves no stray "due by". */
const DATE_LEAD_WORDS = new Set(["by", "due", "on", "until", "before"]);
/** Words chrono reads as dates that are at least as often plain words ("sat exam", "sun cream",
 * "weekend trip", "weekday routine"): they are a date only after one of DATE_QUALIFIERS ("on sat",
 * "next wed"). */
const WORDS_NEEDING_QUALIFIER = new Set(["mon", "wed", "sat", "sun", "weekend", "weekday"]);
const DATE_QUALIFIERS = new Set([...DATE_LEAD_WORDS, "next", "this"]);

/** chrono's casual English, minus times of day: a due date is a calendar day, so "at 5pm" stays
 * in the title instead of being merged into the date and lost. Results that carry only a time are
 * dropped before chrono's refiners merge them with a neighbouring date. */
const dateReader = chrono.casual.clone();
dateReader.refiners.unshift({
  refine: (_context, results) =>
    results.filter((result) => result.start.isCertain("day") || result.start.isCertain("weekday") || !result.start.isCertain("hour")),
});

export interface ParsedPriority {
  value: Priority;
  /** What the line says, e.g. "!med". */
  text: string;
  key: string;
}

export interface ParsedDue {
  /** YYYY-MM-DD. */
  date: string;
  text: string;
  key: string;
}

export interface ParsedTag {
  /** The tag as it will be stored (see normalizeTag). */
  name: string;
  key: string;
  /** Why the backend would refuse it, or null. */
  problem: string | null;
}

export interface ParsedList {
  /** The list's id, or null when the person has no list of that name. */
  id: number | null;
  /** Its name as the person's list spells it, else as typed. */
  name: string;
  text: string;
  key: string;
}

export interface ParsedTime {
  /** "HH:MM", 24 h. */
  value: string;
  /** Today, the due date when the line names none. */
  first: string;
  text: string;
  key: string;
}

export interface ParsedRepeat {
  /** An RRULE as the API takes it: "FREQ=WEEKLY;BYDAY=MO,FR". */
  rule: string;
  from: "due" | "completion";
  /** The first day it falls on from today (the due date when the line names none). */
  first: string;
  text: string;
  key: string;
  problem: string | null;
}

export interface QuickAdd {
  /** The line without the parts that were understood. */
  title: string;
  priority: ParsedPriority | null;
  due: ParsedDue | null;
  tags: ParsedTag[];
  list?: ParsedList | null;
  time?: ParsedTime | null;
  repeat?: ParsedRepeat | null;
}

export interface QuickAddOptions {
  /** Any instant of the day that "today" means: the browser's local day. */
  today: Date;
  /** Keys (from the parse) of parts the person chose to keep as plain title text. */
  keepAsText?: ReadonlySet<string>;
  /** The person's lists, for `^Name`. */
  lists?: readonly { id: number; name: string }[];
}

/**
 * The list sigil: `^Work`. A name with spaces is written with "-" or "_" in their place
 * (`^side-project` is the list "Side project"); case does not matter.
 */
const LIST_TOKEN = new RegExp(String.raw`(?<=^|\s)\^([\p{L}\p{N}_-]+)${TOKEN_END}`, "gu");
const listKey = (name: string) => name.trim().toLowerCase().replace(/[\s_-]+/g, "-");

/** "5pm", "5:30 pm", "17:30", "at 9" (a bare hour needs "at"). */
const TIME_TOKEN = new RegExp(
  String.raw`(?<=^|\s)(?:at\s+)?(?:(\d{1,2})(?::([0-5]\d))?\s?(am|pm)|([01]?\d|2[0-3]):([0-5]\d))${TOKEN_END}|(?<=^|\s)at\s+([01]?\d|2[0-3])${TOKEN_END}`,
  "giu",
);

const WEEKDAY_CODES: Record<string, string> = {
  mon: "MO", monday: "MO", tue: "TU", tues: "TU", tuesday: "TU", wed: "WE", wednesday: "WE", thu: "TH", thur: "TH", thurs: "TH",
  thursday: "TH", fri: "FR", friday: "FR", sat: "SA", saturday: "SA", sun: "SU", sunday: "SU",
};
const WEEKDAY_INDEX: Record<string, number> = { SU: 0, MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6 };
const UNITS: Record<string, string> = { day: "DAILY", week: "WEEKLY", month: "MONTHLY", year: "YEARLY" };
const ORDINALS: Record<string, number> = { first: 1, "1st": 1, second: 2, "2nd": 2, third: 3, "3rd": 3, fourth: 4, "4th": 4, last: -1 };
const DAY_NAME = String.raw`(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?`;

/** "every …" up to what it can read: the longest form first. */
const REPEAT_TOKEN = new RegExp(
  String.raw`(?<=^|\s)every(!?)\s+(` +
    [
      String.raw`(?:\d+|other)\s+(?:day|week|month|year)s?`,
      String.raw`(?:first|second|third|fourth|1st|2nd|3rd|4th|last)\s+${DAY_NAME}`,
      String.raw`${DAY_NAME}(?:\s*(?:,|and|&)\s*${DAY_NAME})*`,
      String.raw`weekday`,
      String.raw`(?:day|week|month|year)`,
      String.raw`\d{1,2}(?:st|nd|rd|th)`,
    ].join("|") +
    `)${TOKEN_END}`,
  "giu",
);

function dayOfWeek(word: string): string {
  return WEEKDAY_CODES[word.toLowerCase()] ?? WEEKDAY_CODES[word.toLowerCase().slice(0, 3)];
}

/** The first day on or after `today` that `matches`, looking a little over a year ahead. */
function firstDay(today: Date, matches: (day: Date) => boolean): string {
  const day = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  for (let i = 0; i < 400 && !matches(day); i += 1) day.setDate(day.getDate() + 1);
  return localDay(day);
}

function nthWeekday(day: Date, weekday: number, n: number): boolean {
  if (day.getDay() !== weekday) return false;
  if (n > 0) return Math.ceil(day.getDate() / 7) === n;
  const next = new Date(day);
  next.setDate(day.getDate() + 7);
  return next.getMonth() !== day.getMonth();
}

/** The rule for what follows "every", and its first day from today. */
function readRule(words: string, today: Date): { rule: string; first: string; unitsOnly: boolean } {
  const lower = words.toLowerCase().replace(/\s+/g, " ");
  const always = () => true;
  const counted = /^(\d+|other) (day|week|month|year)s?$/.exec(lower);
  if (counted) {
    const interval = counted[1] === "other" ? 2 : Number(counted[1]);
    const rule = `FREQ=${UNITS[counted[2]]}${interval > 1 ? `;INTERVAL=${interval}` : ""}`;
    return { rule, first: firstDay(today, always), unitsOnly: true };
  }
  if (UNITS[lower]) return { rule: `FREQ=${UNITS[lower]}`, first: firstDay(today, always), unitsOnly: true };
  if (lower === "weekday") {
    return { rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", first: firstDay(today, (d) => d.getDay() % 6 !== 0), unitsOnly: false };
  }
  const nth = /^(\S+) (\S+)$/.exec(lower);
  if (nth && ORDINALS[nth[1]] !== undefined) {
    const code = dayOfWeek(nth[2]);
    const n = ORDINALS[nth[1]];
    return { rule: `FREQ=MONTHLY;BYDAY=${n}${code}`, first: firstDay(today, (d) => nthWeekday(d, WEEKDAY_INDEX[code], n)), unitsOnly: false };
  }
  const monthDay = /^(\d{1,2})(?:st|nd|rd|th)$/.exec(lower);
  if (monthDay) {
    const n = Math.min(31, Math.max(1, Number(monthDay[1])));
    return { rule: `FREQ=MONTHLY;BYMONTHDAY=${n}`, first: firstDay(today, (d) => d.getDate() === n), unitsOnly: false };
  }
  const codes = [...new Set(lower.split(/\s*(?:,|and|&)\s*/).map(dayOfWeek))];
  const ordered = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].filter((c) => codes.includes(c));
  return {
    rule: `FREQ=WEEKLY;BYDAY=${ordered.join(",")}`,
    first: firstDay(today, (d) => ordered.some((c) => WEEKDAY_INDEX[c] === d.getDay())),
    unitsOnly: false,
  };
}

function readRepeat(line: string, today: Date, keepAsText: ReadonlySet<string>): (ParsedRepeat & { span: Span }) | null {
  for (const { start, end, match } of spansOf(REPEAT_TOKEN, line)) {
    const key = `repeat:${match[0].toLowerCase().replace(/\s+/g, " ")}`;
    if (keepAsText.has(key)) continue;
    const { rule, first, unitsOnly } = readRule(match[2], today);
    const from = match[1] ? "completion" : "due";
    // From completion, the API takes only a unit and an interval ("every! 3 days").
    const problem = from === "completion" && !unitsOnly ? `“every!” counts from completion: use days, weeks, months or years (“every! 2 weeks”).` : null;
    return { rule, from, first, text: match[0], key, problem, span: { start, end } };
  }
  return null;
}

function readTime(line: string, today: Date, keepAsText: ReadonlySet<string>): (ParsedTime & { span: Span }) | null {
  for (const { start, end, match } of spansOf(TIME_TOKEN, line)) {
    const key = `time:${match[0].toLowerCase().replace(/\s+/g, " ")}`;
    if (keepAsText.has(key)) continue;
    let hour: number;
    let minute = 0;
    if (match[3]) {
      hour = Number(match[1]);
      if (hour < 1 || hour > 12) continue;
      minute = Number(match[2] ?? 0);
      hour = (hour % 12) + (match[3].toLowerCase() === "pm" ? 12 : 0);
    } else if (match[4] !== undefined) {
      hour = Number(match[4]);
      minute = Number(match[5]);
    } else {
      hour = Number(match[6]);
    }
    const value = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
    return { value, first: localDay(today), text: match[0], key, span: { start, end } };
  }
  return null;
}

function readList(line: string, lists: readonly { id: number; name: string }[], keepAsText: ReadonlySet<string>): (ParsedList & { span: Span }) | null {
  for (const { start, end, match } of spansOf(LIST_TOKEN, line)) {
    const key = `^${listKey(match[1])}`;
    if (keepAsText.has(key)) continue;
    const found = lists.find((l) => listKey(l.name) === listKey(match[1]));
    return { id: found?.id ?? null, name: found?.name ?? match[1], text: match[0], key, span: { start, end } };
  }
  return null;
}

/** The local calendar day of `date`, spelled as the API spells dates. */
export function localDay(date: Date): string {
  const pad = (value: number, width: number) => String(value).padStart(width, "0");
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}`;
}

/** A real date spelled YYYY-MM-DD from year 0001, as the backend accepts. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match || match[1] === "0000") return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function characters(text: string): number {
  return Array.from(text).length;
}

/** Why the backend would refuse this (normalised) tag, or null. */
export function tagProblem(name: string): string | null {
  if (!/[\p{L}\p{N}_-]/u.test(name)) return "A tag needs at least one letter, digit, '-' or '_'.";
  if (!TAG_CHARACTERS.test(name)) return `Tag “${name}” may hold only letters, digits, spaces, '-' and '_'.`;
  const length = characters(name);
  if (length > TAG_MAX_LENGTH) return `Tag “${name}” is ${length} characters long; a tag has at most ${TAG_MAX_LENGTH}.`;
  return null;
}

interface Span {
  start: number;
  end: number;
}

function spansOf(pattern: RegExp, line: string): (Span & { match: RegExpExecArray })[] {
  return Array.from(line.matchAll(pattern), (match) => ({ start: match.index, end: match.index + match[0].length, match }));
}

/** Spaces the spans out (same length, so chrono's offsets still point into the line). */
function blank(line: string, spans: Span[]): string {
  let masked = line;
  for (const { start, end } of spans) masked = masked.slice(0, start) + " ".repeat(end - start) + masked.slice(end);
  return masked;
}

/** The line without the spans; the pieces rejoin with one space, or none before punctuation. */
function withoutSpans(line: string, spans: Span[]): string {
  const pieces: string[] = [];
  let from = 0;
  for (const { start, end } of [...spans].sort((a, b) => a.start - b.start)) {
    pieces.push(line.slice(from, start));
    from = end;
  }
  pieces.push(line.slice(from));
  return pieces
    .map((piece) => piece.trim())
    .filter((piece) => piece.length > 0)
    .reduce((joined, piece) => (joined && !/^[.,;:!?)]/.test(piece) ? `${joined} ${piece}` : joined + piece), "");
}

function previousWord(text: string, before: number): Span & { word: string } {
  const match = /(\S+)\s*$/.exec(text.slice(0, before));
  if (!match) return { start: before, end: before, word: "" };
  return { start: match.index, end: match.index + match[1].length, word: match[1].toLowerCase() };
}

/** Whether a chrono result is a due date a person meant (see the rules above). */
function isMeantAsDate(result: chrono.ParsedResult, text: string, masked: string): boolean {
  const { start } = result;
  const tags = result.tags();
  if (result.end) return false; // "from friday to dec 3": no single due date
  if (!start.isCertain("day") && !start.isCertain("weekday")) return false; // "may", "june": months alone
  if (tags.has("casualReference/now") || tags.has("result/relativeDateAndTime")) return false; // "now", "in an hour": times
  // "enjoy the day", "one day", "for 3 weeks": a length of time; "in 3 weeks" is a date.
  if (/^(for\s+)?(a|an|one|the|\d+)\s+(day|week|month|year)s?$/i.test(text)) return false;
  if (text.includes("/")) return false; // "3/4 cup": a fraction as often as a date, and 12/3 reads differently in the US
  if (WORDS_NEEDING_QUALIFIER.has(text.toLowerCase())) {
    return DATE_QUALIFIERS.has(previousWord(masked, result.index).word);
  }
  const year = start.date().getFullYear();
  return year >= 1 && year <= 9999;
}

/** chrono reads "next week" as seven days on; a person planning a week means its first day, Monday. */
function meantDay(result: chrono.ParsedResult, text: string, today: Date): Date {
  if (!/^next\s+week$/i.test(text)) return result.start.date();
  const monday = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  monday.setDate(monday.getDate() + ((8 - monday.getDay()) % 7 || 7));
  return monday;
}

function readDue(line: string, masked: string, today: Date, keepAsText: ReadonlySet<string>): (ParsedDue & { span: Span }) | null {
  for (const result of dateReader.parse(masked, today, { forwardDate: true })) {
    // chrono may take the punctuation after a date ("friday,"): it stays in the title.
    const text = result.text.replace(/[.,;:!?]+$/, "");
    const key = `date:${text.toLowerCase()}`;
    if (keepAsText.has(key) || !isMeantAsDate(result, text, masked)) continue;
    const span = { start: result.index, end: result.index + text.length };
    // "due by friday": the lead words go with the date (at most two, then the title resumes).
    for (let taken = 0; taken < 2; taken += 1) {
      const lead = previousWord(masked, span.start);
      if (!DATE_LEAD_WORDS.has(lead.word)) break;
      span.start = lead.start;
    }
    return { date: localDay(meantDay(result, text, today)), text: line.slice(result.index, span.end), key, span };
  }
  return null;
}

/**
 * Reads the quick-add line. The first priority (`!high`, `!med`/`!medium`, `!low`) and the first
 * date are used; a repeat stays in the title for the person to see. Every `#tag` is used (the same
 * tag twice counts once); one the backend would refuse is kept, with its problem, for the person
 * to fix. What is used leaves the title; a key in `keepAsText` leaves that part in the title.
 */
export function parseQuickAdd(line: string, { today, keepAsText = new Set(), lists = [] }: QuickAddOptions): QuickAdd {
  const used: Span[] = [];

  const priorities = spansOf(PRIORITY_TOKEN, line);
  let priority: ParsedPriority | null = null;
  for (const { start, end, match } of priorities) {
    const key = match[0].toLowerCase();
    if (keepAsText.has(key)) continue;
    priority = { value: PRIORITY_WORDS[match[1].toLowerCase()], text: match[0], key };
    used.push({ start, end });
    break;
  }

  const tagTokens = spansOf(TAG_TOKEN, line);
  const tags: ParsedTag[] = [];
  for (const { start, end, match } of tagTokens) {
    const name = normalizeTag(match[1]);
    const key = `#${name}`;
    if (keepAsText.has(key)) continue;
    used.push({ start, end });
    if (!tags.some((tag) => tag.name === name)) tags.push({ name, key, problem: tagProblem(name) });
  }

  const list = readList(line, lists, keepAsText);
  const repeat = readRepeat(line, today, keepAsText);
  const time = readTime(blank(line, repeat ? [repeat.span] : []), today, keepAsText);
  for (const part of [list, repeat, time]) if (part) used.push(part.span);

  // Token-shaped text is hidden from the date reader even when kept as text: "#friday" is a tag,
  // "every monday" a repeat, "5pm" a time.
  const masked = blank(line, [...priorities, ...tagTokens, ...spansOf(LIST_TOKEN, line), ...spansOf(REPEAT_TOKEN, line), ...(time ? [time.span] : [])]);
  const due = readDue(line, masked, today, keepAsText);
  if (due) used.push(due.span);

  const strip = <T extends { span: Span }>(part: T | null): Omit<T, "span"> | null => {
    if (!part) return null;
    const rest: Partial<T> = { ...part };
    delete rest.span;
    return rest as Omit<T, "span">;
  };
  return {
    title: withoutSpans(line, used),
    priority,
    due: due && { date: due.date, text: due.text, key: due.key },
    tags,
    ...(list ? { list: strip(list) } : {}),
    ...(time ? { time: strip(time) } : {}),
    ...(repeat ? { repeat: strip(repeat) } : {}),
  };
}

/** What the details area holds besides the line. */
export interface TaskDetails {
  description: string;
  priority: Priority;
  /** YYYY-MM-DD, or "" for none. */
  dueDate: string;
  tags: string[];
}

export const EMPTY_DETAILS: TaskDetails = { description: "", priority: "none", dueDate: "", tags: [] };

/** Where each problem is shown: under the line, or under a field of the details area. */
export type DraftField = "line" | "description" | "dueDate" | "tags";
export type DraftProblems = Partial<Record<DraftField, string>>;

export type Draft = { ok: true; task: TaskCreate } | { ok: false; problems: DraftProblems };

// The backend's "visible character": not a control, format, separator or default-ignorable
// character, nor the blank braille pattern.
const VISIBLE = /[^\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]/u;

function titleProblem(parsed: QuickAdd): string | null {
  const { title } = parsed;
  if (title.includes("\u0000")) return "The title cannot contain NUL characters.";
  if (!VISIBLE.test(title)) {
    const understood = parsed.priority || parsed.due || parsed.tags.length > 0;
    return understood ? "Add a title: the line holds only a priority, a date or tags." : "Enter a title for the task.";
  }
  const length = characters(title);
  if (length > TITLE_MAX_LENGTH) return `The title is ${length} characters long; at most ${TITLE_MAX_LENGTH}.`;
  return null;
}

/** On the description as sent: trimmed. */
function descriptionProblem(description: string): string | null {
  if (description.includes("\u0000")) return "The description cannot contain NUL characters.";
  const length = characters(description.trim());
  if (length > DESCRIPTION_MAX_LENGTH) return `The description is ${length} characters long; at most ${DESCRIPTION_MAX_LENGTH}.`;
  return null;
}

/**
 * The task to create from the line and the details, or what stops it. The line's priority and
 * date win over the details' (they are what the person typed last, and shown as chips); tags
 * from both are joined.
 */
export function draftTask(parsed: QuickAdd, details: TaskDetails): Draft {
  const problems: DraftProblems = {};
  const line = [
    titleProblem(parsed),
    ...parsed.tags.map((tag) => tag.problem),
    parsed.list && parsed.list.id === null ? `There is no list named “${parsed.list.name}”. Create it in the sidebar first.` : null,
    parsed.repeat?.problem ?? null,
  ].filter((problem) => problem !== null);

  const tags = [...new Set([...parsed.tags.map((tag) => tag.name), ...details.tags.map(normalizeTag)])];
  if (tags.length > TAGS_PER_TASK) line.push(`A task has at most ${TAGS_PER_TASK} tags; this one has ${tags.length}.`);
  if (line.length > 0) problems.line = line.join(" ");

  const detailTag = details.tags.map((tag) => tagProblem(normalizeTag(tag))).find((problem) => problem !== null);
  if (detailTag) problems.tags = detailTag;
  const description = descriptionProblem(details.description);
  if (description) problems.description = description;
  if (details.dueDate && !isCalendarDate(details.dueDate)) problems.dueDate = "Enter a real date, or clear the field.";

  if (Object.keys(problems).length > 0) return { ok: false, problems };
  // A time or a repeat needs a day: the repeat's first, else today.
  const dueDate = parsed.due?.date ?? (details.dueDate || parsed.repeat?.first || parsed.time?.first || null);
  return {
    ok: true,
    task: {
      title: parsed.title,
      description: details.description.trim() || null,
      priority: parsed.priority?.value ?? details.priority,
      due_date: dueDate,
      tags,
      ...(parsed.list?.id ? { list_id: parsed.list.id } : {}),
      ...(parsed.time ? { due_time: parsed.time.value } : {}),
      ...(parsed.repeat ? { repeat: parsed.repeat.rule, repeat_from: parsed.repeat.from } : {}),
    },
  };
}

/**
 * The known tags to offer for what is typed in the tag field: those starting with it first, then
 * those containing it, leaving out the ones already chosen.
 */
export function suggestTags(known: readonly string[], typed: string, chosen: readonly string[], limit = 8): string[] {
  const wanted = normalizeTag(typed);
  const open = known.filter((tag) => !chosen.includes(tag) && tag.includes(wanted));
  return [...open.filter((tag) => tag.startsWith(wanted)), ...open.filter((tag) => !tag.startsWith(wanted))].slice(0, limit);
}
