#!/usr/bin/env node
import { runCredentialHelper } from "./docker/credential-helper.js";

// Docker's credential helper for Charter's registry (see docs/cli.md, "charter image login").
process.exitCode = await runCredentialHelper(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: Object.freeze({ ...process.env }),
});
