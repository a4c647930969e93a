import { describe, expect, it } from "vitest";
import { isScmSourceArtifact, SCM_SOURCE_ARTIFACT_TYPE, scmSourceLayerOf } from "./referrer.js";

const EMPTY = {
  mediaType: "application/vnd.oci.empty.v1+json",
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
};
const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe("scm-source referrers", () => {
  it("recognises the artifact type, or the config media type when artifactType is absent", () => {
    expect(isScmSourceArtifact({ artifactType: SCM_SOURCE_ARTIFACT_TYPE, config: EMPTY })).toBe(true);
    expect(isScmSourceArtifact({ config: { mediaType: SCM_SOURCE_ARTIFACT_TYPE } })).toBe(true);
    expect(isScmSourceArtifact({ artifactType: "application/vnd.example.sbom", config: EMPTY })).toBe(false);
    expect(isScmSourceArtifact({ config: EMPTY })).toBe(false);
  });

  it("finds the JSON layer", () => {
    const layer = { mediaType: "application/json", digest: digest("b"), size: 120 };
    expect(
      scmSourceLayerOf({
        artifactType: SCM_SOURCE_ARTIFACT_TYPE,
        config: EMPTY,
        layers: [{ mediaType: "text/plain", digest: digest("a"), size: 3 }, layer],
      }),
    ).toEqual({ ok: true, ...layer });
  });

  it("accepts a layer typed as the artifact type, or titled scm-source.json as oras attach names it", () => {
    const typed = { mediaType: SCM_SOURCE_ARTIFACT_TYPE, digest: digest("c"), size: 80 };
    expect(scmSourceLayerOf({ artifactType: SCM_SOURCE_ARTIFACT_TYPE, layers: [typed] })).toEqual({
      ok: true,
      ...typed,
    });
    const titled = {
      mediaType: "application/vnd.oci.image.layer.v1.tar",
      digest: digest("d"),
      size: 90,
      annotations: { "org.opencontainers.image.title": "scm-source.json" },
    };
    expect(scmSourceLayerOf({ artifactType: SCM_SOURCE_ARTIFACT_TYPE, layers: [titled] })).toMatchObject({
      ok: true,
      digest: digest("d"),
    });
  });

  it("explains what is wrong", () => {
    expect(scmSourceLayerOf({ config: EMPTY, layers: [] })).toEqual({
      ok: false,
      reason: "referrer is not an scm-source artifact",
    });
    expect(
      scmSourceLayerOf({
        artifactType: SCM_SOURCE_ARTIFACT_TYPE,
        layers: [{ mediaType: "application/json", digest: "sha256:nothex", size: 5 }, "junk"],
      }),
    ).toEqual({ ok: false, reason: "scm-source referrer has no scm-source.json layer" });
    expect(
      scmSourceLayerOf({
        artifactType: SCM_SOURCE_ARTIFACT_TYPE,
        layers: [{ mediaType: "application/json", digest: digest("e"), size: 10_000_000 }],
      }),
    ).toEqual({ ok: false, reason: "scm-source.json is 10000000 bytes, more than the 65536 allowed" });
  });
});
