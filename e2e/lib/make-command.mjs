// Runs one of the README's make commands as a person does, for the tests of those commands.
import { spawn } from "node:child_process";
import net from "node:net";

import { ROOT } from "./system.mjs";

/** `make TARGET` in its own process group, so that a SIGINT reaches every process in it, as Ctrl-C does. */
export function runMake(target, env) {
  const child = spawn("make", ["--no-print-directory", target], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.output = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk) => (child.output += chunk.toString()));
  }
  child.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  return child;
}

export async function waitForOutput(child, pattern, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (!pattern.test(child.output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      // Its start (where make says what failed) and its end (the servers' last words).
      const { output } = child;
      const shown = output.length > 6000 ? `${output.slice(0, 3000)}\n[…]\n${output.slice(-3000)}` : output;
      throw new Error(`no ${pattern} in the output of make:\n${shown}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Ctrl-C, then at most 15 s for every process to end. A make that has already ended is left
 * alone: killing its gone process group would throw ESRCH and hide why it ended. */
export async function ctrlC(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  process.kill(-child.pid, "SIGINT");
  await Promise.race([
    child.exited,
    new Promise((_, reject) => setTimeout(() => reject(new Error("still running")), 15_000)),
  ]);
}

export function listening(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once("connect", () => socket.end(() => resolve(true)));
    socket.once("error", () => resolve(false));
  });
}
