/**
 * Browser-side client for the FastAPI backend. It trades the session cookie
 * for a short-lived bearer token at /api/auth/token, keeps that token in
 * memory only, renews it before it expires, and retries once on a 401. A create
 * carries an Idempotency-Key of its own, the same on every retry of it, so that a
 * create retried after a lost answer (network failure, 503) never makes two tasks.
 */
import type { components, operations } from "../shared/api-types";
import type { TokenResponse } from "../shared/token-response";
import { traceHeaders } from "./trace-headers";

type Schemas = components["schemas"];
type QueryOf<Operation extends keyof operations> = NonNullable<operations[Operation]["parameters"]["query"]>;

/** A task as the backend returns it. */
export type Task = Schemas["TaskPublic"];
export type NewTask = Schemas["TaskCreate"];
/**
 * The fields the backend lets a PATCH change, with the values a task holds:
 * the schema allows null for title and completed, but the backend refuses it.
 */
export type TaskChanges = Partial<Pick<Task, Exclude<keyof Schemas["TaskUpdate"], "completed_on">>>;
export type TaskCounts = Schemas["TaskCounts"];
export type TagCount = Schemas["TagCount"];
/** A list of tasks (the sidebar's); the Inbox is `list_id: null`, not a list. */
export type TaskList = Schemas["ListPublic"];
export type ListColor = TaskList["color"];
export type NewList = Schemas["ListCreate"];
export type ListChanges = Schemas["ListUpdate"];
/** The filters every list-wide call shares (counts, clear completed). */
export type TaskFilters = QueryOf<"countTasks">;
/** The filters of toggle all: the shared ones and the completion state. */
export type TaskStateFilters = QueryOf<"completeTasks">;
/** One page of the list: filters, sort and paging. */
export type TaskListQuery = QueryOf<"listTasks">;

export interface SendOptions {
  /**
   * The page is going away (pagehide): the request is started at once with fetch keepalive,
   * so it outlives the page, with the token already in memory. Without a usable token it is
   * not sent at all (the promise rejects) rather than half-sent.
   */
  leaving?: boolean;
}

/** The backend answered with an error status; `message` is fit to show a user. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
    /** How long the server asked to wait before trying again (Retry-After), if it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Retry-After in milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The request never got an answer (server down, network gone, CORS refusal). */
export class NetworkError extends Error {
  override name = "NetworkError";
  constructor(message = "Could not reach the server.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The session is gone; the user has been sent to log in. */
export class AuthRequiredError extends Error {
  override name = "AuthRequiredError";
  constructor() {
    super("Your session has ended. Please log in again.");
  }
}

export interface ApiClientOptions {
  /** Backend base URL, e.g. http://localhost:8000. */
  baseUrl: string;
  /** Called once the session is known to be gone, to send the user to log in. */
  onAuthRequired: () => void;
  tokenUrl?: string;
  fetch?: typeof fetch;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /**
   * Waits before a create is retried after no answer or a 503, and any call after a 429: the
   * server's Retry-After when it gave one (at most 10 s), else 1 s. Injectable for tests.
   */
  sleep?: (ms: number) => Promise<void>;
}

export interface ApiClient {
  /** One page of the caller's tasks (the API's default page when no query is given). */
  listTasks(query?: TaskListQuery): Promise<Task[]>;
  countTasks(filters?: TaskFilters): Promise<TaskCounts>;
  listTags(): Promise<TagCount[]>;
  /**
   * `idempotencyKey`: a key kept with a queued create, so that every replay of it (another tab,
   * after a reload) makes one task; by default a fresh one, the same on each retry of this call.
   */
  createTask(task: NewTask, idempotencyKey?: string): Promise<Task>;
  updateTask(id: number, changes: TaskChanges): Promise<Task>;
  /** Toggle all: every task matching the filters; resolves to how many changed. */
  completeTasks(filters: TaskStateFilters, completed: boolean): Promise<number>;
  deleteTask(id: number, options?: SendOptions): Promise<void>;
  /** Clear completed: every completed task matching the filters; resolves to how many went. */
  deleteCompletedTasks(filters: TaskFilters, options?: SendOptions): Promise<number>;
  /** The caller's data as a file (GET /export): its body and the name the server gave it. */
  exportData(format: ExportFormat): Promise<{ blob: Blob; filename: string }>;
  /** Adds a file's lists and tasks (POST /import), all or nothing. */
  importData(format: ImportFormat, file: Blob, listName?: string): Promise<ImportResult>;
  /** `after`: the task it is to follow in its list (or among its parent's subtasks); null: first. */
  moveTask(id: number, after: number | null): Promise<Task>;
  listLists(): Promise<TaskList[]>;
  createList(list: NewList): Promise<TaskList>;
  updateList(id: number, changes: ListChanges): Promise<TaskList>;
  /** `tasks`: what becomes of its tasks, moved to the Inbox or deleted with it. */
  deleteList(id: number, tasks: "inbox" | "delete"): Promise<void>;
  /** A token for a request the client does not make itself (the change stream), and when it expires (local clock). */
  authorization(): Promise<{ token: string; expiresAt: number }>;
  /** The backend refused `token` (401): the next authorization fetches a new one. */
  rejectToken(token: string): void;
  /** Forgets the cached token (sign-out). */
  clearToken(): void;
}

export type ExportFormat = NonNullable<QueryOf<"exportData">["format"]>;
export type ImportFormat = QueryOf<"importData">["format"];
export type ImportResult = Schemas["ImportResult"];
/** The media type POST /import is sent with, per format. */
export const IMPORT_MEDIA_TYPES: Readonly<Record<ImportFormat, string>> = {
  json: "application/json",
  "todoist-csv": "text/csv",
  ics: "text/calendar",
};

/** The file name of a Content-Disposition header, or `fallback`. */
export function attachmentName(header: string | null, fallback: string): string {
  const match = /filename="([^"]+)"/.exec(header ?? "");
  return match?.[1] ?? fallback;
}

interface CachedToken {
  value: string;
  /** Local-clock time after which a new token is fetched. */
  renewAt: number;
  /** Local-clock time at which the backend stops accepting it. */
  expiresAt: number;
}

type QueryValue = string | number | boolean | null | undefined | readonly string[];

/** "?a=1&tag=x&tag=y" from a query object: arrays repeat their key, null and undefined are left out. */
export function queryString(query: Readonly<Record<string, QueryValue>> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const search = params.toString();
  return search ? `?${search}` : "";
}
const MAX_RENEW_MARGIN_MS = 60_000;
const RENEW_MARGIN_SHARE = 0.2;
/** Retries of a create after a network failure or a 503 (the backend's "try again"). */
const CREATE_RETRIES = 2;
const RETRY_DELAY_MS = 1000;
/** A longer Retry-After is not waited for: the user is told and can try again. */
const MAX_RETRY_DELAY_MS = 10_000;
/**
 * Retries of any call the API refused with 429 for the user's requests in flight
 * (MAX_INFLIGHT_PER_USER): it did nothing with it, so sending it again is safe.
 */
const BUSY_RETRIES = 3;

/** A fresh Idempotency-Key: a Structured Field string, so in double quotes. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return `"${crypto.randomUUID()}"`;
  // randomUUID exists in secure contexts only (https, localhost).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `"${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}"`;
}

/** How long to wait before retrying a create after `error`, or null when it is not worth it. */
function retryDelay(error: unknown): number | null {
  if (error instanceof NetworkError) return RETRY_DELAY_MS;
  if (!(error instanceof ApiError) || error.status !== 503) return null;
  const asked = error.retryAfterMs ?? RETRY_DELAY_MS;
  return asked > MAX_RETRY_DELAY_MS ? null : asked;
}

/** The token route's answer, checked: the renewal schedule depends on `expiresIn`. */
function readTokenResponse(body: unknown): Pick<TokenResponse, "token" | "expiresIn"> {
  const { token, expiresIn } = (body ?? {}) as Partial<TokenResponse>;
  if (typeof token !== "string" || !token || typeof expiresIn !== "number" || !(expiresIn > 0)) {
    throw new Error("the token route answered without a token and a positive expiresIn");
  }
  return { token, expiresIn };
}

/** Turns FastAPI's `{detail: string | [{msg}]}` into one readable line. */
async function errorMessage(response: Response): Promise<string> {
  const body: unknown = await response.json().catch(() => null);
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    const messages = detail
      .map((item) => (item as { msg?: unknown } | null)?.msg)
      .filter((msg): msg is string => typeof msg === "string");
    if (messages.length > 0) return messages.join("; ");
  }
  return `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`;
}

async function apiError(response: Response): Promise<ApiError> {
  const wait = retryAfterMs(response.headers.get("Retry-After"), Date.now());
  return new ApiError(response.status, await errorMessage(response), wait);
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const tokenUrl = options.tokenUrl ?? "/api/auth/token";
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  let cached: CachedToken | null = null;
  let inflight: Promise<string> | null = null;
  // Bumped by clearToken so a fetch started before sign-out cannot refill the cache.
  let generation = 0;

  async function send(input: string, init: RequestInit): Promise<Response> {
    try {
      return await doFetch(input, init);
    } catch (error) {
      throw new NetworkError(undefined, { cause: error });
    }
  }

  function authRequired(): never {
    cached = null;
    options.onAuthRequired();
    throw new AuthRequiredError();
  }

  async function fetchToken(): Promise<string> {
    const startedIn = generation;
    const response = await send(tokenUrl, { credentials: "same-origin", cache: "no-store", headers: traceHeaders() });
    if (response.status === 401) authRequired();
    if (!response.ok) throw await apiError(response);
    // The lifetime counts from when the answer arrived, on the local clock, so clock skew does not matter.
    const receivedAt = now();
    const { token, expiresIn } = readTokenResponse(await response.json());
    const lifetime = expiresIn * 1000;
    const margin = Math.min(MAX_RENEW_MARGIN_MS, lifetime * RENEW_MARGIN_SHARE);
    if (startedIn === generation) {
      cached = { value: token, renewAt: receivedAt + lifetime - margin, expiresAt: receivedAt + lifetime };
    }
    return token;
  }

  /** One token fetch at a time: concurrent callers share the same promise. */
  function getToken(): Promise<string> {
    if (cached && now() < cached.renewAt) return Promise.resolve(cached.value);
    inflight ??= fetchToken().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  async function request(
    method: string,
    path: string,
    body?: unknown,
    options: SendOptions = {},
    headers: Readonly<Record<string, string>> = {},
  ): Promise<Response> {
    const attempt = async (token: string) =>
      send(`${baseUrl}${path}`, {
        method,
        headers: {
          ...traceHeaders(),
          Authorization: `Bearer ${token}`,
          ...(body === undefined || body instanceof Blob ? {} : { "Content-Type": "application/json" }),
          ...headers,
        },
        // A file (an import) goes as it is, with its own media type in `headers`.
        body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
        cache: "no-store",
        keepalive: options.leaving === true,
      });

    if (options.leaving) {
      // Everything up to fetch() runs now, inside the pagehide handler: no await before it.
      if (!cached || now() >= cached.expiresAt) throw new NetworkError("Not sent: the page closed without a valid token.");
      const response = await attempt(cached.value);
      if (!response.ok) throw await apiError(response);
      return response;
    }

    const token = await getToken();
    let response = await attempt(token);
    for (let retry = 0; response.status === 429 && retry < BUSY_RETRIES; retry++) {
      const asked = retryAfterMs(response.headers.get("Retry-After"), Date.now()) ?? RETRY_DELAY_MS;
      if (asked > MAX_RETRY_DELAY_MS) break;
      await sleep(asked);
      response = await attempt(token);
    }
    if (response.status === 401) {
      // Drop the rejected token, unless another request already replaced it.
      if (cached?.value === token) cached = null;
      response = await attempt(await getToken());
      if (response.status === 401) authRequired();
    }
    if (!response.ok) throw await apiError(response);
    return response;
  }

  return {
    async listTasks(query) {
      return (await (await request("GET", `/tasks${queryString(query)}`)).json()) as Task[];
    },
    async countTasks(filters) {
      return (await (await request("GET", `/tasks/counts${queryString(filters)}`)).json()) as TaskCounts;
    },
    async listTags() {
      return (await (await request("GET", "/tags")).json()) as TagCount[];
    },
    async createTask(task, idempotencyKey) {
      // One key for this task, on every attempt: the backend creates it once.
      const headers = { "Idempotency-Key": idempotencyKey ?? newIdempotencyKey() };
      for (let retries = 0; ; retries += 1) {
        try {
          return (await (await request("POST", "/tasks", task, {}, headers)).json()) as Task;
        } catch (error) {
          const delay = retryDelay(error);
          if (delay === null || retries >= CREATE_RETRIES) throw error;
          await sleep(delay);
        }
      }
    },
    async updateTask(id, changes) {
      return (await (await request("PATCH", `/tasks/${id}`, changes)).json()) as Task;
    },
    async completeTasks(filters, completed) {
      const response = await request("PATCH", `/tasks${queryString(filters)}`, { completed });
      return ((await response.json()) as Schemas["BulkUpdated"]).updated;
    },
    async deleteTask(id, options) {
      await request("DELETE", `/tasks/${id}`, undefined, options);
    },
    async deleteCompletedTasks(filters, options) {
      const response = await request("DELETE", `/tasks${queryString({ ...filters, completed: true })}`, undefined, options);
      return ((await response.json()) as Schemas["BulkDeleted"]).deleted;
    },
    async exportData(format) {
      const response = await request("GET", `/export${queryString({ format })}`);
      return { blob: await response.blob(), filename: attachmentName(response.headers.get("Content-Disposition"), `todo-export.${format}`) };
    },
    async importData(format, file, listName) {
      const path = `/import${queryString({ format, list_name: listName || undefined })}`;
      const response = await request("POST", path, file, {}, { "Content-Type": IMPORT_MEDIA_TYPES[format] });
      return (await response.json()) as ImportResult;
    },
    async moveTask(id, after) {
      return (await (await request("POST", `/tasks/${id}/move`, { after })).json()) as Task;
    },
    async listLists() {
      return (await (await request("GET", "/lists")).json()) as TaskList[];
    },
    async createList(list) {
      return (await (await request("POST", "/lists", list)).json()) as TaskList;
    },
    async updateList(id, changes) {
      return (await (await request("PATCH", `/lists/${id}`, changes)).json()) as TaskList;
    },
    async deleteList(id, tasks) {
      await request("DELETE", `/lists/${id}${tasks === "delete" ? "?tasks=delete" : ""}`);
    },
    async authorization() {
      const token = await getToken();
      return { token, expiresAt: cached?.value === token ? cached.expiresAt : now() };
    },
    rejectToken(token) {
      if (cached?.value === token) cached = null;
    },
    clearToken() {
      generation += 1;
      cached = null;
      inflight = null;
    },
  };
}
