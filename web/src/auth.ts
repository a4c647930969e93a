/**
 * Login through Charter's own authorization server: authorization code with PKCE (S256) as the
 * public client `charter-console`. The access token lives in sessionStorage, so it ends with the tab
 * and never appears in a URL once the callback has run.
 */
export const CLIENT_ID = "charter-console";

const TOKEN_KEY = "charter.token";
const PENDING_KEY = "charter.login";

export interface Session {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly subject: string;
  readonly scopes: readonly string[];
}

interface PendingLogin {
  readonly state: string;
  readonly verifier: string;
  readonly returnTo: string;
}

export function redirectUri(): string {
  return `${window.location.origin}/callback`;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Sends the browser to the login page; `returnTo` is where the console goes once logged in. */
export async function startLogin(returnTo: string): Promise<void> {
  const pending: PendingLogin = { state: randomString(), verifier: randomString(48), returnTo };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    state: pending.state,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  });
  window.location.assign(`/oauth2/authorize?${params}`);
}

export class LoginError extends Error {
  override readonly name = "LoginError";
}

/**
 * Finishes a login on `/callback`: checks `state`, trades the code for a token and returns the path
 * to continue at. The caller replaces the URL, so the code leaves the address bar and the history.
 */
export async function completeLogin(search: string): Promise<string> {
  const params = new URLSearchParams(search);
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const error = params.get("error");
  if (error !== null) {
    throw new LoginError(params.get("error_description") ?? `The login was refused (${error}).`);
  }
  if (raw === null) throw new LoginError("This login was not started in this tab. Please log in again.");
  const pending = JSON.parse(raw) as PendingLogin;
  const code = params.get("code");
  if (code === null || params.get("state") !== pending.state) {
    throw new LoginError("The login answer does not match the request. Please log in again.");
  }
  const response = await fetch("/oauth2/access_token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri(),
      client_id: CLIENT_ID,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== "string") {
    const description = typeof body.error_description === "string" ? body.error_description : undefined;
    throw new LoginError(description ?? `The token request failed (HTTP ${response.status}).`);
  }
  const expiresIn = typeof body.expires_in === "number" ? body.expires_in : 3600;
  saveSession(body.access_token, Date.now() + expiresIn * 1000);
  return pending.returnTo.startsWith("/") && !pending.returnTo.startsWith("//") ? pending.returnTo : "/";
}

function saveSession(accessToken: string, expiresAt: number): void {
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ accessToken, expiresAt }));
  notify();
}

/** The current session, or undefined when there is none or its token has expired. */
export function currentSession(): Session | undefined {
  const raw = sessionStorage.getItem(TOKEN_KEY);
  if (raw === null) return undefined;
  try {
    const { accessToken, expiresAt } = JSON.parse(raw) as { accessToken: string; expiresAt: number };
    if (Date.now() >= expiresAt - 5_000) return undefined;
    // The payload is read only to greet the person; the API checks the token itself.
    const payload = JSON.parse(
      atob(accessToken.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")),
    ) as Record<string, unknown>;
    const scopes = Array.isArray(payload.scope)
      ? (payload.scope as string[])
      : typeof payload.scope === "string"
        ? payload.scope.split(" ")
        : [];
    return { accessToken, expiresAt, subject: String(payload.sub ?? "unknown"), scopes };
  } catch {
    return undefined;
  }
}

export function logout(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  notify();
}

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

/** Subscribes to logins and logouts (for useSyncExternalStore). */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
