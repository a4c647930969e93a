#!/usr/bin/env node
import { startTokeninfo } from "./app.js";
import { readTokeninfoConfig, TokeninfoConfigError } from "./config.js";

/**
 * `node dist/src/programs/tokeninfo/main.js [--port 9021] [--charter-url http://…]`: the sidecar on
 * its own. `charter tokeninfo` does the same through `startTokeninfo`.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof readTokeninfoConfig>;
  try {
    config = readTokeninfoConfig(process.env, process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof TokeninfoConfigError)) throw error;
    process.stderr.write(`charter tokeninfo: ${error.message}\n`);
    process.exit(2);
  }
  const sidecar = await startTokeninfo(config);
  process.stderr.write(`charter tokeninfo listening on ${sidecar.url}\n`);
  const stop = () => {
    void sidecar.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

await main();
