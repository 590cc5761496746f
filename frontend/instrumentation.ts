/**
 * Runs once when the Next server starts: a bad setting stops the server with
 * one clear line instead of surfacing later as a broken page.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { stampSocketAddresses } = await import("./lib/server/client-ip");
  stampSocketAddresses();
  const { prepareServer } = await import("./lib/server/startup");
  await prepareServer();
}
