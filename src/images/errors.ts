import { defineErrors } from "../core/index.js";

/**
 * The image registry's errors. Over `/v2/` each one answers with the status and the error code the
 * OCI Distribution Specification defines (see `oci-errors.ts`); over `/api/images` as a problem document.
 */
export const ImagesErrors = defineErrors({
  IMAGES_NAME_INVALID: { kind: "invalid", title: "Repository name is not valid" },
  IMAGES_NAME_UNKNOWN: { kind: "not_found", title: "Repository not found" },
  IMAGES_BLOB_UNKNOWN: { kind: "not_found", title: "Blob not found" },
  IMAGES_BLOB_UPLOAD_UNKNOWN: { kind: "not_found", title: "Upload not found" },
  IMAGES_BLOB_UPLOAD_INVALID: { kind: "invalid", title: "Upload is not valid" },
  IMAGES_UPLOAD_OUT_OF_ORDER: { kind: "invalid", title: "Chunk does not continue the upload" },
  IMAGES_RANGE_NOT_SATISFIABLE: { kind: "invalid", title: "Range cannot be satisfied" },
  IMAGES_DIGEST_INVALID: { kind: "invalid", title: "Digest does not match the content" },
  IMAGES_SIZE_INVALID: { kind: "invalid", title: "Size does not match the content" },
  IMAGES_MANIFEST_TOO_LARGE: { kind: "too_large", title: "Manifest is too large" },
  IMAGES_MANIFEST_INVALID: { kind: "invalid", title: "Manifest is not valid" },
  IMAGES_MANIFEST_UNKNOWN: { kind: "not_found", title: "Manifest not found" },
  IMAGES_MANIFEST_BLOB_UNKNOWN: { kind: "invalid", title: "Manifest references an unknown blob" },
  IMAGES_TAG_INVALID: { kind: "conflict", title: "Tag cannot be pushed" },
  IMAGES_TAG_NAME_INVALID: { kind: "invalid", title: "Tag is not valid" },
  IMAGES_TAG_NOT_FOUND: { kind: "not_found", title: "Tag not found" },
  IMAGES_TAG_ALREADY_REVOKED: { kind: "conflict", title: "Tag is already revoked" },
  IMAGES_UNSUPPORTED: { kind: "invalid", title: "Operation not supported" },
  IMAGES_DENIED: { kind: "forbidden", title: "Access to the repository denied" },
  IMAGES_INVALID_CURSOR: { kind: "invalid", title: "Cursor is not valid" },
});

export type ImagesErrorCode = keyof typeof ImagesErrors.specs;
