import type { JSONWebKeySet, JWK } from "jose";
import { type Clock, Duration, systemClock } from "../core/index.js";
import { importVerificationKey, type VerificationKey } from "./verification-key.js";

/** Where a verifier finds public keys by `kid`. */
export interface KeySource {
  /** The key held under `kid` now; synchronous because it is on every verification's path. */
  get(kid: string): VerificationKey | undefined;
  /** Like `get`, but an unknown `kid` may trigger one (rate-limited) reload of the key set first. */
  resolve(kid: string): Promise<VerificationKey | undefined>;
}

export interface JwksKeySourceOptions {
  /** Loads the current key set: the server passes its published keys, the sidecar an HTTP fetch. */
  readonly fetchKeys: () => Promise<JSONWebKeySet>;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** How often the set is reloaded; default 30 s (Plan B's `OPENID_PROVIDER_REFRESH_INTERVAL`). */
  readonly refreshInterval?: Duration;
  /** How often at most an unknown `kid` may cause a reload; default 10 s. */
  readonly unknownKeyRefetchInterval?: Duration;
  /** How soon a failed load is retried while no key is held yet; default 1 s. */
  readonly retryInterval?: Duration;
  /** Told about failed loads; the previous keys stay in force. */
  readonly onError?: (error: unknown) => void;
  /** Told about keys in the set that cannot be used (wrong `use`, unsupported curve, no `kid`). */
  readonly onRejectedKey?: (kid: string | undefined, reason: string) => void;
}

/**
 * The public keys of a JWKS, reloaded periodically and on demand. A reload replaces the whole set:
 * keys that disappeared are gone at once, so tokens they signed stop verifying (the verifier's
 * cache checks key identity on every hit). A failed reload keeps the keys held before.
 *
 * @example
 * const keys = new JwksKeySource({ fetchKeys: jwksFromUrl({ url: "http://127.0.0.1:8080" }) });
 * await keys.start();
 */
export class JwksKeySource implements KeySource {
  readonly #fetchKeys: () => Promise<JSONWebKeySet>;
  readonly #clock: Clock;
  readonly #refreshMs: number;
  readonly #unknownKeyMs: number;
  readonly #retryMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #onRejectedKey: (kid: string | undefined, reason: string) => void;
  #keys = new Map<string, VerificationKey>();
  #document: JSONWebKeySet = { keys: [] };
  #lastUnknownKeyRefetch = Number.NEGATIVE_INFINITY;
  #loading: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: JwksKeySourceOptions) {
    this.#fetchKeys = options.fetchKeys;
    this.#clock = options.clock ?? systemClock;
    this.#refreshMs = (options.refreshInterval ?? Duration.seconds(30)).milliseconds;
    this.#unknownKeyMs = (options.unknownKeyRefetchInterval ?? Duration.seconds(10)).milliseconds;
    this.#retryMs = (options.retryInterval ?? Duration.seconds(1)).milliseconds;
    this.#onError = options.onError ?? (() => {});
    this.#onRejectedKey = options.onRejectedKey ?? (() => {});
    if (this.#refreshMs <= 0) throw new RangeError("refreshInterval must be longer than 0 ms");
  }

  /** Whether at least one usable key is held; a sidecar is healthy only then. */
  get ready(): boolean {
    return this.#keys.size > 0;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** The usable keys' ids, in the order of the set. */
  get kids(): string[] {
    return [...this.#keys.keys()];
  }

  /** The usable keys as a JWKS of public members only, for re-publishing the set. */
  get document(): JSONWebKeySet {
    return this.#document;
  }

  /** Loads the set once and then keeps reloading it until `stop()`. Never throws: see `onError`. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.refresh().catch((error: unknown) => this.#report(error));
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  get(kid: string): VerificationKey | undefined {
    return this.#keys.get(kid);
  }

  async resolve(kid: string): Promise<VerificationKey | undefined> {
    const held = this.#keys.get(kid);
    if (held !== undefined) return held;
    const now = this.#clock.now().getTime();
    // A flood of tokens with made-up kids must not become a flood of requests to the issuer.
    if (now - this.#lastUnknownKeyRefetch < this.#unknownKeyMs) return undefined;
    this.#lastUnknownKeyRefetch = now;
    await this.refresh();
    return this.#keys.get(kid);
  }

  /** Reloads the set now (concurrent callers share one load). Resolves to whether it succeeded. */
  refresh(): Promise<boolean> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<boolean> {
    let set: JSONWebKeySet;
    try {
      set = await this.#fetchKeys();
      if (set === null || typeof set !== "object" || !Array.isArray(set.keys)) {
        throw new TypeError('the key set has no "keys" array');
      }
    } catch (error) {
      this.#report(error);
      return false;
    }
    let next: Map<string, VerificationKey>;
    try {
      next = this.#imported(set.keys as unknown[]);
    } catch (error) {
      // Whatever a hostile set (or a throwing callback) does, the keys held before stay in force.
      this.#report(error);
      return false;
    }
    this.#keys = next;
    this.#document = { keys: [...next.values()].map((key) => key.jwk) };
    return true;
  }

  #imported(jwks: readonly unknown[]): Map<string, VerificationKey> {
    const next = new Map<string, VerificationKey>();
    for (const jwk of jwks) {
      // The set is untrusted JSON: `null`, numbers or arrays in "keys" are skipped, not dereferenced.
      if (jwk === null || typeof jwk !== "object" || Array.isArray(jwk)) {
        this.#onRejectedKey(undefined, "JWK is not a JSON object");
        continue;
      }
      const imported = importVerificationKey(jwk as JWK);
      if (!imported.ok) {
        const { kid } = jwk as { kid?: unknown };
        this.#onRejectedKey(typeof kid === "string" ? kid : undefined, imported.reason);
        continue;
      }
      const { kid } = imported.key;
      if (next.has(kid)) {
        this.#onRejectedKey(kid, 'another key in the set has the same "kid"');
        continue;
      }
      const previous = this.#keys.get(kid);
      // Keep the very object when nothing changed, so cached verifications stay valid.
      next.set(kid, previous?.fingerprint === imported.key.fingerprint ? previous : imported.key);
    }
    return next;
  }

  #schedule(): void {
    if (!this.#running) return;
    const delay = this.ready ? this.#refreshMs : Math.min(this.#retryMs, this.#refreshMs);
    this.#timer = setTimeout(() => {
      // A rejection here would be unhandled and end the process; report it and keep the schedule.
      void this.refresh()
        .catch((error: unknown) => this.#report(error))
        .finally(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }

  /** `onError`, made safe to call from a timer: a throwing listener must not end the process. */
  #report(error: unknown): void {
    try {
      this.#onError(error);
    } catch {}
  }
}
