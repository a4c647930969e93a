import { IdentityErrors } from "./errors.js";

// IP literals only: RFC 8252 8.3 advises against `localhost`, which a resolver may send elsewhere.
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]"]);

/**
 * Throws `IDENTITY_REDIRECT_URI_INVALID` unless the URI is one an authorization server may send a
 * code to (RFC 6749 3.1.2, RFC 8252 7): absolute, without a fragment or credentials, and either
 * `https`, `http` on a loopback host (native apps on an ephemeral port), or a private-use scheme
 * in reverse-domain form such as `com.example.app:/callback`.
 */
export function checkRedirectUri(uri: string): void {
  const reject = (why: string) =>
    IdentityErrors.IDENTITY_REDIRECT_URI_INVALID(`redirect URI "${uri}" ${why}`, { redirect_uri: uri });
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw reject("is not an absolute URI");
  }
  if (uri.includes("#")) throw reject("must not have a fragment");
  if (url.username !== "" || url.password !== "") throw reject("must not carry credentials");
  const scheme = url.protocol.slice(0, -1);
  if (scheme === "https") return;
  if (scheme === "http") {
    if (LOOPBACK_HOSTS.has(url.hostname)) return;
    throw reject("uses http, which is allowed only for loopback hosts");
  }
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/.test(scheme)) return;
  throw reject("must use https, http on a loopback host, or a reverse-domain private-use scheme");
}
