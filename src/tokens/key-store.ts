import type { JWK } from "jose";
import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import type { KeyWindow } from "./key-schedule.js";
import type { SigningAlgorithm } from "./types.js";

interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: JWK | string;
  sealed_private_key: Uint8Array;
  sign_from: Date;
  sign_until: Date | null;
  publish_until: Date | null;
  created_at: Date;
}

interface Tables {
  signing_keys: SigningKeysTable;
}

/** A signing key row; the private key stays sealed until the key ring opens it. */
export interface StoredSigningKey extends KeyWindow {
  readonly alg: SigningAlgorithm;
  readonly publicJwk: JWK;
  readonly sealedPrivateKey: Uint8Array;
}

/** The only code that reads and writes `signing_keys`. */
export class SigningKeyStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Database) {
    this.#db = db as Kysely<Tables>;
  }

  /** Every key row, sealed private keys included. */
  async list(): Promise<StoredSigningKey[]> {
    const rows = await this.#db.selectFrom("signing_keys").selectAll().execute();
    return rows.map((row) => ({
      kid: row.kid,
      alg: row.alg as SigningAlgorithm,
      publicJwk: typeof row.public_jwk === "string" ? (JSON.parse(row.public_jwk) as JWK) : row.public_jwk,
      sealedPrivateKey: row.sealed_private_key,
      signFrom: row.sign_from,
      signUntil: row.sign_until,
      publishUntil: row.publish_until,
      createdAt: row.created_at,
    }));
  }

  /**
   * Takes the rotation lock for the rest of `tx`. Without `wait`, answers false at once when
   * another replica holds it. A transaction-scoped lock cannot outlive a crashed holder.
   */
  async lockRotation(tx: Database, wait: boolean): Promise<boolean> {
    if (wait) {
      await sql`select pg_advisory_xact_lock(hashtext('charter.tokens.key-rotation'))`.execute(tx);
      return true;
    }
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(hashtext('charter.tokens.key-rotation')) as locked`.execute(tx);
    return rows[0]?.locked === true;
  }

  /** The scheduling columns of every key, read on `tx` after the lock is held. */
  async windows(tx: Database): Promise<KeyWindow[]> {
    const rows = await (tx as Kysely<Tables>)
      .selectFrom("signing_keys")
      .select(["kid", "sign_from", "sign_until", "publish_until", "created_at"])
      .execute();
    return rows.map((row) => ({
      kid: row.kid,
      signFrom: row.sign_from,
      signUntil: row.sign_until,
      publishUntil: row.publish_until,
      createdAt: row.created_at,
    }));
  }

  async insert(tx: Database, key: StoredSigningKey): Promise<void> {
    await (tx as Kysely<Tables>)
      .insertInto("signing_keys")
      .values({
        kid: key.kid,
        alg: key.alg,
        public_jwk: JSON.stringify(key.publicJwk),
        sealed_private_key: key.sealedPrivateKey,
        sign_from: key.signFrom,
        sign_until: key.signUntil,
        publish_until: key.publishUntil,
        created_at: key.createdAt,
      })
      .execute();
  }

  async retire(tx: Database, kid: string, signUntil: Date, publishUntil: Date): Promise<void> {
    await (tx as Kysely<Tables>)
      .updateTable("signing_keys")
      .set({ sign_until: signUntil, publish_until: publishUntil })
      .where("kid", "=", kid)
      .execute();
  }

  async remove(tx: Database, kid: string): Promise<void> {
    await (tx as Kysely<Tables>).deleteFrom("signing_keys").where("kid", "=", kid).execute();
  }
}
