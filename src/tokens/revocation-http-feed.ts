import { Duration } from "../core/index.js";
import type { Fetch } from "./jwks-key-source-fetch.js";
import type { Revocation, RevocationFeed } from "./revocation-types.js";

/** Where a feed reader gets the bearer token `GET /revocations` requires. */
export interface AccessTokenProvider {
  /** A token valid for at least a little while longer. */
  token(): Promise<string>;
  /** Forget the current token (the server refused it); the next `token()` obtains a new one. */
  invalidate(): void;
}

export interface RevocationFeedFromUrlOptions {
  readonly credentials: AccessTokenProvider;
  /** Default: the global `fetch`. */
  readonly fetch?: Fetch;
  /** Per request; default 5 s. */
  readonly timeout?: Duration;
}

/**
 * A `fetchFeed` for `RevocationRefresher` that reads one page, `GET <url>?from=<seconds>`, with a
 * bearer token; the refresher follows `meta.NEXT_FROM` to the next. Malformed entries are skipped
 * rather than failing the whole poll.
 */
export function revocationFeedFromUrl(
  url: string | URL,
  options: RevocationFeedFromUrlOptions,
): (from: number) => Promise<RevocationFeed> {
  const fetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = (options.timeout ?? Duration.seconds(5)).milliseconds;
  return async (from) => {
    const target = new URL(url);
    target.searchParams.set("from", String(Math.max(0, Math.floor(from))));
    const response = await fetch(target, {
      headers: { accept: "application/json", authorization: `Bearer ${await options.credentials.token()}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      if (response.status === 401) options.credentials.invalidate();
      throw new Error(`GET ${target.origin}${target.pathname} answered ${response.status}`);
    }
    return parseRevocationFeed(await response.json());
  };
}

/** Reads a feed from untrusted JSON, keeping only well-formed revocations. */
export function parseRevocationFeed(body: unknown): RevocationFeed {
  if (body === null || typeof body !== "object") throw new TypeError("the revocation feed is not an object");
  const { meta, revocations } = body as { meta?: unknown; revocations?: unknown };
  if (!Array.isArray(revocations)) throw new TypeError('the revocation feed has no "revocations" array');
  const m = (meta ?? {}) as { REFRESH_FROM?: unknown; REFRESH_TIMESTAMP?: unknown; NEXT_FROM?: unknown };
  return {
    meta: {
      ...(isSeconds(m.REFRESH_FROM) ? { REFRESH_FROM: m.REFRESH_FROM } : {}),
      ...(isSeconds(m.REFRESH_TIMESTAMP) ? { REFRESH_TIMESTAMP: m.REFRESH_TIMESTAMP } : {}),
      ...(isSeconds(m.NEXT_FROM) ? { NEXT_FROM: m.NEXT_FROM } : {}),
    },
    revocations: revocations.map(parseRevocation).filter((r): r is Revocation => r !== undefined),
  };
}

function parseRevocation(value: unknown): Revocation | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const { type, revoked_at, data } = value as { type?: unknown; revoked_at?: unknown; data?: unknown };
  if (!isSeconds(revoked_at) || data === null || typeof data !== "object") return undefined;
  const d = data as Record<string, unknown>;
  if (type === "TOKEN" && isHash(d.token_hash)) {
    return { type, revoked_at, data: { token_hash: d.token_hash, hash_algorithm: "SHA-256" } };
  }
  if (type === "CLAIM" && typeof d.names === "string" && isHash(d.value_hash) && isSeconds(d.issued_before)) {
    return {
      type,
      revoked_at,
      data: {
        names: d.names,
        value_hash: d.value_hash,
        issued_before: d.issued_before,
        hash_algorithm: "SHA-256",
      },
    };
  }
  if (type === "GLOBAL" && isSeconds(d.issued_before)) {
    return { type, revoked_at, data: { issued_before: d.issued_before } };
  }
  return undefined;
}

function isSeconds(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isHash(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= 128;
}
