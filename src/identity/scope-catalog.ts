/**
 * The registry of scopes that may be granted, as identity needs it. The tokens part owns the
 * registry and implements this port; the server wires the two together.
 */
export interface ScopeCatalog {
  /** The names, of those given, that the registry does not know, in the order given. */
  unknownScopes(names: readonly string[]): Promise<string[]>;
}
