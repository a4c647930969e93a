import { Command } from "commander";
import type { CommandContext, RunCommand } from "../command-context.js";

export type ServerOptions = Record<string, never>;

export function serverCommand(
  context: CommandContext,
  run: RunCommand<ServerOptions> = runServerCommand,
): Command {
  return new Command("server")
    .description("run the control plane (configured by CHARTER_* environment variables and DATABASE_URL)")
    .action(() => run(context, {}));
}

/**
 * Runs the control plane until SIGINT or SIGTERM. The server program is loaded only here, so that the
 * everyday commands do not pay for loading Fastify and the database drivers.
 */
export async function runServerCommand(context: CommandContext, _options: ServerOptions): Promise<void> {
  const { runServer } = await import("../../server/main.js");
  const running = await runServer(context.io.env);
  await untilSignalled();
  await running.stop();
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const signals = ["SIGINT", "SIGTERM"] as const;
    const stop = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, stop);
      resolve(signal);
    };
    for (const s of signals) process.on(s, stop);
  });
}
