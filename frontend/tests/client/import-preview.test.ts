import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { csvRecords, formatOf, listNameOf, previewImport } from "@/lib/client/import-preview";

// The backend's test files: the same ones its import is tested with.
const FILES = path.resolve(__dirname, "../../../backend/tests/api/files");

describe("formatOf", () => {
  it("reads the format from the file's extension", () => {
    expect(formatOf("todo-export-2026-12-01.JSON")).toBe("json");
    expect(formatOf("Moving.csv")).toBe("todoist-csv");
    expect(formatOf("calendar.ics")).toBe("ics");
    expect(formatOf("notes.txt")).toBeNull();
  });

  it("names the list after a Todoist file", () => {
    expect(listNameOf("Moving house.csv")).toBe("Moving house");
  });
});

describe("csvRecords", () => {
  it("keeps quoted commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvRecords('a,"b, ""c""\r\nd"\r\ne,f\r\n')).toEqual([
      ["a", 'b, "c"\r\nd'],
      ["e", "f"],
    ]);
  });
});

describe("previewImport", () => {
  it.each([
    {
      file: "todoist-project.csv",
      format: "todoist-csv",
      counted: { lists: 1, tasks: 9, skipped: 2, firstTitles: ["Plan the move @home @big_job", "Call the landlord", "Find the lease", "Pay rent", "Stretch"] },
    },
    {
      file: "calendar-program.ics",
      format: "ics",
      counted: { lists: 0, tasks: 4, skipped: 2, firstTitles: ["Prepare the talk", "Book the room", "Weekly report", "Last workday review"] },
    },
  ] as const)("counts the tasks of $file and what is left out", ({ file, format, counted }) => {
    expect(previewImport(format, readFileSync(path.join(FILES, file), "utf8"))).toEqual(counted);
  });

  it("reads a calendar's folded and escaped summaries", () => {
    const folded = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nSUMMARY:Long\r\n  title\\, here\r\nX-TODO-LIST:Work\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    expect(previewImport("ics", folded)).toEqual({ lists: 1, tasks: 1, skipped: 0, firstTitles: ["Long title, here"] });
  });

  it("reads our JSON export", () => {
    const text = JSON.stringify({ format: "todo-export", version: 1, lists: [{ id: 1 }], tasks: [{ title: "A" }, { title: "B" }] });
    expect(previewImport("json", text)).toEqual({ lists: 1, tasks: 2, skipped: 0, firstTitles: ["A", "B"] });
  });

  it("says why a file cannot be read", () => {
    expect(() => previewImport("json", "{not json")).toThrow("not a JSON file");
    expect(() => previewImport("todoist-csv", "NAME,VALUE\r\n")).toThrow("not a Todoist CSV export");
    expect(() => previewImport("ics", "hello")).toThrow("not an iCalendar file");
  });
});
