import { createHash, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import type { AuditCheckpoint, Ed25519PublicJwk } from "./types.js";

const CHECKPOINT_DOMAIN = "charter.audit.checkpoint/v1";

/**
 * The bytes a checkpoint signs: `["charter.audit.checkpoint/v1", seq, entry_hash, at, key_id]` as
 * JSON, UTF-8. The key id is inside, so a signature cannot be passed off as another key's.
 */
export function checkpointStatement(checkpoint: Omit<AuditCheckpoint, "id" | "signature">): Buffer {
  return Buffer.from(
    JSON.stringify([
      CHECKPOINT_DOMAIN,
      checkpoint.seq,
      checkpoint.entry_hash,
      checkpoint.at,
      checkpoint.key_id,
    ]),
    "utf8",
  );
}

/** Ed25519 signature of the statement, base64url. */
export function signCheckpoint(
  checkpoint: Omit<AuditCheckpoint, "id" | "signature">,
  privateKey: KeyObject,
): string {
  return sign(null, checkpointStatement(checkpoint), privateKey).toString("base64url");
}

/** Whether `signature` is the key's Ed25519 signature of the checkpoint's statement. */
export function checkpointSignatureValid(checkpoint: AuditCheckpoint, publicKey: KeyObject): boolean {
  try {
    return verify(
      null,
      checkpointStatement(checkpoint),
      publicKey,
      Buffer.from(checkpoint.signature, "base64url"),
    );
  } catch {
    return false;
  }
}

/** RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 JWK: the checkpoint key id. */
export function jwkThumbprint(jwk: Ed25519PublicJwk): string {
  const members = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash("sha256").update(members, "utf8").digest("base64url");
}

/** A public key object for an Ed25519 JWK; throws when the JWK is not one. */
export function publicKeyOf(jwk: Ed25519PublicJwk): KeyObject {
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") {
    throw new TypeError("not an Ed25519 public JWK");
  }
  return createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: "jwk" });
}
