/**
 * What a file about to be imported holds, read in the browser before anything is sent: the
 * format its name suggests, and counts and first titles for the confirm step. A rough look
 * only: the server reads the file for real, and refuses it whole (a 422 naming the line) when
 * it is not right.
 */
import type { ImportFormat } from "./api";

export interface ImportPreview {
  lists: number;
  tasks: number;
  /** Rows the import will leave out (Todoist sections and comments, calendar events). */
  skipped: number;
  /** The first few task titles. */
  firstTitles: string[];
}

const SHOWN = 5;

/** The import format a file's name suggests, or null. */
export function formatOf(fileName: string): ImportFormat | null {
  const name = fileName.toLowerCase();
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".csv")) return "todoist-csv";
  if (name.endsWith(".ics") || name.endsWith(".ical") || name.endsWith(".ifb")) return "ics";
  return null;
}

/** A Todoist project's file is named after the project: the list its tasks go to. */
export function listNameOf(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, "").trim().slice(0, 60);
}

function previewJson(text: string): ImportPreview {
  const data = JSON.parse(text) as { lists?: unknown; tasks?: unknown };
  const lists = Array.isArray(data.lists) ? data.lists : [];
  const tasks = Array.isArray(data.tasks) ? (data.tasks as { title?: unknown }[]) : [];
  const firstTitles = tasks.slice(0, SHOWN).map((task) => String(task.title ?? ""));
  return { lists: lists.length, tasks: tasks.length, skipped: 0, firstTitles };
}

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += char;
  }
  if (field || record.length) records.push([...record, field]);
  return records;
}

function previewTodoist(text: string): ImportPreview {
  const [head = [], ...rows] = csvRecords(text.replace(/^\uFEFF/, ""));
  const type = head.findIndex((name) => name.trim().toUpperCase() === "TYPE");
  const content = head.findIndex((name) => name.trim().toUpperCase() === "CONTENT");
  if (type < 0 || content < 0) throw new Error("no TYPE and CONTENT columns: not a Todoist CSV export");
  const tasks = rows.filter((row) => row[type]?.trim() === "task");
  const skipped = rows.filter((row) => ["section", "note"].includes(row[type]?.trim() ?? "")).length;
  const firstTitles = tasks.slice(0, SHOWN).map((row) => row[content] ?? "");
  return { lists: 1, tasks: tasks.length, skipped, firstTitles };
}

function previewIcs(text: string): ImportPreview {
  // Folded lines (RFC 5545: a line break then a space) are joined first.
  const lines = text.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);
  let tasks = 0;
  let events = 0;
  let inTodo = false;
  const firstTitles: string[] = [];
  const lists = new Set<string>();
  for (const line of lines) {
    if (line === "BEGIN:VTODO") {
      tasks += 1;
      inTodo = true;
    } else if (line === "END:VTODO") inTodo = false;
    else if (line === "BEGIN:VEVENT") events += 1;
    else if (inTodo && /^SUMMARY[;:]/.test(line) && firstTitles.length < SHOWN) {
      firstTitles.push(line.slice(line.indexOf(":") + 1).replace(/\\([,;\\])/g, "$1"));
    } else if (inTodo && line.startsWith("X-TODO-LIST:")) lists.add(line.slice(12).toLowerCase());
  }
  if (!text.includes("BEGIN:VCALENDAR")) throw new Error("no BEGIN:VCALENDAR: not an iCalendar file");
  return { lists: lists.size, tasks, skipped: events, firstTitles };
}

/** The preview of `text` read as `format`; throws with a readable message when it cannot be read. */
export function previewImport(format: ImportFormat, text: string): ImportPreview {
  if (format === "json") {
    try {
      return previewJson(text);
    } catch {
      throw new Error("not a JSON file");
    }
  }
  return format === "todoist-csv" ? previewTodoist(text) : previewIcs(text);
}
