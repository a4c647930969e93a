import type { JSONWebKeySet } from "jose";
import { Duration } from "../core/index.js";

export type Fetch = typeof globalThis.fetch;

export interface HttpFetchOptions {
  /** Default: the global `fetch`. Tests pass a stub. */
  readonly fetch?: Fetch;
  /** Per request; default 5 s. */
  readonly timeout?: Duration;
}

/** The two members of an OpenID Provider's metadata that verification needs. */
export interface OpenIdConfiguration {
  readonly issuer: string;
  readonly jwksUri: string;
}

/**
 * Reads `<base>/.well-known/openid-configuration`. Throws when it cannot be read or lacks `issuer`
 * or `jwks_uri`.
 */
export async function fetchOpenIdConfiguration(
  base: string | URL,
  options: HttpFetchOptions = {},
): Promise<OpenIdConfiguration> {
  const url = new URL("/.well-known/openid-configuration", base);
  const body = (await getJson(url, options)) as { issuer?: unknown; jwks_uri?: unknown };
  if (typeof body.issuer !== "string" || typeof body.jwks_uri !== "string") {
    throw new TypeError(`${url.href} has no "issuer" or no "jwks_uri"`);
  }
  return { issuer: body.issuer, jwksUri: new URL(body.jwks_uri, url).href };
}

/** A `fetchKeys` for `JwksKeySource` that reads a JWKS document from a URL. */
export function jwksFromUrl(url: string | URL, options: HttpFetchOptions = {}): () => Promise<JSONWebKeySet> {
  const target = new URL(url);
  return async () => (await getJson(target, options)) as JSONWebKeySet;
}

/**
 * A `fetchKeys` that follows the provider's discovery document on every load (as Plan B's
 * tokeninfo does), so a moved `jwks_uri` is picked up without a restart.
 */
export function jwksViaDiscovery(
  base: string | URL,
  options: HttpFetchOptions = {},
): () => Promise<JSONWebKeySet> {
  return async () => {
    const { jwksUri } = await fetchOpenIdConfiguration(base, options);
    return (await getJson(new URL(jwksUri), options)) as JSONWebKeySet;
  };
}

async function getJson(url: URL, options: HttpFetchOptions): Promise<unknown> {
  const fetch = options.fetch ?? globalThis.fetch;
  const response = await fetch(url, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout((options.timeout ?? Duration.seconds(5)).milliseconds),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`GET ${url.href} answered ${response.status}`);
  }
  return response.json();
}
