/**
 * Runs once when the Next server starts: a bad setting stops the server with
 * one clear line instead of surfacing later as a broken page. With LOG_FORMAT=json the
 * server's console lines become JSON; with OTEL_EXPORTER_OTLP_ENDPOINT its requests are
 * traced (continuing the browser's traceparent), and nothing of OpenTelemetry loads otherwise.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { stampSocketAddresses } = await import("./lib/server/client-ip");
  stampSocketAddresses();
  const { installJsonConsole } = await import("./lib/server/log");
  installJsonConsole();
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const { registerOTel } = await import("@vercel/otel");
    registerOTel({ serviceName: process.env.OTEL_SERVICE_NAME ?? "todo-web" });
  }
  const { prepareServer } = await import("./lib/server/startup");
  await prepareServer();
}
