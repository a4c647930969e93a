export { AuthorizedImagesService } from "./authorized-service.js";
export { BlobStorage } from "./blob-storage.js";
export { type ImagesErrorCode, ImagesErrors } from "./errors.js";
export { type Collected, GarbageCollector, type GarbageCollectorOptions } from "./garbage-collector.js";
export { type ImagesHttpOptions, imagesHttp } from "./http.js";
export { ImagesService, type ImagesServiceOptions } from "./images-service.js";
export { MEDIA_TYPES } from "./manifest.js";
export { type OciHttpOptions, ociHttp } from "./oci-http.js";
export { SCM_SOURCE_ARTIFACT_TYPE } from "./provenance/referrer.js";
export { ProvenanceScanner, type ProvenanceScannerOptions } from "./provenance-scanner.js";
export {
  IMAGES_SCOPES,
  IMAGES_WRITE_SCOPE,
  RegistryAccess,
  type RegistryAccessOptions,
  type RegistryAction,
  type TeamMembership,
} from "./registry-access.js";
export {
  challenge,
  RegistryAuth,
  type RegistryAuthOptions,
  type RegistryCaller,
  type TokenCheck,
  type VerifiedCredential,
} from "./registry-auth.js";
export { MAX_MANIFEST_BYTES, RegistryService, type RegistryServiceOptions } from "./registry-service.js";
export type { Artifact, Page, ProvenanceView, Revocation, Tag } from "./types.js";
