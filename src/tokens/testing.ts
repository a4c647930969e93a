// Test doubles for the tokens part's ports, shared by its test files. Not part of the public surface.
import { randomBytes } from "node:crypto";
import { FileSecretBox, type SecretBox } from "../cloud/index.js";
import { type AuditRecord, type AuditSink, type Clock, defineErrors } from "../core/index.js";
import type { Database } from "../db/index.js";
import { createTokenProvider, type TokenProvider } from "./token-provider.js";
import type { AuthenticatedClient, AuthenticatedPerson, CredentialChecker, ScopeGrants } from "./types.js";

/** Keeps what it is given, in order. */
export class RecordingAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];

  async append(_tx: Database, record: AuditRecord): Promise<void> {
    this.records.push(record);
  }

  actions(): string[] {
    return this.records.map((r) => `${r.action} ${r.target}`);
  }

  clear(): void {
    this.records.length = 0;
  }
}

const FakeErrors = defineErrors({
  FAKE_INVALID_CREDENTIALS: { kind: "unauthenticated", title: "Wrong password" },
  FAKE_INVALID_CLIENT: { kind: "unauthenticated", title: "Client authentication failed" },
});

interface FakeClient extends AuthenticatedClient {
  readonly secret?: string;
}

/**
 * People and clients held in memory, checked the way identity does: a confidential client needs
 * its secret, a public one must send none. Counts calls, so tests can see the cache work.
 */
export class FakeCredentials implements CredentialChecker, ScopeGrants {
  readonly people = new Map<string, { password: string; scopes: string[] }>();
  readonly clients = new Map<string, FakeClient>();
  readonly grants = new Map<string, number>();
  clientChecks = 0;
  personChecks = 0;

  addPerson(id: string, password: string, scopes: string[]): this {
    this.people.set(id, { password, scopes });
    return this;
  }

  addClient(client: Partial<FakeClient> & { id: string }): this {
    this.clients.set(client.id, {
      teamId: "platform",
      confidential: client.secret !== undefined,
      redirectUris: [],
      scopes: [],
      ...client,
    });
    return this;
  }

  async authenticatePerson(userId: string, password: string): Promise<AuthenticatedPerson> {
    this.personChecks++;
    const person = this.people.get(userId);
    if (person === undefined || person.password !== password) {
      throw FakeErrors.FAKE_INVALID_CREDENTIALS("the user id or the password is wrong");
    }
    return { id: userId, scopes: person.scopes };
  }

  async authenticateClient(clientId: string, secret: string | undefined): Promise<AuthenticatedClient> {
    this.clientChecks++;
    const client = this.clients.get(clientId);
    if (client === undefined || client.secret !== secret) {
      throw FakeErrors.FAKE_INVALID_CLIENT(`client ${clientId} could not be authenticated`);
    }
    const { secret: _secret, ...authenticated } = client;
    return authenticated;
  }

  async countScopeGrants(scope: string): Promise<number> {
    return this.grants.get(scope) ?? 0;
  }
}

export function testSecretBox(): SecretBox {
  return FileSecretBox.fromKey(randomBytes(32));
}

export interface TestProviderOptions {
  readonly db: Database;
  readonly credentials: CredentialChecker;
  readonly clock: Clock;
  /** The scopes the registry knows. */
  readonly scopeNames: readonly string[];
  readonly issuer: string;
}

/** A started token provider over a test database, with a test secret box and a recording audit sink. */
export async function startTestProvider(options: TestProviderOptions): Promise<TokenProvider> {
  const provider = createTokenProvider({
    db: options.db,
    secretBox: testSecretBox(),
    credentials: options.credentials,
    audit: new RecordingAuditSink(),
    issuer: options.issuer,
    clock: options.clock,
    scopeNames: async () => [...options.scopeNames],
    tokeninfoEndpoint: `${options.issuer}/oauth2/tokeninfo`,
  });
  await provider.start();
  return provider;
}
