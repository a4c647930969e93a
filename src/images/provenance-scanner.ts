import { type AuditSink, type Logger, SYSTEM_ACTOR } from "../core/index.js";
import type { Database } from "../db/index.js";
import type { BlobStorage } from "./blob-storage.js";
import { parseManifest } from "./manifest.js";
import { findScmSourceInLayer } from "./provenance/layer-scan.js";
import { parseScmSource } from "./provenance/scm-source.js";
import { viewOf } from "./registry-service.js";
import { ImagesStore } from "./store.js";
import type { ProvenanceView } from "./types.js";

export interface ProvenanceScannerOptions {
  readonly db: Database;
  /** Receives one record per resolved provenance. */
  readonly audit?: AuditSink;
  readonly blobs: BlobStorage;
  readonly logger?: Logger;
}

/**
 * Finds the provenance of images that name no source in annotations or labels: reads their layers,
 * top first, for the STUPS `/scm-source.json`. It runs beside pushes, not inside them, so a push of
 * a large image answers without waiting for its layers to be read; until then the image shows
 * provenance "pending". Work survives restarts, as it is the set of pending manifests.
 */
export class ProvenanceScanner {
  readonly #store: ImagesStore;
  readonly #blobs: BlobStorage;
  readonly #logger: Logger | undefined;
  readonly #audit: AuditSink | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: ProvenanceScannerOptions) {
    this.#store = new ImagesStore(options.db);
    this.#blobs = options.blobs;
    this.#logger = options.logger;
    this.#audit = options.audit;
  }

  /** Starts a pass over pending manifests, or asks the running pass to look again when done. */
  readonly notify = (): void => {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.notify();
      }
    });
  };

  /** Resolves when no pass is running (tests and shutdown wait on it). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.idle();
  }

  async #drain(): Promise<void> {
    for (;;) {
      const batch = await this.#store.pendingProvenance(20);
      if (batch.length === 0 || this.#stopped) return;
      for (const { repository, digest } of batch) {
        if (this.#stopped) return;
        let found: ProvenanceView;
        try {
          found = await this.scan(repository, digest);
        } catch (error) {
          this.#logger?.warn({ err: error, repository, digest }, "reading provenance from layers failed");
          found = { status: "missing", note: "the layers could not be read" };
        }
        // The source an image names is evidence: its resolution is audited like the push was.
        await this.#store.transaction(async (store, tx) => {
          if (!(await store.resolvePendingProvenance(repository, digest, found))) return;
          await this.#audit?.append(tx, {
            actor: SYSTEM_ACTOR,
            action: "image.provenance.resolve",
            target: `image/${repository}@${digest}`,
            body: found,
          });
        });
      }
    }
  }

  /** Reads the layers of one manifest, top first, until one says something of scm-source.json. */
  async scan(repository: string, digest: string): Promise<ProvenanceView> {
    const content = await this.#store.manifestContent(repository, digest);
    if (content === undefined) return { status: "missing", note: "the manifest is gone" };
    const manifest = parseManifest(content, undefined);
    for (const layer of [...manifest.layers].reverse()) {
      const result = await findScmSourceInLayer(await this.#blobs.open(layer.digest), layer.mediaType);
      if (result === undefined) continue;
      if (result.kind === "deleted") return { status: "missing", note: "a layer deletes /scm-source.json" };
      if (result.kind === "unreadable")
        return { status: "missing", note: `/scm-source.json unreadable: ${result.reason}` };
      const parsed = parseScmSource(result.content, "scm-source.json");
      return parsed.ok
        ? viewOf(parsed.provenance)
        : { status: "missing", note: `/scm-source.json is not valid: ${parsed.reason}` };
    }
    return {
      status: "missing",
      note: "no source annotations, no /scm-source.json in the layers and no scm-source referrer",
    };
  }
}
