import type { JSONWebKeySet } from "jose";
import type { SecretBox } from "../cloud/index.js";
import { type Clock, Duration, type Logger, systemClock } from "../core/index.js";
import type { Database } from "../db/index.js";
import { TokensErrors } from "./errors.js";
import { activeKeyOf, publishedKeysOf } from "./key-schedule.js";
import { SigningKeyStore, type StoredSigningKey } from "./key-store.js";
import { importPrivateKey, type SigningKey, signingKeyOf } from "./signing-key.js";

export interface KeyRingOptions {
  readonly db: Database;
  /** Opens the sealed private keys. */
  readonly secretBox: SecretBox;
  /** Default the system clock. */
  readonly clock?: Clock;
  /** How often the ring re-reads the keys, so it sees other replicas' rotations; default 60 s. */
  readonly reloadInterval?: Duration;
  /** Where failed background reloads are reported; default nowhere. */
  readonly logger?: Logger;
}

/** The SecretBox context a key's private half is sealed under. */
export function signingKeyContext(kid: string): string {
  return `tokens.signing-key:${kid}`;
}

/**
 * One replica's view of the signing keys: which key signs now and which keys are published. Both
 * are computed from the last rows read and the clock, so replicas that have read the same rows
 * agree; the ring re-reads every `reloadInterval`, and at once after this replica rotates.
 *
 * @example
 * const ring = new KeyRing({ db, secretBox });
 * await ring.load();
 * const key = ring.signingKey(); // throws TOKENS_NO_SIGNING_KEY before the first rotation
 */
export class KeyRing {
  readonly #store: SigningKeyStore;
  readonly #secretBox: SecretBox;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly reloadInterval: Duration;
  #keys: readonly StoredSigningKey[] = [];
  #signers = new Map<string, SigningKey>();
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: KeyRingOptions) {
    this.#store = new SigningKeyStore(options.db);
    this.#secretBox = options.secretBox;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.reloadInterval = options.reloadInterval ?? Duration.seconds(60);
    if (this.reloadInterval.milliseconds < 1_000) {
      throw new RangeError(`reloadInterval must be at least 1s, got ${this.reloadInterval}`);
    }
  }

  /** Re-reads the keys and opens the private keys that may still sign. Calls run one at a time. */
  load(): Promise<void> {
    const next = this.#queue.then(() => this.#reload());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #reload(): Promise<void> {
    const keys = await this.#store.list();
    const now = this.#clock.now().getTime();
    const signers = new Map<string, SigningKey>();
    for (const key of keys) {
      if (key.signUntil !== null && key.signUntil.getTime() <= now) continue;
      const known = this.#signers.get(key.kid);
      if (known !== undefined) {
        signers.set(key.kid, known);
        continue;
      }
      const der = await this.#secretBox.open(key.sealedPrivateKey, signingKeyContext(key.kid));
      signers.set(key.kid, signingKeyOf(key.kid, key.alg, importPrivateKey(der)));
    }
    this.#keys = keys;
    this.#signers = signers;
  }

  /** The key that signs at `now`. */
  signingKey(now: Date = this.#clock.now()): SigningKey {
    const active = activeKeyOf(this.#keys, now);
    const signer = active === undefined ? undefined : this.#signers.get(active.kid);
    if (signer === undefined) {
      throw TokensErrors.TOKENS_NO_SIGNING_KEY(
        "no signing key is active yet; the key rotation job creates one",
      );
    }
    return signer;
  }

  /** The kid of the key that signs at `now`, if any. */
  activeKid(now: Date = this.#clock.now()): string | undefined {
    return activeKeyOf(this.#keys, now)?.kid;
  }

  /** The JWK set verifiers need at `now`: pending, current and still-live retired keys, youngest first. */
  publishedJwks(now: Date = this.#clock.now()): JSONWebKeySet {
    return { keys: publishedKeysOf(this.#keys, now).map((key) => key.publicJwk) };
  }

  /** Reloads every `reloadInterval` until `stop()`; failures are logged and the last view kept. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.load().catch((error: unknown) => this.#logger?.error({ err: error }, "signing key reload failed"));
    }, this.reloadInterval.milliseconds);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#queue;
  }
}
