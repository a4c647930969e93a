/**
 * Encrypts small secrets (signing keys) under a master key that never leaves the box: a file in the
 * data directory in embedded mode, KMS in production. Ciphertexts are opaque and self-describing, so
 * a box can tell which of its keys sealed them.
 */
export interface SecretBox {
  seal(plaintext: Uint8Array, context: string): Promise<Uint8Array>;
  /** Throws when the ciphertext was altered, or sealed under another key or another context. */
  open(ciphertext: Uint8Array, context: string): Promise<Uint8Array>;
}
