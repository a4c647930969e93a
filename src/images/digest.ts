import { createHash, type Hash } from "node:crypto";
import { ImagesErrors } from "./errors.js";

/** Digest algorithms the registry verifies content with (OCI image spec, "Digests"). */
const ALGORITHMS = { sha256: 64, sha512: 128 } as const;
export type DigestAlgorithm = keyof typeof ALGORITHMS;

const DIGEST = /^(sha256|sha512):([a-f0-9]+)$/;

/** A content digest such as `sha256:…`, checked for a known algorithm and the right length. */
export interface Digest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  /** `<algorithm>:<hex>` */
  readonly value: string;
}

export function parseDigest(value: string): Digest {
  const match = DIGEST.exec(value);
  const algorithm = match?.[1] as DigestAlgorithm | undefined;
  if (match === null || algorithm === undefined || match[2]!.length !== ALGORITHMS[algorithm]) {
    throw ImagesErrors.IMAGES_DIGEST_INVALID(`"${value.slice(0, 140)}" is not a sha256 or sha512 digest`);
  }
  return { algorithm, hex: match[2]!, value };
}

export function isDigest(value: string): boolean {
  const match = DIGEST.exec(value);
  return match !== null && match[2]!.length === ALGORITHMS[match[1] as DigestAlgorithm];
}

export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

/**
 * Counts and hashes bytes as they stream past, so a blob is verified while it is written and never
 * read a second time. `limit` stops a stream that grows beyond what the caller accepts.
 */
export class HashingCounter {
  readonly #hash: Hash;
  readonly #algorithm: DigestAlgorithm;
  size = 0;

  constructor(algorithm: DigestAlgorithm = "sha256") {
    this.#algorithm = algorithm;
    this.#hash = createHash(algorithm);
  }

  /** Passes `source` through, hashing and counting each chunk. */
  async *pass(
    source: AsyncIterable<Uint8Array>,
    limit = Number.POSITIVE_INFINITY,
  ): AsyncIterable<Uint8Array> {
    for await (const chunk of source) {
      this.size += chunk.byteLength;
      if (this.size > limit) throw ImagesErrors.IMAGES_SIZE_INVALID(`content is larger than ${limit} bytes`);
      this.#hash.update(chunk);
      yield chunk;
    }
  }

  digest(): string {
    return `${this.#algorithm}:${this.#hash.digest("hex")}`;
  }
}
