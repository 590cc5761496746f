"use client";

import { useMemo, useRef, useState, type ChangeEvent } from "react";
import { ApiError, createApiClient, type ExportFormat, type ImportFormat, type ImportResult } from "@/lib/client/api";
import { authClient, authFailure } from "@/lib/client/auth-client";
import { formatOf, listNameOf, previewImport, type ImportPreview } from "@/lib/client/import-preview";
import { withNext } from "@/lib/shared/safe-redirect";
import { AccountSection } from "./account-section";

const EXPORTS: readonly { format: ExportFormat; label: string }[] = [
  { format: "json", label: "Download JSON" },
  { format: "csv", label: "Download CSV" },
  { format: "ics", label: "Download calendar (.ics)" },
];
const FORMAT_NAMES: Readonly<Record<ImportFormat, string>> = {
  json: "this app's JSON export",
  "todoist-csv": "a Todoist project (CSV)",
  ics: "a calendar file (iCalendar)",
};
/** The import's limit (the API answers 413 beyond). */
const MAX_BYTES = 10 * 1024 * 1024;

type Step =
  | { kind: "idle" }
  | { kind: "reading"; loaded: number; total: number }
  | { kind: "preview"; file: File; format: ImportFormat; preview: ImportPreview; listName: string }
  | { kind: "importing"; file: File }
  | { kind: "done"; result: ImportResult }
  | { kind: "failed"; message: string };

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Reads the file as text, reporting progress (large files take a moment). */
function readText(file: File, onProgress: (loaded: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onprogress = (event) => onProgress(event.loaded);
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error("The file could not be read."));
    reader.readAsText(file);
  });
}

/** "Your data": the caller's lists and tasks out (three formats) and in (a file, previewed, then confirmed). */
export function YourData({ apiUrl }: { apiUrl: string }) {
  const api = useMemo(
    () =>
      createApiClient({
        baseUrl: apiUrl,
        onAuthRequired: () => void authFailure(authClient.signOut()).then(() => window.location.assign(withNext("/auth/login", "/account"))),
      }),
    [apiUrl],
  );
  const [downloading, setDownloading] = useState<ExportFormat | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const fileInput = useRef<HTMLInputElement>(null);

  async function download(format: ExportFormat) {
    setDownloading(format);
    setExportError(null);
    try {
      const { blob, filename } = await api.exportData(format);
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (error) {
      setExportError(error instanceof Error ? error.message : "The download failed.");
    } finally {
      setDownloading(null);
    }
  }

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.currentTarget.files?.[0];
    if (!file) return;
    const format = formatOf(file.name);
    if (!format) return setStep({ kind: "failed", message: "Choose a .json, .csv or .ics file." });
    if (file.size > MAX_BYTES) return setStep({ kind: "failed", message: `The file is ${megabytes(file.size)}: at most 10 MB can be imported.` });
    setStep({ kind: "reading", loaded: 0, total: file.size });
    try {
      const text = await readText(file, (loaded) => setStep({ kind: "reading", loaded, total: file.size }));
      const preview = previewImport(format, text);
      setStep({ kind: "preview", file, format, preview, listName: format === "todoist-csv" ? listNameOf(file.name) : "" });
    } catch (error) {
      setStep({ kind: "failed", message: `This file cannot be imported: ${error instanceof Error ? error.message : "unreadable"}.` });
    }
  }

  async function confirm() {
    if (step.kind !== "preview") return;
    const { file, format, listName } = step;
    setStep({ kind: "importing", file });
    try {
      const result = await api.importData(format, file, format === "todoist-csv" ? listName : undefined);
      setStep({ kind: "done", result });
    } catch (error) {
      const message = error instanceof ApiError || error instanceof Error ? error.message : "The import failed.";
      setStep({ kind: "failed", message: `Nothing was imported: ${message}` });
    }
    if (fileInput.current) fileInput.current.value = "";
  }

  function reset() {
    setStep({ kind: "idle" });
    if (fileInput.current) fileInput.current.value = "";
  }

  return (
    <AccountSection title="Your data" className="your-data">
      <p>Download your lists and tasks, or bring tasks in from a file.</p>
      <div className="export-buttons">
        {EXPORTS.map(({ format, label }) => (
          <button key={format} type="button" onClick={() => void download(format)} disabled={downloading !== null}>
            {downloading === format ? "Preparing…" : label}
          </button>
        ))}
      </div>
      {exportError && (
        <p role="alert" className="form-alert">
          {exportError}
        </p>
      )}
      <h3>Import</h3>
      <p className="muted">This app&apos;s JSON export, a Todoist project exported as CSV, or a calendar file (.ics) with to-dos. At most 10 MB.</p>
      <label className="field">
        <span>File to import</span>
        <input ref={fileInput} type="file" name="import-file" accept=".json,.csv,.ics,application/json,text/csv,text/calendar" onChange={(event) => void choose(event)} disabled={step.kind === "importing" || step.kind === "reading"} />
      </label>
      {step.kind === "reading" && (
        <p aria-live="polite">
          Reading the file… <progress value={step.loaded} max={step.total} aria-label="Reading the file" />
        </p>
      )}
      {step.kind === "preview" && (
        <div className="import-preview" aria-live="polite">
          <p>
            {step.file.name} looks like {FORMAT_NAMES[step.format]}: <strong>{step.preview.tasks} tasks</strong>
            {step.preview.lists > 0 && <> in {step.preview.lists} {step.preview.lists === 1 ? "list" : "lists"}</>}
            {step.preview.skipped > 0 && <>, {step.preview.skipped} other rows left out</>}.
          </p>
          {step.preview.firstTitles.length > 0 && (
            <ul className="preview-titles" aria-label="First tasks">
              {step.preview.firstTitles.map((title, index) => (
                <li key={index}>{title}</li>
              ))}
            </ul>
          )}
          {step.format === "todoist-csv" && (
            <label className="field">
              <span>List to import into</span>
              <input type="text" name="list-name" maxLength={60} value={step.listName} onChange={(event) => setStep({ ...step, listName: event.currentTarget.value })} />
            </label>
          )}
          <div className="actions">
            <button type="button" onClick={() => void confirm()}>
              Import {step.preview.tasks} tasks
            </button>
            <button type="button" className="secondary" onClick={reset}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {step.kind === "importing" && (
        <p aria-live="polite">
          Importing {step.file.name} ({megabytes(step.file.size)})… <progress aria-label="Importing" />
        </p>
      )}
      {step.kind === "done" && (
        <div role="status" className="import-result">
          <p>
            Imported {step.result.created.tasks} tasks
            {step.result.created.lists > 0 && <> and {step.result.created.lists} new {step.result.created.lists === 1 ? "list" : "lists"}</>}.
          </p>
          {step.result.skipped.length > 0 && (
            <details>
              <summary>{step.result.skipped.length} notes about the file</summary>
              <ul>
                {step.result.skipped.map((item, index) => (
                  <li key={index}>
                    {item.line != null ? `Line ${item.line}: ` : item.uid ? `${item.uid}: ` : ""}
                    {item.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
      {step.kind === "failed" && (
        <p role="alert" className="form-alert">
          {step.message}
        </p>
      )}
    </AccountSection>
  );
}
