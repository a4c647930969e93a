import type { Kysely } from "kysely";
import type { Realm } from "../core/index.js";
import type { Database } from "../db/index.js";

interface AuthorizationCodesTable {
  code_hash: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  subject: string;
  realm: string;
  scopes: string;
  expires_at: Date;
  created_at: Date;
}

interface Tables {
  authorization_codes: AuthorizationCodesTable;
}

/** What an authorization code stands for. */
export interface CodeGrant {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly subject: string;
  readonly realm: Realm;
  readonly scopes: readonly string[];
  readonly expiresAt: Date;
}

/** The only code that reads and writes `authorization_codes`. */
export class AuthorizationCodeStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Database) {
    this.#db = db as Kysely<Tables>;
  }

  async insert(codeHash: string, grant: CodeGrant, createdAt: Date): Promise<void> {
    await this.#db
      .insertInto("authorization_codes")
      .values({
        code_hash: codeHash,
        client_id: grant.clientId,
        redirect_uri: grant.redirectUri,
        code_challenge: grant.codeChallenge,
        subject: grant.subject,
        realm: grant.realm,
        scopes: grant.scopes.join(" "),
        expires_at: grant.expiresAt,
        created_at: createdAt,
      })
      .execute();
  }

  /** Deletes the code and returns what it stood for: one statement, so two callers never both get it. */
  async take(codeHash: string): Promise<CodeGrant | undefined> {
    const row = await this.#db
      .deleteFrom("authorization_codes")
      .where("code_hash", "=", codeHash)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      clientId: row.client_id,
      redirectUri: row.redirect_uri,
      codeChallenge: row.code_challenge,
      subject: row.subject,
      realm: row.realm as Realm,
      scopes: row.scopes === "" ? [] : row.scopes.split(" "),
      expiresAt: row.expires_at,
    };
  }

  async removeExpired(before: Date): Promise<void> {
    await this.#db.deleteFrom("authorization_codes").where("expires_at", "<", before).execute();
  }
}
