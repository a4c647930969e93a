// Not core/index.js, which loads Fastify: every command would pay for it at start-up.
import { type Clock, systemClock } from "../../core/clock.js";
import { ApiClient } from "./api/api-client.js";
import { accessTokenFor } from "./auth/access-token.js";
import { REQUEST_MINIMUM_VALIDITY, TokenCache } from "./auth/token-cache.js";
import { type CliConfig, readCliConfig } from "./cli-config.js";
import type { CliIo } from "./cli-io.js";
import { Output } from "./output/output.js";

/**
 * What every command's run function gets (GitHub CLI's "factory"): the I/O, the clock, the output,
 * and lazily the configuration and an authenticated API client. Lazy, because global flags such as
 * `--server` are known only once commander has parsed the whole command line.
 */
export interface CommandContext {
  readonly io: CliIo;
  readonly clock: Clock;
  readonly out: Output;
  config(): CliConfig;
  tokenCache(): TokenCache;
  /** A client for the server with the user's token; fails with exit 4 when there is none. */
  api(): Promise<ApiClient>;
}

/** The context of one CLI run; `globals` reads the root command's parsed options. */
export function createCommandContext(
  io: CliIo,
  globals: () => { readonly server?: string | undefined },
): CommandContext {
  let config: CliConfig | undefined;
  const clock = io.clock ?? systemClock;
  const context: CommandContext = {
    io,
    clock,
    out: new Output(io),
    config: () => {
      config ??= readCliConfig(io.env, globals());
      return config;
    },
    tokenCache: () => new TokenCache(context.config().configDir),
    api: async () => {
      const { server } = context.config();
      const { token } = await accessTokenFor(
        context.config(),
        context.tokenCache(),
        clock,
        REQUEST_MINIMUM_VALIDITY,
      );
      return new ApiClient(server, token);
    },
  };
  return context;
}

/** A command's run function: options parsed, everything else from the context (for tests, a spy). */
export type RunCommand<O> = (context: CommandContext, options: O) => Promise<void>;
