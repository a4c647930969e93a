import { createGunzip } from "node:zlib";
import { extract, type Header } from "tar-stream";
import { MAX_SCM_SOURCE_BYTES } from "./scm-source.js";

/**
 * What one layer says about `/scm-source.json`; `undefined` from {@link findScmSourceInLayer} means
 * nothing (look in the layer below).
 * - `found`: the layer holds the file; `content` is its bytes.
 * - `deleted`: the layer removes the file of lower layers (a whiteout `.wh.scm-source.json`, an opaque
 *   root `.wh..wh..opq`, or something other than a regular file under that name): stop looking.
 * - `unreadable`: the layer holds the file but it is too large, or the layer is not a valid
 *   (compressed) tar archive; `reason` says which. Stop looking: lower layers are shadowed or untrusted.
 */
export type LayerScanResult =
  | { readonly kind: "found"; readonly content: Uint8Array }
  | { readonly kind: "deleted" }
  | { readonly kind: "unreadable"; readonly reason: string };

/** Options of {@link findScmSourceInLayer}. */
export interface LayerScanOptions {
  /** The largest scm-source.json read. Default: {@link MAX_SCM_SOURCE_BYTES} (64 KiB). */
  readonly maxEntryBytes?: number;
}

const FILE = "scm-source.json";
const WHITEOUT = `.wh.${FILE}`;
const OPAQUE = ".wh..wh..opq";

const TAR_TYPES = new Set([
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.docker.image.rootfs.diff.tar",
]);
const GZIP_TYPES = new Set([
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
]);

/** The writable end of the decoding chain: gunzip piped into the tar extractor, or the extractor. */
interface Sink {
  write(chunk: Uint8Array): boolean;
  end(): void;
  drained(): Promise<void>;
}

/**
 * Streams a layer blob and returns what it says about the image's `/scm-source.json` (entry names
 * `scm-source.json`, `./scm-source.json` or `/scm-source.json`; the same name in a subfolder does not
 * count). Reading stops as soon as the file is found: the rest of the layer is not pulled from `layer`,
 * whose iterator is closed. Layers in a media type it cannot decode (zstd, or not a layer at all)
 * give `undefined`.
 *
 * Errors thrown by `layer` itself (a failing object store) propagate; a layer that is not a valid tar
 * (or gzip) archive gives `{ kind: "unreadable" }`.
 *
 * @example
 * ```ts
 * for (const layer of manifest.layers.toReversed()) {
 *   const scan = await findScmSourceInLayer(await blobs.read(layer.digest), layer.mediaType);
 *   if (scan === undefined) continue;
 *   return scan.kind === "found" ? parseScmSource(scan.content, "scm-source.json") : missing(scan);
 * }
 * ```
 */
export async function findScmSourceInLayer(
  layer: AsyncIterable<Uint8Array>,
  mediaType: string,
  options: LayerScanOptions = {},
): Promise<LayerScanResult | undefined> {
  const gzip = GZIP_TYPES.has(mediaType);
  if (!gzip && !TAR_TYPES.has(mediaType)) return undefined;
  const maxEntryBytes = options.maxEntryBytes ?? MAX_SCM_SOURCE_BYTES;
  if (!Number.isSafeInteger(maxEntryBytes) || maxEntryBytes < 0) {
    throw new RangeError(`maxEntryBytes must be a non-negative integer, got ${maxEntryBytes}`);
  }

  let outcome: LayerScanResult | undefined;
  let settled = false;
  let settle!: () => void;
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const conclude = (result: LayerScanResult | undefined) => {
    if (settled) return;
    settled = true;
    outcome = result;
    settle();
  };
  const unreadable = (error: unknown) =>
    conclude({
      kind: "unreadable",
      reason: `layer is not a valid ${gzip ? "gzip-compressed " : ""}tar archive (${messageOf(error)})`,
    });

  let shadowed = false;
  const extractor = extract();
  extractor.on("entry", (header, entry, next) => {
    const name = rootName(header.name);
    if (name === FILE) {
      readEntry(header, entry, maxEntryBytes).then(conclude, unreadable);
      return;
    }
    if (name === WHITEOUT || name === OPAQUE) shadowed = true;
    // The extractor reports a broken archive itself; the entry would repeat it with no one listening.
    entry.on("error", () => {});
    entry.on("end", () => next());
    entry.resume();
  });
  extractor.on("finish", () => conclude(shadowed ? { kind: "deleted" } : undefined));
  extractor.on("error", unreadable);

  const gunzip = gzip ? createGunzip() : undefined;
  let sink: Sink;
  if (gunzip) {
    gunzip.on("error", unreadable);
    gunzip.pipe(extractor as unknown as NodeJS.WritableStream);
    sink = {
      write: (chunk) => gunzip.write(chunk),
      end: () => gunzip.end(),
      drained: () => new Promise((resolve) => gunzip.once("drain", resolve)),
    };
  } else {
    sink = {
      write: (chunk) => extractor.write(chunk),
      end: () => extractor.end(undefined),
      drained: () => new Promise((resolve) => extractor.once("drain", resolve)),
    };
  }

  const source = layer[Symbol.asyncIterator]();
  try {
    while (!settled) {
      const step = await source.next();
      if (step.done) {
        sink.end();
        break;
      }
      if (!settled && !sink.write(step.value)) {
        await Promise.race([sink.drained(), done]);
      }
    }
    await done;
  } finally {
    // Closes the source early when the answer came before its end (a no-op once it is exhausted).
    await source.return?.();
    gunzip?.unpipe();
    gunzip?.destroy();
    extractor.destroy();
  }
  return outcome;
}

/** The entry's name if it sits in the image root, without `./` or `/` in front or `/` behind. */
function rootName(name: string): string | undefined {
  // No regular expressions: a crafted PAX path can be a megabyte of slashes.
  let start = 0;
  let end = name.length;
  while (end > 0 && name[end - 1] === "/") end--;
  for (;;) {
    if (name[start] === "/") start += 1;
    else if (name[start] === "." && name[start + 1] === "/") start += 2;
    else break;
  }
  const trimmed = name.slice(start, end);
  return trimmed.includes("/") ? undefined : trimmed;
}

async function readEntry(
  header: Header,
  entry: AsyncIterable<unknown>,
  maxEntryBytes: number,
): Promise<LayerScanResult> {
  // A directory, link or device under the name hides the lower layers' file as a whiteout does.
  if (header.type !== "file" && header.type !== "contiguous-file") return { kind: "deleted" };
  const tooLarge = (size: number): LayerScanResult => ({
    kind: "unreadable",
    reason: `scm-source.json is ${size} bytes, more than the ${maxEntryBytes} allowed`,
  });
  if (header.size > maxEntryBytes) return tooLarge(header.size);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const data of entry) {
    const chunk = data as Uint8Array;
    size += chunk.byteLength;
    if (size > maxEntryBytes) return tooLarge(size);
    chunks.push(chunk);
  }
  return { kind: "found", content: Buffer.concat(chunks) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
