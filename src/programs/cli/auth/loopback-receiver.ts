import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duration } from "../../../core/index.js";
import { authError, CliError } from "../cli-error.js";

/** The listener that receives the browser's redirect at the end of an authorization code login. */
export interface LoopbackReceiver {
  /** `http://127.0.0.1:<port>/callback`, the redirect URI to send to the server. */
  readonly redirectUri: string;
  /** The authorization code, once the browser has come back with the right `state`. */
  readonly code: Promise<string>;
  close(): Promise<void>;
}

export interface LoopbackReceiverOptions {
  /** The `state` sent with the authorization request; any other answer aborts the login. */
  readonly state: string;
  /** How long to wait for the browser. */
  readonly timeout: Duration;
}

/**
 * Listens on an ephemeral port of 127.0.0.1 for the authorization response (RFC 8252 7.3). The IP
 * literal, not `localhost`, keeps the redirect off any other interface or resolver. One answer is
 * taken; a `state` that does not match aborts the login, since it means the response is not ours.
 */
export async function startLoopbackReceiver(options: LoopbackReceiverOptions): Promise<LoopbackReceiver> {
  let settle: { resolve: (code: string) => void; reject: (error: Error) => void } | undefined;
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The promise may be rejected before anyone awaits it (a time-out during start-up, say).
  code.catch(() => {});
  let done = false;
  const finish = (outcome: { code: string } | { error: Error }) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if ("code" in outcome) settle!.resolve(outcome.code);
    else settle!.reject(outcome.error);
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (request.method !== "GET" || url.pathname !== "/callback" || done) {
      return page(response, 404, "Not found", "This address only receives one Charter login.");
    }
    const params = url.searchParams;
    if (params.get("state") !== options.state) {
      page(
        response,
        400,
        "Login failed",
        "The answer does not belong to this login. Run charter login again.",
      );
      return finish({ error: authError("the browser's answer carried the wrong state; log in again") });
    }
    const error = params.get("error");
    if (error !== null) {
      const description = params.get("error_description");
      page(response, 400, "Login failed", description ?? error);
      return finish({ error: authError(`the server refused the login: ${description ?? error} (${error})`) });
    }
    const received = params.get("code");
    if (received === null || received === "") {
      page(response, 400, "Login failed", "The answer carries no authorization code.");
      return finish({ error: authError("the browser's answer carried no authorization code") });
    }
    page(response, 200, "Logged in", "You are logged in to Charter. You can close this window.");
    finish({ code: received });
  });

  const timer = setTimeout(
    () => finish({ error: authError(`no answer from the browser within ${options.timeout}; log in again`) }),
    options.timeout.milliseconds,
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new CliError(`cannot listen on 127.0.0.1: ${error.message}`)));
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    code,
    close: async () => {
      clearTimeout(timer);
      finish({ error: new CliError("login abandoned") });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function page(response: ServerResponse, status: number, title: string, text: string): void {
  const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  response.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'",
    "referrer-policy": "no-referrer",
    connection: "close",
  });
  response.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>Charter: ${html(title)}</title></head>` +
      `<body><h1>${html(title)}</h1><p>${html(text)}</p></body></html>\n`,
  );
}
