import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { SecretBox } from "../cloud/index.js";
import type { Clock } from "../core/index.js";
import { jwkThumbprint } from "./checkpoint-signature.js";
import { AuditErrors } from "./errors.js";
import type { AuditStore } from "./store.js";
import type { Ed25519PublicJwk } from "./types.js";

/** The `SecretBox` context the checkpoint private keys are sealed under. */
export const CHECKPOINT_KEY_CONTEXT = "audit.checkpoint-key";

export interface CheckpointSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

/**
 * The Ed25519 keys that sign checkpoints. The private half is stored only sealed by the master key;
 * the public half is stored plain and published. The first key is made on first use.
 */
export class CheckpointKeyring {
  readonly #secretBox: SecretBox;
  readonly #clock: Clock;
  readonly #opened = new Map<string, KeyObject>();

  constructor(secretBox: SecretBox, clock: Clock) {
    this.#secretBox = secretBox;
    this.#clock = clock;
  }

  /**
   * The newest key, made and stored when there is none. Call it in the transaction that holds the
   * checkpoint lock, so that replicas never make two first keys.
   */
  async signingKey(store: AuditStore): Promise<CheckpointSigningKey> {
    const newest = await store.newestSealedKey();
    if (newest === undefined) return this.#create(store);
    const cached = this.#opened.get(newest.key_id);
    if (cached !== undefined) return { keyId: newest.key_id, privateKey: cached };
    let der: Uint8Array;
    try {
      der = await this.#secretBox.open(newest.sealed_private_key, CHECKPOINT_KEY_CONTEXT);
    } catch (cause) {
      const error = AuditErrors.AUDIT_CHECKPOINT_KEY_UNAVAILABLE(
        `checkpoint key ${newest.key_id} cannot be opened with the master key`,
      );
      throw Object.assign(error, { cause });
    }
    const privateKey = createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
    this.#opened.set(newest.key_id, privateKey);
    return { keyId: newest.key_id, privateKey };
  }

  async #create(store: AuditStore): Promise<CheckpointSigningKey> {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const { x } = publicKey.export({ format: "jwk" });
    const jwk: Ed25519PublicJwk = { kty: "OKP", crv: "Ed25519", x: x! };
    const keyId = jwkThumbprint(jwk);
    const der = privateKey.export({ format: "der", type: "pkcs8" });
    const sealed = await this.#secretBox.seal(der, CHECKPOINT_KEY_CONTEXT);
    await store.insertKey({
      key_id: keyId,
      jwk,
      created_at: this.#clock.now().toISOString(),
      sealed_private_key: Buffer.from(sealed),
    });
    this.#opened.set(keyId, privateKey);
    return { keyId, privateKey };
  }
}
