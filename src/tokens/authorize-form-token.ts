import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { SecretBox } from "../cloud/index.js";
import { type Clock, Duration, systemClock } from "../core/index.js";
import { TokensErrors } from "./errors.js";

/** An authorization request that passed every check that does not need the person. */
export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly state?: string;
  readonly scope?: string;
}

interface Payload {
  readonly v: 1;
  readonly request: AuthorizationRequest;
  /** SHA-256 of the browser binding that the cookie carries. */
  readonly binding: string;
  readonly exp: number;
}

const CONTEXT = "tokens.authorize-form";

export interface AuthorizeFormTokensOptions {
  /** Seals the form tokens, so any replica sharing the master key can open them. */
  readonly secretBox: SecretBox;
  /** How long a login form may be submitted; default 10 min. */
  readonly lifetime?: Duration;
  readonly clock?: Clock;
}

/**
 * The login form carries the whole authorization request sealed, so the POST needs no server-side
 * session and cannot change a parameter the GET checked. The token is also bound to a random value
 * in a `SameSite=Strict` cookie (double submit): a page on another site can neither read the cookie
 * nor make the browser send it, so it cannot post the form on the person's behalf.
 */
export class AuthorizeFormTokens {
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly lifetime: Duration;

  constructor(options: AuthorizeFormTokensOptions) {
    this.#box = options.secretBox;
    this.#clock = options.clock ?? systemClock;
    this.lifetime = options.lifetime ?? Duration.minutes(10);
  }

  /** A fresh browser binding, for a browser that has none yet. */
  newBinding(): string {
    return randomBytes(24).toString("base64url");
  }

  async seal(request: AuthorizationRequest, binding: string): Promise<string> {
    const payload: Payload = {
      v: 1,
      request,
      binding: digest(binding),
      exp: this.#clock.now().getTime() + this.lifetime.milliseconds,
    };
    const sealed = await this.#box.seal(Buffer.from(JSON.stringify(payload)), CONTEXT);
    return Buffer.from(sealed).toString("base64url");
  }

  /** The sealed request; throws `TOKENS_AUTHORIZE_FORM_INVALID` when altered, expired or not this browser's. */
  async open(token: string, binding: string | undefined): Promise<AuthorizationRequest> {
    const invalid = () =>
      TokensErrors.TOKENS_AUTHORIZE_FORM_INVALID(
        "the login form expired or was altered; start the sign-in again",
      );
    let payload: Payload;
    try {
      payload = JSON.parse(
        Buffer.from(await this.#box.open(Buffer.from(token, "base64url"), CONTEXT)).toString(),
      );
    } catch {
      throw invalid();
    }
    if (payload.v !== 1 || payload.exp <= this.#clock.now().getTime() || binding === undefined)
      throw invalid();
    const expected = Buffer.from(payload.binding);
    const actual = Buffer.from(digest(binding));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw invalid();
    return payload.request;
  }
}

function digest(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}
