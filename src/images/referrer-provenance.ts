import type { BlobStorage } from "./blob-storage.js";
import type { ParsedManifest } from "./manifest.js";
import { SCM_SOURCE_ARTIFACT_TYPE, scmSourceLayerOf } from "./provenance/referrer.js";
import { parseScmSource } from "./provenance/scm-source.js";
import type { ImagesStore } from "./store.js";
import type { ProvenanceView } from "./types.js";

/** scm-source.json is small; a referrer's layer larger than this is not one. */
const MAX_SCM_SOURCE_BYTES = 64 * 1024;

/**
 * Provenance attached after the fact: a referrer artifact of type
 * `application/vnd.charter.scm-source.v1+json` whose one layer is an scm-source.json. It fills in
 * the source of an image that carried none, and never replaces a source the image itself names.
 */
export class ReferrerProvenance {
  readonly #blobs: BlobStorage;

  constructor(blobs: BlobStorage) {
    this.#blobs = blobs;
  }

  /**
   * The provenance an already pushed referrer gives `digest`, if any: a known source if one of them
   * names one, else why the attached scm-source.json cannot be used.
   */
  async forSubject(
    store: ImagesStore,
    repository: string,
    digest: string,
  ): Promise<ProvenanceView | undefined> {
    let unusable: ProvenanceView | undefined;
    for (const referrer of await store.referrers(repository, digest, SCM_SOURCE_ARTIFACT_TYPE)) {
      const content = await store.manifestContent(repository, referrer.digest);
      if (content === undefined) continue;
      const view = await this.#read(
        JSON.parse(Buffer.from(content).toString("utf8")) as { layers?: unknown },
      );
      if (view?.status === "known") return view;
      unusable ??= view;
    }
    return unusable;
  }

  /** When `referrer` is an scm-source artifact, records its source on the subject it points to. */
  async applyToSubject(
    store: ImagesStore,
    repository: string,
    referrer: ParsedManifest,
    digest: string,
    /** Appends the change to the audit log, on the push's transaction. */
    record: (change: { action: string; target: string; body: unknown }) => Promise<void>,
  ): Promise<void> {
    if (referrer.artifactType !== SCM_SOURCE_ARTIFACT_TYPE || referrer.subject === undefined) return;
    const current = await store.provenanceOf(repository, referrer.subject.digest);
    if (current === undefined || current.status === "known") return;
    const view = await this.#read({ layers: referrer.layers });
    if (view === undefined) return;
    // An unusable attachment must not end the search of the image's own layers.
    if (view.status !== "known" && current.status === "pending") return;
    await store.setProvenance(repository, referrer.subject.digest, view);
    await record({
      action: "image.provenance.attach",
      target: `image/${repository}@${referrer.subject.digest}`,
      body: { referrer: digest, provenance: view },
    });
  }

  async #read(manifest: { layers?: unknown }): Promise<ProvenanceView | undefined> {
    // Callers pass only scm-source artifacts; the type makes scmSourceLayerOf look at the layers.
    const layer = scmSourceLayerOf({ artifactType: SCM_SOURCE_ARTIFACT_TYPE, layers: manifest.layers });
    if (!layer.ok) return { status: "missing", note: layer.reason };
    let bytes: Uint8Array;
    try {
      bytes = await this.#blobs.read(layer.digest, MAX_SCM_SOURCE_BYTES);
    } catch {
      return undefined;
    }
    const result = parseScmSource(bytes, "referrer");
    if (!result.ok)
      return { status: "missing", note: `the attached scm-source.json is not valid: ${result.reason}` };
    const p = result.provenance;
    return {
      status: "known",
      origin: p.origin,
      url: p.url,
      revision: p.revision,
      author: p.author,
      clean: p.clean,
    };
  }
}
