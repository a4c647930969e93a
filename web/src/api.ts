import { currentSession, logout } from "./auth";

/** An RFC 9457 problem document from the API, or a network failure dressed as one. */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  readonly status: number;
  readonly code: string | undefined;
  readonly title: string;
  readonly detail: string | undefined;

  constructor(status: number, title: string, detail?: string, code?: string) {
    super(detail ?? title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.code = code;
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text === "" ? path : `${path}?${text}`;
}

/**
 * Calls the Charter API with the session's bearer token. A 401 ends the session (the token expired
 * or was revoked), so the console asks the person to log in again.
 */
export async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const session = currentSession();
  const headers: Record<string, string> = { accept: "application/json" };
  if (session !== undefined) headers.authorization = `Bearer ${session.accessToken}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(withQuery(path, query), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ProblemError(0, "Charter cannot be reached", "Check your network connection and try again.");
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json = text === "" ? undefined : safeJson(text);
  if (response.ok) return json as T;
  if (response.status === 401) logout();
  const problem = (json ?? {}) as { title?: unknown; detail?: unknown; code?: unknown };
  throw new ProblemError(
    response.status,
    typeof problem.title === "string" ? problem.title : `HTTP ${response.status}`,
    typeof problem.detail === "string" ? problem.detail : undefined,
    typeof problem.code === "string" ? problem.code : undefined,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const get = <T>(path: string, query?: Query) => request<T>("GET", path, undefined, query);
export const put = <T>(path: string, body: unknown) => request<T>("PUT", path, body);
export const post = <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {});
export const patch = <T>(path: string, body: unknown) => request<T>("PATCH", path, body);
export const del = (path: string) => request<void>("DELETE", path);

/** Path segment escaping for ids typed by people. */
export const seg = (value: string) => encodeURIComponent(value);
