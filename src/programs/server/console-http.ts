import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { CoreErrors } from "../../core/index.js";

/** The public client the console logs in as; its redirect URI is `<public url>/callback`. */
export const CONSOLE_CLIENT_ID = "charter-console";
export const CONSOLE_CLIENT_NAME = "Charter console";

/** The redirect URI of the console for a public URL such as `https://charter.example.org`. */
export function consoleRedirectUri(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/callback`;
}

/**
 * Paths that belong to the API and the protocols, never to the console: an unknown path under one
 * of them is a problem document even when a browser asks for HTML.
 */
const RESERVED_PREFIXES = [
  "/api/",
  "/oauth2/",
  "/v2/",
  "/docs",
  "/revocations",
  "/health",
  "/metrics",
  "/.well-known/",
  "/openapi.json",
  "/assets/",
];

// Everything the console loads comes from this origin; no inline script or style is needed, so
// none is allowed, and no other site may frame it.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Charter</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Charter</h1>
<p>The web console is not built. Run <code>npm run build</code> and start the server again.</p>
<p>The API is available; see <a href="/docs">/docs</a>.</p></body></html>
`;

export interface ConsoleHttpOptions {
  /** The built console (Vite's output); default `dist/web` in the package. Absent: a page says to build. */
  readonly root?: string;
}

/**
 * Serves the web console: hashed assets with a year of immutable caching, and `index.html` for `/`
 * and every other non-API GET that accepts HTML, so the single-page app's history routes survive a
 * reload. Every answer carries a strict Content-Security-Policy. All of it is public: the console
 * holds no data, it calls the API with the person's token.
 */
export function consoleHttp(options: ConsoleHttpOptions = {}): FastifyPluginAsync {
  const root = options.root ?? defaultConsoleRoot();
  return async (app) => {
    app.addHook("onRoute", (route) => {
      route.config = { ...(route.config as object), public: true };
    });
    app.addHook("onSend", async (request, reply, payload) => {
      reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
      reply.header("x-content-type-options", "nosniff");
      reply.header("referrer-policy", "no-referrer");
      reply.header("x-frame-options", "DENY");
      if (reply.statusCode === 200 && request.url.startsWith("/assets/")) {
        reply.header("cache-control", "public, max-age=31536000, immutable");
      } else {
        reply.header("cache-control", "no-cache");
      }
      return payload;
    });

    const built = readIndex(root);
    const page = built ?? MISSING_BUILD_PAGE;
    if (built !== undefined) {
      // Without the wildcard the plugin makes one route per file found now, so the catch-all route
      // below stays ours; a new build means a restart anyway.
      await app.register(fastifyStatic, {
        root,
        wildcard: false,
        index: false,
        cacheControl: false,
        schemaHide: true,
        globIgnore: ["index.html"],
      });
    }

    const sendPage = (reply: FastifyReply) => reply.type("text/html; charset=utf-8").send(page);
    app.get("/", { schema: { hide: true } }, async (_request, reply) => sendPage(reply));
    app.get("/*", { schema: { hide: true } }, async (request, reply) => {
      if (!isConsoleRoute(request)) {
        throw CoreErrors.CORE_NOT_FOUND(`no route for ${request.method} ${request.url.split("?")[0]}`);
      }
      return sendPage(reply);
    });
  };
}

/** The built index.html, or undefined when the console is not built (or is being rebuilt right now). */
function readIndex(root: string): string | undefined {
  try {
    return readFileSync(join(root, "index.html"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Whether a GET that matched no other route is a history route of the console. */
function isConsoleRoute(request: FastifyRequest): boolean {
  const path = request.url.split("?")[0] ?? "/";
  if (RESERVED_PREFIXES.some((prefix) => path === prefix.replace(/\/$/, "") || path.startsWith(prefix))) {
    return false;
  }
  const accept = request.headers.accept ?? "";
  return accept.includes("text/html");
}

/** `dist/web` of this package, found from this file whether it runs from `src/` or `dist/src/`. */
function defaultConsoleRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) return join(import.meta.dirname, "web");
    dir = parent;
  }
  return join(dir, "dist", "web");
}
