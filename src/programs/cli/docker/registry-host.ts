/**
 * The registry host of a Charter server: `host[:port]` of its URL, as docker and skopeo write it in
 * image references (`127.0.0.1:8080/platform/shop:1.0`) and as the key of `credHelpers`.
 */
export function registryHostOf(server: string): string {
  return new URL(server).host;
}

/**
 * The host a credential helper is asked about. Docker sends the registry host as in the image
 * reference; other clients send a URL (`https://host/v2/`). Both read as `host[:port]`, lower case.
 */
export function hostOfServerAddress(address: string): string {
  const text = address.trim();
  const withoutScheme = text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  return (withoutScheme.split("/", 1)[0] ?? "").toLowerCase();
}
