/** Realms of principals, as Plan B names them. */
export type Realm = "employees" | "services";

export const REALMS: readonly Realm[] = ["employees", "services"];

/** The scope that lets its holder administer every team's objects. */
export const ADMIN_SCOPE = "charter.admin";

/**
 * Who is calling, as established from a verified access token. Built by the server's authentication
 * hook; parts only read it.
 */
export interface Principal {
  /** The subject: a person's user id or a service client's id. */
  readonly sub: string;
  readonly realm: Realm;
  readonly scopes: ReadonlySet<string>;
  /** The client the token was issued to, when it differs from the subject (`azp`). */
  readonly clientId?: string;
}

export function isAdmin(principal: Principal): boolean {
  return principal.scopes.has(ADMIN_SCOPE);
}

/** The actor an audit entry names. */
export interface Actor {
  readonly sub: string;
  readonly realm: string;
}

export function actorOf(principal: Principal): Actor {
  return { sub: principal.sub, realm: principal.realm };
}

/** The actor for changes Charter makes by itself (first start, background jobs). */
export const SYSTEM_ACTOR: Actor = { sub: "charter", realm: "system" };
