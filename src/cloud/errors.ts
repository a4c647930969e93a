import { defineErrors } from "../core/index.js";

/** Every error the cloud adapters raise; codes are stable, messages are not. */
export const CloudErrors = defineErrors({
  CLOUD_OBJECT_NOT_FOUND: { kind: "not_found", title: "Object not found" },
  CLOUD_OBJECT_KEY_INVALID: { kind: "invalid", title: "Object key is not valid" },
  CLOUD_OBJECT_KEY_CONFLICT: { kind: "conflict", title: "Object key collides with a folder of other keys" },
  CLOUD_RANGE_NOT_SATISFIABLE: { kind: "invalid", title: "Byte range not satisfiable" },
});

export type CloudErrorCode = Exclude<keyof typeof CloudErrors, "specs">;
