import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { IdentityErrors } from "./errors.js";

/** Shortest password accepted, in characters (code points). */
export const PASSWORD_MIN_LENGTH = 12;
/** Longest password accepted, in characters; bounds the work one login attempt can cause. */
export const PASSWORD_MAX_LENGTH = 1024;

export interface ScryptParameters {
  /** CPU and memory cost, a power of two; default 2^15 (32 MiB with r = 8). */
  readonly N?: number;
  /** Block size; default 8. */
  readonly r?: number;
  /** Parallelisation; default 3, which with N = 2^15 meets OWASP's scrypt guidance. */
  readonly p?: number;
}

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Parameters read from a stored hash are trusted, but still bounded so a corrupt row cannot make
// one login take minutes or gigabytes.
const MAX_N = 2 ** 20;
const MAX_RP = 64;

function derive(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = 256 * N * r + 1024 * 1024;
    scrypt(password, salt, KEY_BYTES, { N, r, p, maxmem }, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });
}

/** The same characters typed on different keyboards must hash alike. */
function normalise(password: string): string {
  return password.normalize("NFC");
}

/**
 * Hashes and checks passwords with scrypt and a random salt per password. A hash describes itself
 * (`scrypt$N$r$p$salt$hash`, base64url), so the parameters can rise without invalidating old hashes.
 */
export class PasswordHasher {
  readonly #N: number;
  readonly #r: number;
  readonly #p: number;
  #dummy: Promise<string> | undefined;

  constructor(parameters: ScryptParameters = {}) {
    const { N = 2 ** 15, r = 8, p = 3 } = parameters;
    if (!Number.isInteger(Math.log2(N)) || N < 2 || N > MAX_N) {
      throw new RangeError(`scrypt N must be a power of two between 2 and 2^20, got ${N}`);
    }
    if (!Number.isInteger(r) || r < 1 || r > MAX_RP) throw new RangeError(`scrypt r must be 1..64, got ${r}`);
    if (!Number.isInteger(p) || p < 1 || p > MAX_RP) throw new RangeError(`scrypt p must be 1..64, got ${p}`);
    this.#N = N;
    this.#r = r;
    this.#p = p;
  }

  /** Throws `IDENTITY_PASSWORD_POLICY` when the password is too short or too long. */
  checkPolicy(password: string): void {
    const length = [...normalise(password)].length;
    if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
      throw IdentityErrors.IDENTITY_PASSWORD_POLICY(
        `password must have ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, it has ${length}`,
        { min_length: PASSWORD_MIN_LENGTH, max_length: PASSWORD_MAX_LENGTH },
      );
    }
  }

  /** A new self-describing hash of the password, which must meet the policy. */
  async hash(password: string): Promise<string> {
    this.checkPolicy(password);
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(normalise(password), salt, this.#N, this.#r, this.#p);
    return ["scrypt", this.#N, this.#r, this.#p, salt.toString("base64url"), key.toString("base64url")].join(
      "$",
    );
  }

  /** Whether the password matches the hash; false, never an exception, for a malformed hash. */
  async verify(password: string, hash: string): Promise<boolean> {
    const parts = hash.split("$");
    if (parts.length !== 6 || parts[0] !== "scrypt") return false;
    const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    if (!(N >= 2 && N <= MAX_N && r >= 1 && r <= MAX_RP && p >= 1 && p <= MAX_RP)) return false;
    if (password.length > PASSWORD_MAX_LENGTH * 2) return false;
    const expected = Buffer.from(parts[5]!, "base64url");
    if (expected.length !== KEY_BYTES) return false;
    const key = await derive(normalise(password), Buffer.from(parts[4]!, "base64url"), N, r, p);
    return timingSafeEqual(key, expected);
  }

  /**
   * Checks the password against a hash of a random password made with the current parameters, so
   * a login for a user who does not exist costs as much as one for a user who does.
   */
  async verifyDummy(password: string): Promise<false> {
    this.#dummy ??= this.hash(randomBytes(24).toString("base64url"));
    await this.verify(password, await this.#dummy);
    return false;
  }
}
