import type { ImageProvenance } from "./image-resource.js";

/** `sha256:` and the first 12 hex digits, enough to tell digests apart in a table (as docker does). */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(":", 2);
  return hex === undefined ? digest : `${algorithm}:${hex.slice(0, 12)}`;
}

/**
 * The provenance in one cell: `<url>@<revision, 12 characters>` with `(modified)` when the working
 * tree was not clean, else `missing` or `pending`.
 */
export function provenanceCell(provenance: ImageProvenance): string {
  if (provenance.status !== "known") return provenance.status;
  const revision = provenance.revision === undefined ? "" : `@${provenance.revision.slice(0, 12)}`;
  return `${provenance.url ?? "?"}${revision}${provenance.clean === false ? " (modified)" : ""}`;
}

/** Bytes as people read them (binary units, like `docker images`), with the exact count. */
export function sizeText(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0);
  return unit === 0 ? `${bytes} B` : `${rounded} ${units[unit]} (${bytes} bytes)`;
}
