export { S3ObjectStore, type S3ObjectStoreOptions } from "./aws/s3-object-store.js";
export { type CloudErrorCode, CloudErrors } from "./errors.js";
export { FileObjectStore, type FileObjectStoreOptions } from "./local/file-object-store.js";
export { FileSecretBox } from "./local/file-secret-box.js";
export {
  assertObjectKey,
  type ByteRange,
  isObjectKey,
  OBJECT_KEY_MAX,
  type ObjectInfo,
  type ObjectStore,
} from "./object-store.js";
export type { SecretBox } from "./secret-box.js";
