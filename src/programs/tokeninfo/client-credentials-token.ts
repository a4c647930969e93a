import { type Clock, systemClock } from "../../core/index.js";
import type { AccessTokenProvider } from "../../tokens/index.js";

export interface ClientCredentialsTokenOptions {
  /** Charter's token endpoint, `<server>/oauth2/access_token`. */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space-separated scopes to ask for; default none (the client's default scopes). */
  readonly scope?: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly clock?: Clock;
}

/**
 * A token of the sidecar's own, from the `client_credentials` grant (client_secret_basic), renewed
 * when four fifths of its lifetime have passed so a poll never carries an expired token.
 */
export class ClientCredentialsToken implements AccessTokenProvider {
  readonly #options: ClientCredentialsTokenOptions;
  readonly #clock: Clock;
  #current: { token: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(options: ClientCredentialsTokenOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  token(): Promise<string> {
    const current = this.#current;
    if (current !== undefined && this.#clock.now().getTime() < current.renewAt)
      return Promise.resolve(current.token);
    this.#pending ??= this.#obtain().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  invalidate(): void {
    this.#current = undefined;
  }

  async #obtain(): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope } = this.#options;
    const fetch = this.#options.fetch ?? globalThis.fetch;
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and Base64-encoded.
    const basic = Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString("base64");
    const body = new URLSearchParams({ grant_type: "client_credentials", ...(scope ? { scope } : {}) });
    const startedAt = this.#clock.now().getTime();
    const response = await fetch(tokenUrl, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body,
      signal: AbortSignal.timeout(5_000),
    });
    const answer = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
    };
    if (!response.ok || typeof answer.access_token !== "string") {
      const reason = typeof answer.error === "string" ? ` (${answer.error})` : "";
      throw new Error(`POST ${tokenUrl} for client "${clientId}" answered ${response.status}${reason}`);
    }
    const lifetimeMs =
      typeof answer.expires_in === "number" && answer.expires_in > 0 ? answer.expires_in * 1000 : 60_000;
    this.#current = { token: answer.access_token, renewAt: startedAt + lifetimeMs * 0.8 };
    return answer.access_token;
  }
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replaceAll("%20", "+");
}
