import type { SecretBox } from "../cloud/index.js";
import {
  type AuditSink,
  type Clock,
  Duration,
  type Logger,
  SYSTEM_ACTOR,
  systemClock,
} from "../core/index.js";
import type { Database } from "../db/index.js";
import type { KeyRing } from "./key-ring.js";
import { signingKeyContext } from "./key-ring.js";
import { planRotation, type RotationPolicy } from "./key-schedule.js";
import { SigningKeyStore } from "./key-store.js";
import { exportPrivateKey, generateSigningKey } from "./signing-key.js";
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from "./types.js";

export interface KeyRotationOptions {
  readonly db: Database;
  /** Seals new private keys. */
  readonly secretBox: SecretBox;
  /** Records every key created, retired or removed, as the system actor. */
  readonly audit: AuditSink;
  /** The longest lifetime of any token a key signs; a retired key stays published this long. */
  readonly maxTokenLifetime: Duration;
  /** Reloaded at once after this replica changes the keys. */
  readonly ring?: KeyRing;
  /** Algorithm of new keys; default `ES256`. Existing keys keep theirs. */
  readonly algorithm?: SigningAlgorithm;
  /** How long each key signs; default 24 h. */
  readonly interval?: Duration;
  /** How often verifiers re-fetch the JWKS; default 30 s. */
  readonly verifierRefreshInterval?: Duration;
  /** How often each replica re-reads the keys; default the ring's interval, else 60 s. */
  readonly keyReloadInterval?: Duration;
  /**
   * How long a new key is published before it signs. Default
   * `max(2 × verifierRefreshInterval, 2 × keyReloadInterval) + 1 min`, and at least 5 min; it may
   * not be shorter than `verifierRefreshInterval + keyReloadInterval`.
   */
  readonly prepublish?: Duration;
  /** How often `start()` checks whether a rotation is due; default 60 s. */
  readonly checkInterval?: Duration;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** What one rotation step did. `locked` is false when another replica held the lock. */
export interface RotationOutcome {
  readonly locked: boolean;
  readonly created?: string;
  readonly retired: readonly string[];
  readonly removed: readonly string[];
}

// Clocks of replicas and verifiers drift a little; every window is widened by this much.
const SKEW = Duration.minutes(1);

/**
 * Creates, retires and removes signing keys on schedule. Only one replica rotates at a time: the
 * step runs in a transaction holding `pg_try_advisory_xact_lock`, and re-reads the keys under it.
 *
 * Timeline of a rotation with the defaults: the successor is created 5 min before the current key
 * has signed for 24 h, and is published at once (each replica re-reads within 60 s, each verifier
 * within 30 s more); it signs from the 24 h mark; the old key stays published for the longest token
 * lifetime plus one reload interval (a replica may sign with it until it re-reads) plus 1 min.
 */
export class KeyRotation {
  readonly #db: Database;
  readonly #store: SigningKeyStore;
  readonly #secretBox: SecretBox;
  readonly #audit: AuditSink;
  readonly #ring: KeyRing | undefined;
  readonly #algorithm: SigningAlgorithm;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #checkInterval: Duration;
  readonly policy: RotationPolicy;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(options: KeyRotationOptions) {
    this.#db = options.db;
    this.#store = new SigningKeyStore(options.db);
    this.#secretBox = options.secretBox;
    this.#audit = options.audit;
    this.#ring = options.ring;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#algorithm = options.algorithm ?? "ES256";
    if (!SIGNING_ALGORITHMS.includes(this.#algorithm)) {
      throw new RangeError(
        `algorithm must be one of ${SIGNING_ALGORITHMS.join(", ")}, got ${this.#algorithm}`,
      );
    }
    this.#checkInterval = options.checkInterval ?? Duration.seconds(60);
    const interval = (options.interval ?? Duration.hours(24)).milliseconds;
    const verifierRefresh = (options.verifierRefreshInterval ?? Duration.seconds(30)).milliseconds;
    const reload = (options.keyReloadInterval ?? options.ring?.reloadInterval ?? Duration.seconds(60))
      .milliseconds;
    const minimum = verifierRefresh + reload;
    const prepublish =
      options.prepublish?.milliseconds ??
      Math.max(
        2 * verifierRefresh + SKEW.milliseconds,
        2 * reload + SKEW.milliseconds,
        Duration.minutes(5).milliseconds,
      );
    if (prepublish < minimum) {
      throw new RangeError(
        `prepublish must be at least verifierRefreshInterval + keyReloadInterval (${Duration.milliseconds(minimum)}), got ${Duration.milliseconds(prepublish)}`,
      );
    }
    if (interval <= prepublish) {
      throw new RangeError(
        `interval must be longer than prepublish (${Duration.milliseconds(prepublish)}), got ${Duration.milliseconds(interval)}`,
      );
    }
    this.policy = {
      interval,
      prepublish,
      retention: options.maxTokenLifetime.milliseconds + reload + SKEW.milliseconds,
    };
  }

  /**
   * Does whatever rotation is due now, then reloads the ring when something changed. When another
   * replica holds the lock it returns at once (`locked: false`), unless `wait` is set: a starting
   * server waits, so it never starts without the key a concurrent first rotation is creating.
   */
  async rotateIfDue(options: { readonly wait?: boolean } = {}): Promise<RotationOutcome> {
    const outcome = await this.#db.transaction().execute(async (tx) => {
      if (!(await this.#store.lockRotation(tx, options.wait === true)))
        return { locked: false, retired: [], removed: [] };
      const now = this.#clock.now();
      const plan = planRotation(await this.#store.windows(tx), now, this.policy);
      let created: string | undefined;
      if (plan.create !== undefined) {
        const key = await generateSigningKey(this.#algorithm);
        const sealed = await this.#secretBox.seal(
          exportPrivateKey(key.privateKey),
          signingKeyContext(key.kid),
        );
        await this.#store.insert(tx, {
          kid: key.kid,
          alg: key.alg,
          publicJwk: key.publicJwk,
          sealedPrivateKey: sealed,
          ...plan.create,
          createdAt: now,
        });
        await this.#audit.append(tx, {
          actor: SYSTEM_ACTOR,
          action: "signing-key.create",
          target: `signing-key/${key.kid}`,
          body: { alg: key.alg, sign_from: plan.create.signFrom.toISOString() },
        });
        created = key.kid;
      }
      for (const { kid, signUntil, publishUntil } of plan.retire) {
        await this.#store.retire(tx, kid, signUntil, publishUntil);
        await this.#audit.append(tx, {
          actor: SYSTEM_ACTOR,
          action: "signing-key.retire",
          target: `signing-key/${kid}`,
          body: { sign_until: signUntil.toISOString(), publish_until: publishUntil.toISOString() },
        });
      }
      for (const kid of plan.remove) {
        await this.#store.remove(tx, kid);
        await this.#audit.append(tx, {
          actor: SYSTEM_ACTOR,
          action: "signing-key.remove",
          target: `signing-key/${kid}`,
        });
      }
      return {
        locked: true,
        ...(created === undefined ? {} : { created }),
        retired: plan.retire.map((r) => r.kid),
        removed: plan.remove,
      };
    });
    if (outcome.created !== undefined || outcome.retired.length > 0 || outcome.removed.length > 0) {
      this.#logger?.info({ ...outcome }, "signing keys rotated");
      await this.#ring?.load();
    }
    return outcome;
  }

  /**
   * Runs `rotateIfDue()` now and then every `checkInterval` until `stop()`. The first run's error
   * is thrown (a server that cannot get a signing key should not start); later ones are logged.
   */
  async start(): Promise<void> {
    if (this.#timer !== undefined) return;
    await this.#run({ wait: true });
    this.#timer = setInterval(() => {
      this.#run().catch((error: unknown) =>
        this.#logger?.error({ err: error }, "signing key rotation failed"),
      );
    }, this.#checkInterval.milliseconds);
    this.#timer.unref();
  }

  #run(options: { readonly wait?: boolean } = {}): Promise<RotationOutcome> {
    const run = this.#running.then(() => this.rotateIfDue(options));
    this.#running = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
