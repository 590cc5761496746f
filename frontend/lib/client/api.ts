/**
 * Browser-side client for the FastAPI backend. It trades the session cookie
 * for a short-lived bearer token at /api/auth/token, keeps that token in
 * memory only, renews it before it expires, and retries once on a 401. A create
 * carries an Idempotency-Key of its own, the same on every retry of it, so that a
 * create retried after a lost answer (network failure, 503) never makes two tasks.
 */
import type { components } from "../shared/api-types";
import type { TokenResponse } from "../shared/token-response";

type Schemas = components["schemas"];

/** A task as the backend returns it. */
export type Task = Schemas["TaskPublic"];
export type NewTask = Schemas["TaskCreate"];
/**
 * The fields the backend lets a PATCH change, with the values a task holds:
 * the schema allows null for title and completed, but the backend refuses it.
 */
export type TaskChanges = Partial<Pick<Task, keyof Schemas["TaskUpdate"]>>;

/** The backend answered with an error status; `message` is fit to show a user. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
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
  /** Wait before retrying a create that got no answer or a 503 (default 1000 ms). */
  retryDelayMs?: number;
}

export interface ApiClient {
  listTasks(): Promise<Task[]>;
  createTask(task: NewTask): Promise<Task>;
  updateTask(id: number, changes: TaskChanges): Promise<Task>;
  deleteTask(id: number): Promise<void>;
  /** Forgets the cached token (sign-out). */
  clearToken(): void;
}

interface CachedToken {
  value: string;
  /** Local-clock time after which a new token is fetched. */
  renewAt: number;
}

const PAGE_SIZE = 100;
const MAX_RENEW_MARGIN_MS = 60_000;
const RENEW_MARGIN_SHARE = 0.2;
/** Retries of a create after a network failure or a 503 (the backend's "try again"). */
const CREATE_RETRIES = 2;

/** A fresh Idempotency-Key: a Structured Field string, so in double quotes. */
function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return `"${crypto.randomUUID()}"`;
  // randomUUID exists in secure contexts only (https, localhost).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `"${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}"`;
}

function worthRetrying(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof ApiError && error.status === 503);
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

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const tokenUrl = options.tokenUrl ?? "/api/auth/token";
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const retryDelayMs = options.retryDelayMs ?? 1000;

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
    const response = await send(tokenUrl, { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) authRequired();
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
    // The lifetime counts from when the answer arrived, on the local clock, so clock skew does not matter.
    const receivedAt = now();
    const { token, expiresIn } = readTokenResponse(await response.json());
    const lifetime = expiresIn * 1000;
    const margin = Math.min(MAX_RENEW_MARGIN_MS, lifetime * RENEW_MARGIN_SHARE);
    if (startedIn === generation) cached = { value: token, renewAt: receivedAt + lifetime - margin };
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
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const attempt = async (token: string) =>
      send(`${baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });

    const token = await getToken();
    let response = await attempt(token);
    if (response.status === 401) {
      // Drop the rejected token, unless another request already replaced it.
      if (cached?.value === token) cached = null;
      response = await attempt(await getToken());
      if (response.status === 401) authRequired();
    }
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
    return response;
  }

  return {
    async listTasks() {
      const tasks: Task[] = [];
      for (let offset = 0; ; offset += PAGE_SIZE) {
        const response = await request("GET", `/tasks?limit=${PAGE_SIZE}&offset=${offset}`);
        const page = (await response.json()) as Task[];
        tasks.push(...page);
        if (page.length < PAGE_SIZE) return tasks;
      }
    },
    async createTask(task) {
      // One key for this task, on every attempt: the backend creates it once.
      const headers = { "Idempotency-Key": newIdempotencyKey() };
      for (let retries = 0; ; retries += 1) {
        try {
          return (await (await request("POST", "/tasks", task, headers)).json()) as Task;
        } catch (error) {
          if (!worthRetrying(error) || retries >= CREATE_RETRIES) throw error;
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
        }
      }
    },
    async updateTask(id, changes) {
      return (await (await request("PATCH", `/tasks/${id}`, changes)).json()) as Task;
    },
    async deleteTask(id) {
      await request("DELETE", `/tasks/${id}`);
    },
    clearToken() {
      generation += 1;
      cached = null;
      inflight = null;
    },
  };
}
