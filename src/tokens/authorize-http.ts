import formbody from "@fastify/formbody";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { isCharterError } from "../core/index.js";
import type { AuthorizationEndpoint, AuthorizeOutcome } from "./authorization-endpoint.js";
import { bindingCookie, bindingOf } from "./authorize-cookie.js";
import { OAUTH_PATHS } from "./discovery.js";
import { pageHeaders, renderErrorPage, renderLoginPage } from "./login-page.js";
import { oauthErrorOf } from "./oauth-error.js";

const FORM_LIMIT = 16 * 1024;

// RFC 6749 §3.1: unknown parameters must be ignored, so the query admits them.
const AuthorizeQuerySchema = Type.Object(
  {
    response_type: Type.Optional(Type.String({ maxLength: 64 })),
    client_id: Type.Optional(Type.String({ maxLength: 128 })),
    redirect_uri: Type.Optional(Type.String({ maxLength: 2048 })),
    state: Type.Optional(Type.String({ maxLength: 2048 })),
    scope: Type.Optional(Type.String({ maxLength: 4096 })),
    code_challenge: Type.Optional(Type.String({ maxLength: 128 })),
    code_challenge_method: Type.Optional(Type.String({ maxLength: 16 })),
  },
  { additionalProperties: true },
);

const LoginFormSchema = Type.Object(
  {
    form_token: Type.Optional(Type.String({ maxLength: 8192 })),
    username: Type.Optional(Type.String({ maxLength: 128 })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: true },
);

const HtmlPage = { description: "An HTML page", content: { "text/html": { schema: Type.String() } } };
const Redirect = { description: "Back to the client's redirect URI with `code` and `state`, or `error`" };

export interface AuthorizeHttpOptions {
  readonly endpoint: AuthorizationEndpoint;
  readonly issuer: string;
  /** How long the browser keeps the form binding; match the login form lifetime. */
  readonly formLifetimeSeconds: number;
}

/**
 * `GET /oauth2/authorize` shows the login form; `POST /oauth2/authorize` checks the password and
 * redirects (303) to the client. Answers are HTML; errors that cannot go back to the client are an
 * error page, never a redirect.
 */
export function authorizeHttp(options: AuthorizeHttpOptions): FastifyPluginAsyncTypebox {
  const { endpoint, issuer } = options;
  const action = `${issuer}${OAUTH_PATHS.authorize}`;
  const cookie = {
    path: `${new URL(issuer).pathname.replace(/\/$/, "")}${OAUTH_PATHS.authorize}`,
    secure: issuer.startsWith("https:"),
    maxAgeSeconds: options.formLifetimeSeconds,
  };

  const answer = (reply: FastifyReply, outcome: AuthorizeOutcome) => {
    switch (outcome.type) {
      case "redirect":
        return reply
          .code(303)
          .header("location", outcome.location)
          .header("cache-control", "no-store")
          .send();
      case "error": {
        const { error_description } = oauthErrorOf(outcome.error);
        return reply
          .code(400)
          .headers(pageHeaders())
          .send(renderErrorPage("Sign-in cannot continue", error_description));
      }
      case "login":
        return reply
          .code(200)
          .headers(pageHeaders([new URL(outcome.request.redirectUri).origin]))
          .send(
            renderLoginPage({
              action,
              clientId: outcome.request.clientId,
              scopes: outcome.request.scope?.split(" ").filter((s) => s !== ""),
              formToken: outcome.formToken,
              error: outcome.error,
              username: outcome.username,
            }),
          );
    }
  };

  return async (app) => {
    app.removeAllContentTypeParsers();
    await app.register(formbody, { bodyLimit: FORM_LIMIT });

    app.setErrorHandler((error, request, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      const client = isCharterError(error) ? error.kind !== "internal" : status < 500;
      if (!client) request.log.error({ err: error }, "authorization request failed");
      const detail = client ? oauthErrorOf(error).error_description : "An unexpected error occurred.";
      return reply
        .code(client ? 400 : 500)
        .headers(pageHeaders())
        .send(renderErrorPage("Sign-in cannot continue", detail));
    });

    app.get(
      OAUTH_PATHS.authorize,
      {
        config: { public: true },
        schema: {
          tags: ["oauth2"],
          summary: "Show the login form of the authorization code flow",
          description:
            "RFC 6749 §4.1.1 with PKCE (S256 only). An unknown client or unregistered redirect_uri shows an error page; other errors redirect to the client.",
          operationId: "authorize",
          security: [],
          querystring: AuthorizeQuerySchema,
          response: { 200: HtmlPage, 303: Redirect, 400: HtmlPage },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const known = bindingOf(request.headers.cookie);
        const binding = known ?? endpoint.newBinding();
        const outcome = await endpoint.begin(
          {
            responseType: q.response_type,
            clientId: q.client_id,
            redirectUri: q.redirect_uri,
            state: q.state,
            scope: q.scope,
            codeChallenge: q.code_challenge,
            codeChallengeMethod: q.code_challenge_method,
          },
          binding,
        );
        if (outcome.type === "login") reply.header("set-cookie", bindingCookie(binding, cookie));
        return answer(reply, outcome);
      },
    );

    app.post(
      OAUTH_PATHS.authorize,
      {
        config: { public: true },
        bodyLimit: FORM_LIMIT,
        schema: {
          tags: ["oauth2"],
          summary: "Submit the login form of the authorization code flow",
          operationId: "authorizeLogin",
          consumes: ["application/x-www-form-urlencoded"],
          security: [],
          body: LoginFormSchema,
          response: { 200: HtmlPage, 303: Redirect, 400: HtmlPage },
        },
      },
      async (request, reply) => {
        const form = request.body;
        const outcome = await endpoint.complete(
          { formToken: form.form_token, username: form.username, password: form.password },
          bindingOf(request.headers.cookie),
        );
        return answer(reply, outcome);
      },
    );
  };
}
