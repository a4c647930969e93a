import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { JWK } from "jose";

/** An ES256 key of the benchmark's own, and the tokens it mints (node:crypto, so minting is quick). */
export interface BenchSigner {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: JWK;
  readonly issuer: string;
}

export function createBenchSigner(issuer: string): BenchSigner {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = "bench-es256";
  return {
    kid,
    privateKey,
    issuer,
    jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "ES256", use: "sig" },
  };
}

/** `count` distinct valid tokens (distinct `sub`s) written one a line to `file`. */
export function mintTokenFile(signer: BenchSigner, file: string, count: number, prefix: string): void {
  const header = b64({ alg: "ES256", kid: signer.kid, typ: "JWT" });
  const iat = Math.floor(Date.now() / 1000);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const payload = b64({
      sub: `${prefix}-${i}`,
      realm: "services",
      scope: ["uid", "bench.read", "bench.write"],
      iss: signer.issuer,
      iat,
      exp: iat + 3600,
    });
    const signingInput = `${header}.${payload}`;
    const signature = sign("sha256", Buffer.from(signingInput), {
      key: signer.privateKey,
      dsaEncoding: "ieee-p1363",
    });
    lines.push(`${signingInput}.${signature.toString("base64url")}`);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
