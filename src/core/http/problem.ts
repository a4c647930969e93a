import { Type } from "typebox";
import type { CharterError, ErrorKind } from "../errors.js";

/** RFC 9457 problem document, with Charter's stable `code` and the request id. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
  },
  { $id: "Problem", additionalProperties: true },
);

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function statusOf(kind: ErrorKind): number {
  return STATUS[kind];
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance?: string;
  readonly request_id?: string;
  readonly [extension: string]: unknown;
}

/** The problem document for an error; `type` is a URN naming the code, listed in docs/errors.md. */
export function problemOf(error: CharterError, instance?: string, requestId?: string): Problem {
  return {
    ...error.extensions,
    type: `urn:charter:error:${error.code.toLowerCase()}`,
    title: error.title,
    status: statusOf(error.kind),
    detail: error.message,
    code: error.code,
    ...(instance === undefined ? {} : { instance }),
    ...(requestId === undefined ? {} : { request_id: requestId }),
  };
}
