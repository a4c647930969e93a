import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ExitCode } from "../../cli-error.js";
import { runCli } from "../../run-cli.js";
import { type MemoryIoOptions, memoryIo } from "../../testing/memory-io.js";
import { type StubAnswer, type StubApi, type StubRequest, startStubApi } from "../../testing/stub-api.js";

// `charter app|version|approve` against a stub API: what each command sends and prints.

let configDir: string;
let stub: StubApi;
let answer: (request: StubRequest) => StubAnswer;

beforeAll(async () => {
  stub = await startStubApi((request) => answer(request));
});
afterAll(() => stub.close());
beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), "charter-cli-apps-"));
  stub.requests.length = 0;
});
afterEach(() => rm(configDir, { recursive: true, force: true }));

async function cli(argv: string[], options: MemoryIoOptions = {}) {
  const io = memoryIo({
    ...options,
    env: { CHARTER_URL: stub.url, CHARTER_CONFIG_DIR: configDir, CHARTER_TOKEN: "test-token" },
  });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

const notFound: StubAnswer = { status: 404, json: { status: 404, code: "APPS_APP_NOT_FOUND", detail: "no" } };
const shop = {
  id: "shop",
  team_id: "alpha",
  name: "Shop",
  subtitle: "Sells things",
  description: null,
  service_url: null,
  scm_url: "https://git.example.com/shop",
  documentation_url: null,
  specification_url: null,
  support_url: null,
  incident_contact: null,
  criticality_level: 2,
  publicly_accessible: false,
  active: true,
  created_at: "2026-01-01T00:00:00.000Z",
  created_by: "ann",
  modified_at: "2026-01-01T00:00:00.000Z",
  modified_by: "ann",
};
const ARTIFACT = `registry.example.com/alpha/shop:1.0@sha256:${"a".repeat(64)}`;

describe("charter app", () => {
  it("lists with the filters as query parameters, as a table", async () => {
    answer = () => ({ status: 200, json: { items: [shop], next_cursor: null } });
    const { code, stdout } = await cli([
      "app",
      "list",
      "--team",
      "alpha",
      "--inactive",
      "--since",
      "2026-01-01T00:00:00Z",
    ]);
    expect(code).toBe(ExitCode.ok);
    expect(Object.fromEntries(stub.requests[0]!.query)).toEqual({
      team: "alpha",
      active: "false",
      modified_since: "2026-01-01T00:00:00Z",
    });
    expect(stdout).toMatch(
      /^ID\s+TEAM\s+NAME\s+CRIT\s+ACTIVE\s+SUBTITLE\nshop\s+alpha\s+Shop\s+2\s+yes\s+Sells things\n$/,
    );
  });

  it("searches and shows the matching text without markup", async () => {
    answer = () => ({
      status: 200,
      json: {
        items: [{ ...shop, matched_rank: 0.5, matched_description: "the <b>basket</b>" }],
        next_cursor: null,
      },
    });
    const { stdout } = await cli(["app", "list", "--search", "basket"]);
    expect(stub.requests[0]!.query.get("search")).toBe("basket");
    expect(stdout).toContain("the basket");
  });

  it("creates with PUT after making sure the id is free", async () => {
    answer = (r) => (r.method === "GET" ? notFound : { status: 201, json: shop });
    const { code, stderr } = await cli([
      "app",
      "create",
      "shop",
      "--team",
      "alpha",
      "--name",
      "Shop",
      "--criticality-level",
      "1",
      "--json",
    ]);
    expect(code).toBe(ExitCode.ok);
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/apps/shop",
      "PUT /api/apps/shop",
    ]);
    expect(JSON.parse(stub.requests[1]!.body)).toEqual({
      team_id: "alpha",
      name: "Shop",
      criticality_level: 1,
    });
    expect(stderr).toBe("");
  });

  it("refuses to create over an existing application", async () => {
    answer = () => ({ status: 200, json: shop });
    const { code, stderr } = await cli(["app", "create", "shop", "--team", "alpha", "--name", "Shop"]);
    expect(code).toBe(ExitCode.error);
    expect(stderr).toContain("already exists");
    expect(stub.requests).toHaveLength(1);
  });

  it("updates by writing the application back with the given fields changed", async () => {
    answer = (r) => (r.method === "GET" ? { status: 200, json: shop } : { status: 200, json: shop });
    const { code } = await cli(["app", "update", "shop", "--subtitle", "", "--active", "false"]);
    expect(code).toBe(ExitCode.ok);
    expect(JSON.parse(stub.requests[1]!.body)).toEqual({
      team_id: "alpha",
      name: "Shop",
      subtitle: null,
      scm_url: "https://git.example.com/shop",
      criticality_level: 2,
      publicly_accessible: false,
      active: false,
    });
  });

  it("needs a field to update", async () => {
    const { code } = await cli(["app", "update", "shop"]);
    expect(code).toBe(ExitCode.usage);
    expect(stub.requests).toHaveLength(0);
  });
});

describe("charter version", () => {
  it("registers a version with its artifact and notes", async () => {
    answer = () => ({ status: 201, json: { app_id: "shop", id: "1.0", artifact: ARTIFACT, notes: "n" } });
    const { code } = await cli(["version", "create", "shop", "1.0", "--artifact", ARTIFACT, "--notes", "n"]);
    expect(code).toBe(ExitCode.ok);
    expect(stub.requests[0]).toMatchObject({ method: "PUT", path: "/api/apps/shop/versions/1.0" });
    expect(JSON.parse(stub.requests[0]!.body)).toEqual({ artifact: ARTIFACT, notes: "n" });
  });

  it("prints what is missing and exits 1 while the version is not deployable", async () => {
    answer = () => ({
      status: 200,
      json: { deployable: false, missing: [{ type: "TEST", needed: 2, have: 1 }] },
    });
    const { code, stdout, stderr } = await cli(["version", "status", "shop", "1.0"]);
    expect(stub.requests[0]!.path).toBe("/api/apps/shop/versions/1.0/approval-status");
    expect(code).toBe(ExitCode.error);
    expect(stdout).toMatch(/TEST\s+2\s+1/);
    expect(stderr).toContain("not deployable");
  });

  it("exits 0 for a deployable version", async () => {
    answer = () => ({ status: 200, json: { deployable: true, missing: [] } });
    const { code, stderr } = await cli(["version", "status", "shop", "1.0"]);
    expect(code).toBe(ExitCode.ok);
    expect(stderr).toContain("is deployable");
  });
});

describe("charter approve", () => {
  const declaration = "I confirm that this version was tested.";

  it("shows the declaration and needs --yes when nobody can answer", async () => {
    answer = () => ({ status: 200, json: { id: "TEST", declaration } });
    const { code, stderr } = await cli(["approve", "shop", "1.0", "--type", "test"]);
    expect(code).toBe(ExitCode.usage);
    expect(stderr).toContain(declaration);
    expect(stub.requests.map((r) => r.method)).toEqual(["GET"]);
  });

  it("asks on a terminal and records the approval on yes", async () => {
    answer = (r) =>
      r.method === "GET"
        ? { status: 200, json: { id: "TEST", declaration } }
        : { status: 201, json: { type: "TEST", user: "bob", at: "2026-01-01T00:00:00Z", declaration } };
    const { code, stderr } = await cli(["approve", "shop", "1.0", "--type", "TEST", "--notes", "ok"], {
      stdin: "y\n",
      stdinIsTTY: true,
    });
    expect(code).toBe(ExitCode.ok);
    expect(stub.requests[0]!.path).toBe("/api/approval-types/TEST");
    expect(stub.requests[1]).toMatchObject({ method: "POST", path: "/api/apps/shop/versions/1.0/approvals" });
    expect(JSON.parse(stub.requests[1]!.body)).toEqual({ type: "TEST", notes: "ok" });
    expect(stderr).toContain("Recorded TEST approval of shop 1.0 by bob");
  });

  it("prints the recorded approval with --yes --json", async () => {
    const approval = { type: "DEPLOY", user: "bob", at: "2026-01-01T00:00:00Z", declaration };
    answer = (r) =>
      r.method === "GET"
        ? { status: 200, json: { id: "DEPLOY", declaration } }
        : { status: 201, json: approval };
    const { code, stdout } = await cli(["approve", "shop", "1.0", "--type", "DEPLOY", "--yes", "--json"]);
    expect(code).toBe(ExitCode.ok);
    expect(JSON.parse(stdout)).toEqual(approval);
  });
});
