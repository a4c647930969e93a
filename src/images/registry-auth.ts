import { CoreErrors, isCharterError, type Principal } from "../core/index.js";
import type { RegistryAccess as Grant } from "../tokens/index.js";
import { parseRepositoryPath, type RepositoryName } from "./names.js";
import type { RegistryAccess, RegistryAction } from "./registry-access.js";

/** Verifies a token and names its principal (and, for registry tokens, the grants it carries). */
export interface VerifiedCredential {
  readonly principal: Principal;
  /** The claims, for registry tokens' `access` and `aud`. */
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface TokenCheck {
  verify(token: string): Promise<VerifiedCredential>;
}

/** Who calls the registry: a principal, and what a registry token limits it to (none: no limit). */
export interface RegistryCaller {
  readonly principal: Principal;
  readonly grants?: readonly Grant[];
  /** When the presented credential expires (seconds since the epoch); a registry token never outlives it. */
  readonly expiresAt?: number;
}

export interface RegistryAuthOptions {
  /** Charter access tokens (Basic `oauth2:<token>`, or a bearer access token). */
  readonly accessTokens: TokenCheck;
  /** Registry tokens from `/v2/token`. */
  readonly registryTokens: TokenCheck;
  readonly access: RegistryAccess;
  /** The `service` of challenges and the audience of registry tokens: the registry's host. */
  readonly service: string;
  /** The token endpoint's absolute URL. */
  readonly realm: string;
}

/** The Docker `Authorization` challenge; the scope tells the client which token to ask for. */
export function challenge(realm: string, service: string, scope?: string, error?: string): string {
  const params = [`realm="${realm}"`, `service="${service}"`];
  if (scope !== undefined) params.push(`scope="${scope}"`);
  if (error !== undefined) params.push(`error="${error}"`);
  return `Bearer ${params.join(",")}`;
}

const BASIC = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i;
const BEARER = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i;

/**
 * Authentication and authorization of registry requests. Credentials are HTTP Basic with user
 * `oauth2` and a Charter access token as password (what `docker login` and the credential helper
 * send), a registry token from the token endpoint, or a Charter access token as bearer.
 */
export class RegistryAuth {
  readonly #options: RegistryAuthOptions;

  constructor(options: RegistryAuthOptions) {
    this.#options = options;
  }

  get realm(): string {
    return this.#options.realm;
  }

  get service(): string {
    return this.#options.service;
  }

  get anonymousPull(): boolean {
    return this.#options.access.anonymousPull;
  }

  /** The caller named by an Authorization header; undefined without one. */
  async caller(authorization: string | undefined): Promise<RegistryCaller | undefined> {
    if (authorization === undefined || authorization === "") return undefined;
    const basic = BASIC.exec(authorization);
    if (basic !== null) {
      const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      if (user !== "oauth2" || colon < 0) {
        throw CoreErrors.CORE_UNAUTHENTICATED(
          'log in with username "oauth2" and a Charter access token as password',
        );
      }
      return accessCaller(await this.#verify(this.#options.accessTokens, decoded.slice(colon + 1)));
    }
    const bearer = BEARER.exec(authorization);
    if (bearer === null)
      throw CoreErrors.CORE_UNAUTHENTICATED("the Authorization header is neither Basic nor Bearer");
    const token = bearer[1]!;
    if (isRegistryToken(token)) {
      const { principal, claims } = await this.#verify(this.#options.registryTokens, token);
      if (claims.aud !== this.#options.service)
        throw CoreErrors.CORE_UNAUTHENTICATED("the registry token is for another service");
      return { principal, grants: Array.isArray(claims.access) ? (claims.access as Grant[]) : [] };
    }
    return accessCaller(await this.#verify(this.#options.accessTokens, token));
  }

  /**
   * Throws unless the caller may do `action` on the repository: UNAUTHORIZED (with a challenge for
   * the needed scope) when a token is missing or too narrow, DENIED when the principal may not.
   */
  async authorize(
    caller: RegistryCaller | undefined,
    repository: RepositoryName,
    action: RegistryAction,
  ): Promise<void> {
    const scope = `repository:${repository.name}:${action === "push" ? "pull,push" : "pull"}`;
    if (caller === undefined) {
      if (action === "pull" && this.anonymousPull) return;
      throw this.unauthorized("credentials are required", scope);
    }
    if (caller.grants !== undefined && !granted(caller.grants, "repository", repository.name, action)) {
      // The token is too narrow; if the principal may do it, a new token will carry it.
      await this.#options.access.require(caller.principal, repository, action);
      throw this.unauthorized(
        `the registry token does not grant ${action} on ${repository.name}`,
        scope,
        "insufficient_scope",
      );
    }
    await this.#options.access.require(caller.principal, repository, action);
  }

  /** Throws unless the caller may list every repository. */
  authorizeCatalog(caller: RegistryCaller | undefined): void {
    if (caller === undefined) throw this.unauthorized("credentials are required", "registry:catalog:*");
    if (caller.grants !== undefined && !granted(caller.grants, "registry", "catalog", "*")) {
      throw this.unauthorized(
        "the registry token does not grant the catalog",
        "registry:catalog:*",
        "insufficient_scope",
      );
    }
  }

  /** What the token endpoint grants for the requested scopes: only what the principal may do. */
  async grantsFor(principal: Principal, scopes: readonly string[]): Promise<Grant[]> {
    const grants: Grant[] = [];
    for (const scope of scopes) {
      const match = /^(repository|registry):([^:]+):(.+)$/.exec(scope);
      if (match === null) continue;
      const [, type, name, actionList] = match as unknown as [
        string,
        "repository" | "registry",
        string,
        string,
      ];
      const wanted = actionList.split(",");
      if (type === "registry") {
        if (name === "catalog") grants.push({ type, name, actions: ["*"] });
        continue;
      }
      const repository = parseRepository(name);
      if (repository === undefined) continue;
      const allowed = await this.#options.access.actions(principal, repository);
      const actions = wanted.flatMap((a) =>
        a === "*" ? [...allowed] : allowed.has(a as RegistryAction) ? [a] : [],
      );
      grants.push({ type, name, actions: [...new Set(actions)] });
    }
    return grants;
  }

  unauthorized(detail: string, scope?: string, error?: string) {
    return CoreErrors.CORE_UNAUTHENTICATED(detail, {
      challenge: challenge(this.#options.realm, this.#options.service, scope, error),
    });
  }

  async #verify(check: TokenCheck, token: string): Promise<VerifiedCredential> {
    try {
      return await check.verify(token);
    } catch (error) {
      if (!isCharterError(error) || error.kind === "internal") throw error;
      throw CoreErrors.CORE_UNAUTHENTICATED("the token is not valid");
    }
  }
}

function accessCaller({ principal, claims }: VerifiedCredential): RegistryCaller {
  return { principal, ...(typeof claims.exp === "number" ? { expiresAt: claims.exp } : {}) };
}

function granted(grants: readonly Grant[], type: string, name: string, action: string): boolean {
  return grants.some(
    (g) => g.type === type && g.name === name && (g.actions.includes(action) || g.actions.includes("*")),
  );
}

function parseRepository(name: string): RepositoryName | undefined {
  try {
    return parseRepositoryPath(name);
  } catch {
    return undefined;
  }
}

/** Registry tokens carry their own `typ`; peeking at the header picks the verifier. */
function isRegistryToken(token: string): boolean {
  const dot = token.indexOf(".");
  if (dot <= 0) return false;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), "base64url").toString("utf8")) as {
      typ?: unknown;
    };
    return typeof header.typ === "string" && header.typ.toLowerCase() === "charter-registry+jwt";
  } catch {
    return false;
  }
}
