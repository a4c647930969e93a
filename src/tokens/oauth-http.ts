import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { authorizeHttp } from "./authorize-http.js";
import { type DiscoveryHttpOptions, discoveryHttp } from "./discovery-http.js";
import { type TokenEndpointHttpOptions, tokenEndpointHttp } from "./token-endpoint-http.js";
import type { TokenProvider } from "./token-provider.js";

export interface OAuthHttpOptions extends DiscoveryHttpOptions {
  /** Log level of the token endpoint; default `warn` (see `TokenEndpointHttpOptions`). */
  readonly tokenEndpointLogLevel?: TokenEndpointHttpOptions["logLevel"];
}

/**
 * Every OAuth2 route of the provider, all public: the token endpoint, the authorization endpoint
 * with its login form, the JWKS and the discovery document. Each group is its own encapsulated
 * plugin, so the form parser and the RFC 6749 error shape never leak to the rest of the API.
 *
 * @example await app.register(oauthHttp(provider));
 */
export function oauthHttp(
  provider: TokenProvider,
  options: OAuthHttpOptions = {},
): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(
      tokenEndpointHttp(provider.tokenEndpoint, {
        ...(options.tokenEndpointLogLevel === undefined ? {} : { logLevel: options.tokenEndpointLogLevel }),
      }),
    );
    await app.register(
      authorizeHttp({
        endpoint: provider.authorizationEndpoint,
        issuer: provider.issuer.issuer,
        formLifetimeSeconds: provider.loginFormLifetime.seconds,
      }),
    );
    await app.register(discoveryHttp(provider, options));
  };
}
