import { hash } from "node:crypto";
import { type Clock, Duration, systemClock } from "../core/index.js";
import type { AuthenticatedClient, CredentialChecker } from "./types.js";

export interface ClientAuthenticatorOptions {
  readonly credentials: Pick<CredentialChecker, "authenticateClient">;
  /**
   * How long a successful authentication is remembered; default 10 s. This bounds how long a
   * rotated-away secret, a deleted client or a removed scope keeps working on a replica that did
   * not make the change itself (a local change calls `invalidate` and takes effect at once).
   */
  readonly ttl?: Duration;
  /** Most (client, secret) pairs remembered; default 10,000. */
  readonly maxEntries?: number;
  readonly clock?: Clock;
}

interface Entry {
  readonly client: AuthenticatedClient;
  readonly expiresAt: number;
}

/**
 * Client authentication with a short memory. Secret checks are deliberately slow password hashes,
 * and a busy service asks for tokens many times a second, so successful checks are cached per
 * (client id, SHA-256 of the secret). Failures are never cached, and concurrent checks of the same
 * pair share one call.
 */
export class ClientAuthenticator {
  readonly #credentials: Pick<CredentialChecker, "authenticateClient">;
  readonly #ttl: number;
  readonly #maxEntries: number;
  readonly #clock: Clock;
  readonly #cache = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<AuthenticatedClient>>();
  #generation = 0;

  constructor(options: ClientAuthenticatorOptions) {
    this.#credentials = options.credentials;
    this.#ttl = (options.ttl ?? Duration.seconds(10)).milliseconds;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#clock = options.clock ?? systemClock;
    if (this.#ttl > 300_000)
      throw new RangeError(`ttl must be at most 5m, got ${Duration.milliseconds(this.#ttl)}`);
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${this.#maxEntries}`);
    }
  }

  /** The client, or the checker's error for bad credentials. */
  authenticate(clientId: string, secret: string | undefined): Promise<AuthenticatedClient> {
    const key = `${clientId}\n${secret === undefined ? "" : hash("sha256", secret, "base64url")}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      if (hit.expiresAt > this.#clock.now().getTime()) return Promise.resolve(hit.client);
      this.#cache.delete(key);
    }
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;

    const generation = this.#generation;
    const check = this.#credentials.authenticateClient(clientId, secret).then((client) => {
      if (generation === this.#generation) this.#remember(key, client);
      return client;
    });
    const settle = () => {
      if (this.#pending.get(key) === check) this.#pending.delete(key);
    };
    check.then(settle, settle);
    this.#pending.set(key, check);
    return check;
  }

  #remember(key: string, client: AuthenticatedClient): void {
    if (this.#cache.size >= this.#maxEntries) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    this.#cache.set(key, { client, expiresAt: this.#clock.now().getTime() + this.#ttl });
  }

  /**
   * Forgets what was remembered about one client, or about every client. Call it after a local
   * change to a client's secret, scopes, redirect URIs or existence.
   */
  invalidate(clientId?: string): void {
    this.#generation++;
    if (clientId === undefined) {
      this.#cache.clear();
      this.#pending.clear();
      return;
    }
    const prefix = `${clientId}\n`;
    for (const map of [this.#cache, this.#pending]) {
      for (const key of map.keys()) if (key.startsWith(prefix)) map.delete(key);
    }
  }
}
