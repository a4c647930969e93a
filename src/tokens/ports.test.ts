import { describe, expectTypeOf, it } from "vitest";
import type { IdentityService, ScopeCatalog } from "../identity/index.js";
import type { ScopeRegistry } from "./scope-registry.js";
import type { CredentialChecker, ScopeGrants } from "./types.js";

// The server wires identity and tokens into each other through these ports; a change on either side
// that breaks the wiring fails the type check here rather than in the server.
describe("ports shared with identity", () => {
  it("IdentityService checks credentials and counts scope grants for the tokens part", () => {
    expectTypeOf<IdentityService>().toExtend<CredentialChecker & ScopeGrants>();
  });

  it("ScopeRegistry is identity's ScopeCatalog", () => {
    expectTypeOf<ScopeRegistry>().toExtend<ScopeCatalog>();
  });
});
