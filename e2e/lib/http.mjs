// Plain HTTP requests, for what a browser cannot do: pick the client's own address.
import http from "node:http";

// Kept-alive connections, as a browser keeps them: a balancer then sends a client's later
// requests over server connections it keeps open too, which a stopping replica closes.
export const keepAlive = new http.Agent({ keepAlive: true });

// Every call is answered within the servers' own budgets; a call that hangs is a failed one.
const REQUEST_TIMEOUT_MS = 15_000;

/** One HTTP request, from `localAddress` when given (a client of its own, as a server sees it). */
export function request(url, { method = "GET", headers = {}, body, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const sent = http.request(
      url,
      {
        method,
        localAddress,
        agent: localAddress ? false : keepAlive,
        headers: { ...(payload ? { "Content-Type": "application/json" } : {}), ...headers },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, text }));
      },
    );
    sent.on("error", reject);
    sent.setTimeout(REQUEST_TIMEOUT_MS, () => sent.destroy(new Error("no answer in time")));
    sent.end(payload);
  });
}
