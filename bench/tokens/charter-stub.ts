import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { JWK } from "jose";
import type { Revocation } from "../../src/tokens/index.js";
import { hashRevocationValue } from "../../src/tokens/index.js";

export const BENCH_SALT = "bench-salt";

/**
 * What the sidecar needs from Charter, served from the benchmark's own process: discovery, the
 * JWKS, a token endpoint for the sidecar's client credentials and a revocation feed holding 1,000
 * token, 100 claim and one global revocation, none of which hits a benchmark token, so every
 * verification pays for the revocation checks a real deployment has.
 */
export async function startCharterStub(
  jwk: JWK,
  issuer: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const now = Math.floor(Date.now() / 1000);
  const revocations: Revocation[] = [
    ...Array.from(
      { length: 1_000 },
      (): Revocation => ({
        type: "TOKEN",
        revoked_at: now,
        data: {
          token_hash: hashRevocationValue(BENCH_SALT, randomBytes(32).toString("hex")),
          hash_algorithm: "SHA-256",
        },
      }),
    ),
    ...Array.from(
      { length: 100 },
      (_, i): Revocation => ({
        type: "CLAIM",
        revoked_at: now,
        data: {
          names: "sub",
          value_hash: hashRevocationValue(BENCH_SALT, `former-${i}`),
          issued_before: now,
          hash_algorithm: "SHA-256",
        },
      }),
    ),
    { type: "GLOBAL", revoked_at: now, data: { issued_before: now - 86_400 } },
  ];
  let url = "";
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    request.resume();
    if (path === "/.well-known/openid-configuration")
      return json(200, { issuer, jwks_uri: `${url}/oauth2/connect/keys` });
    if (path === "/oauth2/connect/keys") return json(200, { keys: [jwk] });
    if (path === "/oauth2/access_token" && request.method === "POST") {
      return json(200, { access_token: "bench-sidecar-token", token_type: "Bearer", expires_in: 3600 });
    }
    if (path === "/revocations") return json(200, { meta: {}, revocations });
    return json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
