/** The cookie that binds a login form to the browser that asked for it. */
export const BINDING_COOKIE = "charter_authorize";

const VALUE = /^[A-Za-z0-9_-]{32,64}$/;

/** The binding the browser sent, if it is well formed. */
export function bindingOf(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== BINDING_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (VALUE.test(value)) return value;
  }
  return undefined;
}

/**
 * The `Set-Cookie` value for a binding. `SameSite=Lax` keeps it off cross-site POSTs (the login
 * CSRF this guards against) yet sends it on the top-level GET a client's redirect makes, so
 * several sign-ins in several tabs share one binding.
 */
export function bindingCookie(
  value: string,
  options: { path: string; secure: boolean; maxAgeSeconds: number },
): string {
  return [
    `${BINDING_COOKIE}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAgeSeconds}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(options.secure ? ["Secure"] : []),
  ].join("; ");
}
