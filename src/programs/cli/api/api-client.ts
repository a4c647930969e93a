import { CliError } from "../cli-error.js";
import { ApiError, problemOf } from "./api-error.js";

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
}

/** What an API call answered: the parsed JSON, or `undefined` for an empty answer (204). */
export type ApiResult = unknown;

/**
 * A thin client of Charter's REST API: JSON in, JSON out, a bearer token on every request, and
 * problem documents turned into `ApiError`s. It knows no resources; commands name their paths.
 */
export class ApiClient {
  constructor(
    readonly server: string,
    private readonly token: string | undefined,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get<T = ApiResult>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", path, { query });
  }
  post<T = ApiResult>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, { body });
  }
  put<T = ApiResult>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("PUT", path, { body });
  }
  patch<T = ApiResult>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, { body });
  }
  delete<T = ApiResult>(path: string): Promise<T> {
    return this.request<T>("DELETE", path, {});
  }

  async request<T = ApiResult>(method: string, path: string, options: RequestOptions): Promise<T> {
    const response = await this.#send(method, path, options, "application/json");
    const text = await response.text();
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  /** The body of a streaming answer (for example the audit export), for reading line by line. */
  async stream(path: string, query?: Query): Promise<ReadableStream<Uint8Array>> {
    const response = await this.#send("GET", path, { query }, "application/x-ndjson, application/json");
    if (response.body === null) throw new CliError(`GET ${path} answered without a body`);
    return response.body;
  }

  async #send(method: string, path: string, options: RequestOptions, accept: string): Promise<Response> {
    const url = new URL(`${this.server}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetchOrExplain(this.fetchImpl, this.server, url, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    if (!response.ok) throw new ApiError(method, path, response.status, await problemOf(response));
    return response;
  }
}

/**
 * `fetch`, with its opaque "fetch failed" turned into a message that says which server could not be
 * reached and why.
 */
export async function fetchOrExplain(
  fetchImpl: typeof fetch,
  server: string,
  url: URL | string,
  init: RequestInit,
): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(`cannot reach ${server} (${why}); is the server running? Set --server or CHARTER_URL`);
  }
}

/**
 * Builds an API path with every interpolated value percent-encoded as one path segment.
 *
 * @example
 * pathOf`/api/teams/${team}/members/${user}`
 */
export function pathOf(strings: TemplateStringsArray, ...values: readonly string[]): string {
  return strings.reduce(
    (path, part, i) => path + part + (i < values.length ? encodeURIComponent(values[i]!) : ""),
    "",
  );
}
