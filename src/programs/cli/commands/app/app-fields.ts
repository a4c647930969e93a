import { type Command, InvalidArgumentError, Option } from "commander";
import { APP_FIELDS } from "./app-resource.js";

/** What `app create` and `app update` read from their flags; undefined means "not given". */
export interface AppFieldFlags {
  readonly team?: string;
  readonly name?: string;
  readonly subtitle?: string;
  readonly description?: string;
  readonly serviceUrl?: string;
  readonly scmUrl?: string;
  readonly documentationUrl?: string;
  readonly specificationUrl?: string;
  readonly supportUrl?: string;
  readonly incidentContact?: string;
  readonly criticalityLevel?: number;
  readonly publiclyAccessible?: boolean;
  readonly active?: boolean;
}

function parseLevel(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 4) throw new InvalidArgumentError("must be 1, 2, 3 or 4");
  return n;
}

function parseBoolean(value: string): boolean {
  if (value === "true" || value === "yes") return true;
  if (value === "false" || value === "no") return false;
  throw new InvalidArgumentError("must be true or false");
}

/** Adds the flags of an application's fields; `update` documents that "" clears a text field. */
export function withAppFieldOptions(command: Command, update: boolean): Command {
  const clear = update ? ' ("" clears it)' : "";
  return command
    .option("--team <team>", update ? "move to this team (needs membership in both)" : "owning team")
    .option("--name <name>", "display name")
    .option("--subtitle <text>", `one-line summary${clear}`)
    .option("--description <markdown>", `what it does, in Markdown${clear}`)
    .option("--service-url <url>", `where it serves${clear}`)
    .option("--scm-url <url>", `its source repository${clear}`)
    .option("--documentation-url <url>", `its documentation${clear}`)
    .option("--specification-url <url>", `its specification${clear}`)
    .option("--support-url <url>", `where to get help${clear}`)
    .option("--incident-contact <contact>", `who to call in an incident${clear}`)
    .addOption(
      new Option("--criticality-level <n>", "1 (most critical) to 4 (not relevant)").argParser(parseLevel),
    )
    .addOption(
      new Option("--publicly-accessible <bool>", "whether it may serve the internet without OAuth").argParser(
        parseBoolean,
      ),
    )
    .addOption(new Option("--active <bool>", "whether it is in use").argParser(parseBoolean));
}

const CAMEL: Record<(typeof APP_FIELDS)[number], keyof AppFieldFlags> = {
  name: "name",
  subtitle: "subtitle",
  description: "description",
  service_url: "serviceUrl",
  scm_url: "scmUrl",
  documentation_url: "documentationUrl",
  specification_url: "specificationUrl",
  support_url: "supportUrl",
  incident_contact: "incidentContact",
};

/**
 * The PUT body: `base` (the application as it is, for an update) with the given flags on top; an
 * empty string clears a text field.
 */
export function appBody(base: Record<string, unknown>, flags: AppFieldFlags): Record<string, unknown> {
  const body: Record<string, unknown> = { ...base };
  if (flags.team !== undefined) body.team_id = flags.team;
  for (const field of APP_FIELDS) {
    const value = flags[CAMEL[field]];
    if (value !== undefined) body[field] = value === "" ? null : value;
  }
  if (flags.criticalityLevel !== undefined) body.criticality_level = flags.criticalityLevel;
  if (flags.publiclyAccessible !== undefined) body.publicly_accessible = flags.publiclyAccessible;
  if (flags.active !== undefined) body.active = flags.active;
  return body;
}

/** The writable fields of an application as the server answered it. */
export function writableFields(app: Record<string, unknown>): Record<string, unknown> {
  const keep = ["team_id", ...APP_FIELDS, "criticality_level", "publicly_accessible", "active"];
  return Object.fromEntries(
    Object.entries(app).filter(([key, value]) => keep.includes(key) && value !== null),
  );
}
