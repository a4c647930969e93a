import { AppsErrors } from "../../apps/index.js";
import { AuditErrors } from "../../audit/index.js";
import { CloudErrors } from "../../cloud/index.js";
import { CoreErrors, type ErrorSpec } from "../../core/index.js";
import { IdentityErrors } from "../../identity/index.js";
import { ImagesErrors } from "../../images/index.js";
import { RevocationErrors, TokensErrors, VerificationErrors } from "../../tokens/index.js";

/** Every error code the server can answer with, by part; docs/errors.md is generated from it. */
export const ERROR_CATALOG: ReadonlyArray<{
  readonly part: string;
  readonly specs: Record<string, ErrorSpec>;
}> = [
  { part: "core", specs: CoreErrors.specs },
  { part: "cloud", specs: CloudErrors.specs },
  { part: "identity", specs: IdentityErrors.specs },
  { part: "tokens", specs: TokensErrors.specs },
  { part: "tokens (verification)", specs: VerificationErrors.specs },
  { part: "tokens (revocation)", specs: RevocationErrors.specs },
  { part: "audit", specs: AuditErrors.specs },
  { part: "apps", specs: AppsErrors.specs },
  { part: "images", specs: ImagesErrors.specs },
];
