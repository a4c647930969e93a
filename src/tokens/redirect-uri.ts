/**
 * Whether a redirect URI sent in a request matches one the client registered: exactly, as a string,
 * with one exception from RFC 8252 §7.3 for native apps: a registered `http://127.0.0.1/...` or
 * `http://[::1]/...` URI matches the same URI on any port, since the app picks a free port at run
 * time. Path and query must still match exactly.
 */
export function matchesRegisteredRedirectUri(requested: string, registered: readonly string[]): boolean {
  if (registered.includes(requested)) return true;
  const actual = parseLoopback(requested);
  if (actual === undefined) return false;
  return registered.some((uri) => {
    const allowed = parseLoopback(uri);
    return (
      allowed !== undefined &&
      allowed.hostname === actual.hostname &&
      allowed.pathname === actual.pathname &&
      allowed.search === actual.search
    );
  });
}

function parseLoopback(uri: string): URL | undefined {
  if (!URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  if (url.protocol !== "http:" || (url.hostname !== "127.0.0.1" && url.hostname !== "[::1]"))
    return undefined;
  if (url.username !== "" || url.password !== "" || url.hash !== "" || uri.includes("#")) return undefined;
  return url;
}
