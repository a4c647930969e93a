import type { Duration } from "../../../core/index.js";
import { startLoopbackReceiver } from "./loopback-receiver.js";
import { createPkce, createState } from "./pkce.js";
import { CLI_CLIENT_ID, requestToken, type TokenResponse } from "./token-endpoint.js";

export interface BrowserLoginOptions {
  readonly server: string;
  readonly scopes: readonly string[];
  readonly timeout: Duration;
  readonly openBrowser: (url: string) => Promise<void>;
  /** Tells the person what is happening (stderr). */
  readonly note: (text: string) => void;
}

/**
 * The authorization code flow with PKCE for a native app (RFC 8252): a loopback listener on an
 * ephemeral port receives the code, which only the holder of the verifier can exchange.
 */
export async function browserLogin(options: BrowserLoginOptions): Promise<TokenResponse> {
  const pkce = createPkce();
  const state = createState();
  const receiver = await startLoopbackReceiver({ state, timeout: options.timeout });
  try {
    const url = authorizationUrl(options.server, {
      redirectUri: receiver.redirectUri,
      state,
      challenge: pkce.challenge,
      scopes: options.scopes,
    });
    options.note(`Open this URL in a browser to log in to ${options.server}:\n\n  ${url}\n`);
    // Without a desktop the printed URL is the way; a failed opener is no reason to stop.
    await options.openBrowser(url).catch(() => undefined);
    options.note(`Waiting for the browser (up to ${options.timeout})…`);
    const code = await receiver.code;
    return await requestToken(
      options.server,
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: receiver.redirectUri,
        code_verifier: pkce.verifier,
      },
      [],
    );
  } finally {
    await receiver.close();
  }
}

/** The `GET /oauth2/authorize` URL that starts the flow. */
export function authorizationUrl(
  server: string,
  request: { redirectUri: string; state: string; challenge: string; scopes: readonly string[] },
): string {
  const url = new URL(`${server}/oauth2/authorize`);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", CLI_CLIENT_ID);
  url.searchParams.set("redirect_uri", request.redirectUri);
  url.searchParams.set("state", request.state);
  url.searchParams.set("code_challenge", request.challenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (request.scopes.length > 0) url.searchParams.set("scope", request.scopes.join(" "));
  return url.href;
}
