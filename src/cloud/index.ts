export { FileSecretBox } from "./local/file-secret-box.js";
export type { SecretBox } from "./secret-box.js";
