import { describe, expect, it } from "vitest";
import { isImageConfig, MEDIA_TYPES, parseManifest } from "./manifest.js";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;
const D3 = `sha512:${"3".repeat(128)}`;

const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const descriptor = (
  digest: string,
  mediaType = "application/vnd.oci.image.layer.v1.tar+gzip",
  size = 10,
) => ({
  mediaType,
  digest,
  size,
});
const image = (extra: Record<string, unknown> = {}) => ({
  schemaVersion: 2,
  mediaType: MEDIA_TYPES.ociManifest,
  config: descriptor(D1, MEDIA_TYPES.ociConfig),
  layers: [descriptor(D2)],
  ...extra,
});

function invalid(value: unknown, contentType?: string): void {
  expect(() => parseManifest(bytes(value), contentType)).toThrow(
    expect.objectContaining({ code: "IMAGES_MANIFEST_INVALID" }),
  );
}

describe("parseManifest", () => {
  it("reads an OCI image manifest: config, layers, annotations", () => {
    const parsed = parseManifest(bytes(image({ annotations: { a: "b" } })), MEDIA_TYPES.ociManifest);
    expect(parsed).toEqual({
      mediaType: MEDIA_TYPES.ociManifest,
      isIndex: false,
      config: descriptor(D1, MEDIA_TYPES.ociConfig),
      layers: [descriptor(D2)],
      manifests: [],
      annotations: { a: "b" },
    });
  });

  it("takes the media type from Content-Type when the manifest has none, and from the manifest otherwise", () => {
    const { mediaType: _, ...untyped } = image();
    expect(parseManifest(bytes(untyped), `${MEDIA_TYPES.ociManifest}; charset=utf-8`).mediaType).toBe(
      MEDIA_TYPES.ociManifest,
    );
    expect(parseManifest(bytes(image()), undefined).mediaType).toBe(MEDIA_TYPES.ociManifest);
    expect(parseManifest(bytes(image()), "application/octet-stream").mediaType).toBe(MEDIA_TYPES.ociManifest);
    invalid(untyped);
    invalid(untyped, "application/json");
  });

  it("refuses a Content-Type that names another manifest type than the manifest", () => {
    invalid(image(), MEDIA_TYPES.ociIndex);
    invalid(image(), MEDIA_TYPES.dockerManifest);
  });

  it("reads an OCI index and a Docker manifest list, with platforms", () => {
    for (const mediaType of [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]) {
      const parsed = parseManifest(
        bytes({
          schemaVersion: 2,
          mediaType,
          manifests: [
            {
              ...descriptor(D1, MEDIA_TYPES.ociManifest),
              platform: { os: "linux", architecture: "arm64", variant: "v8", extra: 1 },
            },
            descriptor(D3, MEDIA_TYPES.ociManifest),
          ],
        }),
        undefined,
      );
      expect(parsed).toMatchObject({ mediaType, isIndex: true, layers: [] });
      expect(parsed.config).toBeUndefined();
      expect(parsed.manifests.map((m) => m.digest)).toEqual([D1, D3]);
      expect(parsed.manifests[0]!.platform).toEqual({ os: "linux", architecture: "arm64", variant: "v8" });
    }
    invalid({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex });
  });

  it("reads a Docker v2 schema 2 manifest, which must have layers", () => {
    const docker = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifest,
      config: descriptor(D1, MEDIA_TYPES.dockerConfig),
      layers: [descriptor(D2, "application/vnd.docker.image.rootfs.diff.tar.gzip")],
    };
    expect(parseManifest(bytes(docker), MEDIA_TYPES.dockerManifest)).toMatchObject({
      isIndex: false,
      layers: [{ digest: D2 }],
    });
    invalid({ ...docker, layers: [] });
  });

  it("derives an artifact's type from artifactType, else from a config that is not an image config", () => {
    expect(parseManifest(bytes(image()), undefined).artifactType).toBeUndefined();
    expect(parseManifest(bytes(image({ artifactType: "application/x.sbom" })), undefined).artifactType).toBe(
      "application/x.sbom",
    );
    const custom = image({ config: descriptor(D1, "application/x.custom.config+json") });
    expect(parseManifest(bytes(custom), undefined).artifactType).toBe("application/x.custom.config+json");
    const empty = image({ config: descriptor(D1, MEDIA_TYPES.ociEmpty) });
    expect(parseManifest(bytes(empty), undefined).artifactType).toBe(MEDIA_TYPES.ociEmpty);
  });

  it("reads a subject", () => {
    const parsed = parseManifest(
      bytes(image({ subject: descriptor(D3, MEDIA_TYPES.ociManifest, 99) })),
      undefined,
    );
    expect(parsed.subject).toEqual(descriptor(D3, MEDIA_TYPES.ociManifest, 99));
  });

  it("refuses what is not a valid manifest with IMAGES_MANIFEST_INVALID", () => {
    invalid("not json");
    invalid("");
    invalid([]);
    invalid(null);
    invalid(image({ schemaVersion: 1 }));
    invalid(image({ schemaVersion: "2" }));
    invalid(image({ mediaType: "application/vnd.docker.distribution.manifest.v1+json" }));
    invalid(image({ config: undefined }));
    invalid(image({ config: "sha256:x" }));
    invalid(image({ config: descriptor("sha256:abc") }));
    invalid(image({ config: descriptor(D1, "") }));
    invalid(image({ config: descriptor(D1, "x".repeat(256)) }));
    invalid(image({ config: descriptor(D1, MEDIA_TYPES.ociConfig, -1) }));
    invalid(image({ config: descriptor(D1, MEDIA_TYPES.ociConfig, 1.5) }));
    invalid(image({ config: { mediaType: MEDIA_TYPES.ociConfig, digest: D1 } }));
    invalid(image({ layers: {} }));
    invalid(image({ layers: [null] }));
    invalid(image({ annotations: { a: 1 } }));
    invalid(image({ annotations: ["a"] }));
    invalid(image({ artifactType: 5 }));
    invalid(image({ subject: { digest: D1 } }));
    invalid({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [{ digest: D1 }] });
  });

  it("names the failing field without echoing long values", () => {
    try {
      parseManifest(bytes(image({ mediaType: "x".repeat(5000) })), undefined);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(300);
    }
    expect(() =>
      parseManifest(bytes(image({ layers: [descriptor(D1), descriptor("nope")] })), undefined),
    ).toThrow(/layers\[1\]\.digest/);
  });
});

describe("isImageConfig", () => {
  it("knows the OCI and Docker image configs", () => {
    expect(isImageConfig(MEDIA_TYPES.ociConfig)).toBe(true);
    expect(isImageConfig(MEDIA_TYPES.dockerConfig)).toBe(true);
    expect(isImageConfig(MEDIA_TYPES.ociEmpty)).toBe(false);
  });
});
