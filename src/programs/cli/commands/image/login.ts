import { Command } from "commander";
import { accessTokenFor } from "../../auth/access-token.js";
import { REQUEST_MINIMUM_VALIDITY } from "../../auth/token-cache.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { CREDENTIAL_HELPER_PROGRAM } from "../../docker/credential-helper.js";
import { CREDENTIAL_HELPER, configureCredentialHelper } from "../../docker/docker-config.js";
import { executableOnPath } from "../../docker/executable-on-path.js";
import { registryHostOf } from "../../docker/registry-host.js";
import { jsonOption } from "../../options.js";

export interface ImageLoginOptions {
  readonly json: boolean;
}

export function imageLoginCommand(
  context: CommandContext,
  run: RunCommand<ImageLoginOptions> = runImageLogin,
): Command {
  return new Command("login")
    .description("configure docker to get this server's registry credentials from charter")
    .addOption(jsonOption())
    .action((flags: { json?: boolean }) => run(context, { json: flags.json === true }));
}

/**
 * Points Docker's `credHelpers` entry for this server's registry host at `docker-credential-charter`,
 * which hands Docker the token of `charter login` whenever it asks. Needs a login first, since that
 * token is all the helper can give.
 */
export async function runImageLogin(context: CommandContext, options: ImageLoginOptions): Promise<void> {
  const config = context.config();
  const { cached } = await accessTokenFor(
    config,
    context.tokenCache(),
    context.clock,
    REQUEST_MINIMUM_VALIDITY,
  );
  const host = registryHostOf(config.server);
  const setup = await configureCredentialHelper(config.dockerConfigDir, host);
  const helperPath = await executableOnPath(config.executablePath, CREDENTIAL_HELPER_PROGRAM);
  if (options.json) {
    return context.out.json({
      server: config.server,
      registry: host,
      docker_config: setup.file,
      cred_helper: CREDENTIAL_HELPER,
      changed: setup.changed,
      created: setup.created,
      replaced: setup.replaced ?? null,
      helper_path: helperPath ?? null,
      expires_at: cached?.expires_at ?? null,
    });
  }
  const what = setup.changed
    ? `${setup.created ? "Created" : "Updated"} ${setup.file}: docker gets credentials for ${host} from ${CREDENTIAL_HELPER_PROGRAM}`
    : `${setup.file} already has docker get credentials for ${host} from ${CREDENTIAL_HELPER_PROGRAM}`;
  context.out.note(`${what} (no token was written).`);
  if (setup.replaced !== undefined) {
    context.out.note(`It replaced the credential helper "${setup.replaced}" for ${host}.`);
  }
  if (setup.staleAuth) {
    context.out.note(
      `The file still has an "auths" entry for ${host} from an earlier docker login; docker no longer uses it. Remove it with: docker logout ${host}`,
    );
  }
  if (helperPath === undefined) {
    context.out.note(
      `warning: ${CREDENTIAL_HELPER_PROGRAM} is not on your PATH, so docker cannot run it; it is installed with the charter package (npm link, or add its bin directory to PATH).`,
    );
  }
  if (cached === undefined) {
    context.out.note(
      `The CLI uses CHARTER_TOKEN; the helper answers only while docker runs with CHARTER_URL=${config.server} and CHARTER_TOKEN set.`,
    );
  } else {
    context.out.note(
      `The helper answers with your charter login, valid until ${cached.expires_at}; log in again after that.`,
    );
  }
  context.out.note(`Pull with: docker pull ${host}/<team>/<artifact>:<tag>`);
}
