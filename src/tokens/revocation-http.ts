import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { principalOf } from "../core/index.js";
import type { AuthorizedRevocationService } from "./revocation-authorized-service.js";
import { RevocationFeedSchema, RevocationRequestSchema, RevocationSchema } from "./revocation-schemas.js";
import type { RevocationRequest } from "./revocation-types.js";

const Problem = Type.Ref("Problem");

/**
 * `POST /revocations` and `GET /revocations?from=` in Plan B's shape, the feed paged through
 * `meta.NEXT_FROM`. Register it without a prefix:
 * Plan B clients and the `charter tokeninfo` sidecar poll `<server>/revocations`.
 */
export function revocationsHttp(service: AuthorizedRevocationService): FastifyPluginAsync {
  return async (app) => {
    app.post(
      "/revocations",
      {
        schema: {
          tags: ["revocations"],
          summary: "Revoke a token, every token with given claims, or every token issued before a time",
          operationId: "createRevocation",
          body: RevocationRequestSchema,
          response: { 201: RevocationSchema, 400: Problem, 401: Problem, 403: Problem, 409: Problem },
        },
      },
      async (request, reply) => {
        const revocation = await service.revoke(principalOf(request), request.body as RevocationRequest);
        return reply.status(201).send(revocation);
      },
    );

    app.get(
      "/revocations",
      {
        schema: {
          tags: ["revocations"],
          summary: "Revocations made since a time, for token verifiers",
          description:
            "Oldest first, at most about 10,000 per answer. When `meta.NEXT_FROM` is present the answer was cut short: read again with `from=NEXT_FROM`.",
          operationId: "listRevocations",
          querystring: Type.Object(
            { from: Type.Optional(Type.Integer({ minimum: 0, description: "seconds since the epoch" })) },
            { additionalProperties: false },
          ),
          response: { 200: RevocationFeedSchema, 400: Problem, 401: Problem },
        },
      },
      async (request) => {
        const { from } = request.query as { from?: number };
        return service.feed(principalOf(request), from);
      },
    );
  };
}
