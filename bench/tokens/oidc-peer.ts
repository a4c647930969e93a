import { generateKeyPairSync } from "node:crypto";
import Provider from "oidc-provider";

/**
 * The peer of measurement (c): panva's oidc-provider issuing ES256 JWT access tokens for the
 * client_credentials grant, configured as its documentation recommends.
 */
const port = Number(process.argv[2]);
const [clientId, clientSecret] = [process.argv[3]!, process.argv[4]!];
const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: "ES256",
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "bench-es256", alg: "ES256", use: "sig" }] },
  cookies: { keys: ["bench-cookie-key-not-secret"] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => "urn:charter:bench",
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: "bench.read",
        audience: "urn:charter:bench",
        accessTokenTTL: 3600,
        accessTokenFormat: "jwt",
        jwt: { sign: { alg: "ES256" } },
      }),
    },
  },
});

const server = provider.listen(port, "127.0.0.1", () => process.stdout.write("listening\n"));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
