import { Readable } from "node:stream";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { type HttpApp, principalOf } from "../core/index.js";
import type { AuthorizedAuditService } from "./authorized-service.js";
import { AuditErrors } from "./errors.js";
import { AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX } from "./service.js";
import type { AuditExportLine } from "./types.js";

export interface AuditHttpOptions {
  readonly audit: AuthorizedAuditService;
}

const Hex64 = Type.String({ pattern: "^[0-9a-f]{64}$", maxLength: 64 });
const Instant = Type.String({ format: "date-time", maxLength: 64 });
const Seq = Type.Integer({ minimum: 1 });

const Entry = Type.Object(
  {
    seq: Seq,
    at: Instant,
    actor_sub: Type.String({ maxLength: 256 }),
    actor_realm: Type.String({ maxLength: 64 }),
    action: Type.String({ maxLength: 128 }),
    target: Type.String({ maxLength: 512 }),
    body_sha256: Hex64,
    prev_hash: Hex64,
    hash: Hex64,
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "Exact actor subject." })),
    action: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: "Exact action, or a prefix ending in `*`." }),
    ),
    target: Type.Optional(
      Type.String({ minLength: 1, maxLength: 512, description: "Exact target, or a prefix ending in `*`." }),
    ),
    from: Type.Optional(Type.String({ format: "date-time", maxLength: 64, description: "At or after." })),
    to: Type.Optional(Type.String({ format: "date-time", maxLength: 64, description: "Strictly before." })),
    after_seq: Type.Optional(Type.Integer({ minimum: 0, description: "Cursor of ascending pages." })),
    before_seq: Type.Optional(Type.Integer({ minimum: 1, description: "Cursor of descending pages." })),
    order: Type.Optional(Type.Union([Type.Literal("asc"), Type.Literal("desc")], { default: "asc" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: AUDIT_PAGE_DEFAULT })),
  },
  { additionalProperties: false },
);

const Page = Type.Object(
  {
    items: Type.Array(Entry),
    next_cursor: Type.Union([Seq, Type.Null()], {
      description: "Pass as `after_seq` (asc) or `before_seq` (desc) for the next page; null on the last.",
    }),
  },
  { additionalProperties: false },
);

const ExportQuery = Type.Object(
  {
    from_seq: Type.Optional(Type.Integer({ minimum: 1, description: "First entry to include; default 1." })),
  },
  { additionalProperties: false },
);

const Report = Type.Object(
  {
    ok: Type.Boolean(),
    entries: Type.Integer({ minimum: 0 }),
    checkpoints: Type.Integer({ minimum: 0 }),
    from_seq: Seq,
    last_seq: Type.Union([Seq, Type.Null()]),
    last_checkpoint_seq: Type.Union([Seq, Type.Null()]),
    uncovered_entries: Type.Integer({ minimum: 0 }),
    first_broken: Type.Optional(
      Type.Object(
        {
          seq: Type.Integer({ minimum: 0 }),
          reason: Type.Union(
            [
              "ENTRY_HASH_MISMATCH",
              "PREV_HASH_MISMATCH",
              "SEQUENCE_GAP",
              "CHECKPOINT_SIGNATURE_INVALID",
              "CHECKPOINT_MISMATCH",
              "TAIL_TRUNCATED",
              "MALFORMED_EXPORT",
            ].map((reason) => Type.Literal(reason)),
          ),
          detail: Type.String({ maxLength: 512 }),
          line: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const Keys = Type.Object(
  {
    keys: Type.Array(
      Type.Object(
        {
          kid: Type.String({ maxLength: 64, description: "RFC 7638 thumbprint of the key." }),
          kty: Type.Literal("OKP"),
          crv: Type.Literal("Ed25519"),
          x: Type.String({ maxLength: 64 }),
          alg: Type.Literal("EdDSA"),
          use: Type.Literal("sig"),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const problems = {
  400: Type.Ref("Problem"),
  401: Type.Ref("Problem"),
  404: Type.Ref("Problem"),
};

const TAGS = ["audit"];

/**
 * Routes of the audit log: `GET /api/audit` (pages), `/api/audit/export` (JSON lines),
 * `/api/audit/verify` (the server verifies its own chain) and the public `/api/audit/keys`.
 * Reading needs `charter.audit` or `charter.admin`; without it the list is empty and the export and
 * verification answer 404 `AUDIT_NOT_FOUND` (see `AuthorizedAuditService`).
 */
export function auditHttp(options: AuditHttpOptions): FastifyPluginAsync {
  const { audit } = options;
  return async (instance) => {
    const app = instance as unknown as HttpApp;

    app.get(
      "/api/audit",
      {
        schema: {
          tags: TAGS,
          summary: "List audit entries",
          description:
            "Pages through the audit log, filtered. A caller without `charter.audit` gets no items.",
          operationId: "listAuditEntries",
          querystring: ListQuery,
          response: { 200: Page, ...problems },
        },
      },
      async (request) => {
        const { from, to, ...rest } = request.query;
        return audit.list(principalOf(request), {
          ...rest,
          ...(from === undefined ? {} : { from: instant("from", from) }),
          ...(to === undefined ? {} : { to: instant("to", to) }),
        });
      },
    );

    app.get(
      "/api/audit/export",
      {
        schema: {
          tags: TAGS,
          summary: "Export the audit chain",
          description:
            "Streams JSON lines: an `export` header, every `key`, then each `entry` in seq order with each " +
            "`checkpoint` right after the entry it covers. `charter audit verify --file` checks it offline.",
          operationId: "exportAudit",
          querystring: ExportQuery,
          response: {
            200: {
              description: "One JSON object per line.",
              content: { "application/x-ndjson": { schema: Type.String() } },
            },
            ...problems,
          },
        },
      },
      async (request, reply) => {
        const lines = audit.exportLines(principalOf(request), { fromSeq: request.query.from_seq });
        return reply.type("application/x-ndjson").send(Readable.from(ndjson(lines)));
      },
    );

    app.get(
      "/api/audit/verify",
      {
        schema: {
          tags: TAGS,
          summary: "Verify the audit chain",
          description: "Recomputes the whole chain and checks every checkpoint; names the first break.",
          operationId: "verifyAudit",
          response: { 200: Report, ...problems },
        },
      },
      async (request) => audit.verify(principalOf(request)),
    );

    app.get(
      "/api/audit/keys",
      {
        config: { public: true },
        schema: {
          tags: TAGS,
          summary: "Checkpoint public keys",
          description: "The Ed25519 keys that sign audit checkpoints, as a JWK set.",
          operationId: "listAuditKeys",
          security: [],
          response: { 200: Keys },
        },
      },
      async () => ({
        keys: (await audit.publicKeys()).map((key) => ({
          kid: key.key_id,
          ...key.jwk,
          alg: "EdDSA" as const,
          use: "sig" as const,
        })),
      }),
    );
  };
}

/**
 * A `date-time` query value as a `Date`. The schema's format check admits RFC 3339 values that
 * `Date` cannot represent (a leap second such as `23:59:60Z`); those are refused here rather than
 * reaching the store as an Invalid Date.
 */
function instant(field: "from" | "to", value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw AuditErrors.AUDIT_INVALID_QUERY(`${field} "${value}" is not a representable date-time`, { field });
  }
  return date;
}

/** Lines joined into chunks of about 64 KiB, so a large export is not a write per line. */
async function* ndjson(lines: AsyncIterable<AuditExportLine>): AsyncGenerator<string> {
  let chunk = "";
  for await (const line of lines) {
    chunk += `${JSON.stringify(line)}\n`;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk.length > 0) yield chunk;
}
