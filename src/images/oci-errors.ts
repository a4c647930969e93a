import { type CharterError, type ErrorKind, isCharterError } from "../core/index.js";
import type { ImagesErrorCode } from "./errors.js";

/** An error as the OCI Distribution Specification words it. */
export interface OciError {
  readonly status: number;
  readonly code: string;
}

const BY_CODE: Partial<Record<ImagesErrorCode | string, OciError>> = {
  IMAGES_NAME_INVALID: { status: 400, code: "NAME_INVALID" },
  IMAGES_NAME_UNKNOWN: { status: 404, code: "NAME_UNKNOWN" },
  IMAGES_BLOB_UNKNOWN: { status: 404, code: "BLOB_UNKNOWN" },
  IMAGES_BLOB_UPLOAD_UNKNOWN: { status: 404, code: "BLOB_UPLOAD_UNKNOWN" },
  IMAGES_BLOB_UPLOAD_INVALID: { status: 400, code: "BLOB_UPLOAD_INVALID" },
  IMAGES_UPLOAD_OUT_OF_ORDER: { status: 416, code: "BLOB_UPLOAD_INVALID" },
  IMAGES_RANGE_NOT_SATISFIABLE: { status: 416, code: "SIZE_INVALID" },
  IMAGES_DIGEST_INVALID: { status: 400, code: "DIGEST_INVALID" },
  IMAGES_SIZE_INVALID: { status: 400, code: "SIZE_INVALID" },
  IMAGES_MANIFEST_TOO_LARGE: { status: 413, code: "SIZE_INVALID" },
  IMAGES_MANIFEST_INVALID: { status: 400, code: "MANIFEST_INVALID" },
  IMAGES_MANIFEST_UNKNOWN: { status: 404, code: "MANIFEST_UNKNOWN" },
  IMAGES_MANIFEST_BLOB_UNKNOWN: { status: 400, code: "MANIFEST_BLOB_UNKNOWN" },
  IMAGES_TAG_INVALID: { status: 409, code: "TAG_INVALID" },
  IMAGES_TAG_NAME_INVALID: { status: 400, code: "TAG_INVALID" },
  IMAGES_UNSUPPORTED: { status: 405, code: "UNSUPPORTED" },
  IMAGES_DENIED: { status: 403, code: "DENIED" },
  CORE_UNAUTHENTICATED: { status: 401, code: "UNAUTHORIZED" },
  CORE_FORBIDDEN: { status: 403, code: "DENIED" },
  CORE_RATE_LIMITED: { status: 429, code: "TOOMANYREQUESTS" },
  // A blob or upload whose bytes vanished under a request (a concurrent cancel, a collection).
  CLOUD_OBJECT_NOT_FOUND: { status: 404, code: "BLOB_UNKNOWN" },
};

const BY_KIND: Record<ErrorKind, OciError> = {
  invalid: { status: 400, code: "UNSUPPORTED" },
  unauthenticated: { status: 401, code: "UNAUTHORIZED" },
  forbidden: { status: 403, code: "DENIED" },
  not_found: { status: 404, code: "NAME_UNKNOWN" },
  conflict: { status: 409, code: "DENIED" },
  gone: { status: 404, code: "NAME_UNKNOWN" },
  too_large: { status: 413, code: "SIZE_INVALID" },
  unsupported_media_type: { status: 415, code: "MANIFEST_INVALID" },
  rate_limited: { status: 429, code: "TOOMANYREQUESTS" },
  unavailable: { status: 503, code: "UNAVAILABLE" },
  internal: { status: 500, code: "UNKNOWN" },
};

export function ociErrorOf(error: CharterError): OciError {
  return BY_CODE[error.code] ?? BY_KIND[error.kind];
}

/** The body the specification defines: `{"errors":[{code, message, detail}]}`. */
export function ociErrorBody(error: unknown, requestId: string) {
  if (!isCharterError(error)) {
    return {
      errors: [{ code: "UNKNOWN", message: "the registry failed; see its log", detail: { requestId } }],
    };
  }
  const { code } = ociErrorOf(error);
  // Only the registry's own errors explain themselves; others (storage, internals) could name keys
  // and paths the client has no business seeing.
  if (!error.code.startsWith("IMAGES_") && !error.code.startsWith("CORE_")) {
    return { errors: [{ code, message: error.title, detail: { requestId } }] };
  }
  if (error.kind === "internal") {
    return { errors: [{ code, message: "the registry failed; see its log", detail: { requestId } }] };
  }
  const { challenge: _challenge, ...extensions } = error.extensions ?? {};
  return {
    errors: [{ code, message: error.message, detail: { charterCode: error.code, requestId, ...extensions } }],
  };
}
