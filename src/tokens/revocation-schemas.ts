import { Type } from "typebox";

const Seconds = Type.Integer({
  minimum: 0,
  maximum: 253_402_300_799,
  description: "seconds since the epoch",
});
const Hash = Type.String({ maxLength: 128, description: "salted SHA-256, URL-safe Base64" });
const ClaimName = "^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$";

export const RevocationRequestSchema = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal("TOKEN"),
        data: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 8192 }) },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false, description: "Revokes one token." },
    ),
    Type.Object(
      {
        type: Type.Literal("CLAIM"),
        data: Type.Object(
          {
            claims: Type.Record(
              Type.String({ pattern: ClaimName }),
              Type.String({ minLength: 1, maxLength: 512 }),
              {
                additionalProperties: false,
                minProperties: 1,
                maxProperties: 8,
              },
            ),
            issued_before: Type.Optional(Seconds),
          },
          { additionalProperties: false },
        ),
      },
      {
        additionalProperties: false,
        description:
          "Revokes every token whose claims have all these values and that was issued at or before issued_before (default now).",
      },
    ),
    Type.Object(
      {
        type: Type.Literal("GLOBAL"),
        data: Type.Object({ issued_before: Seconds }, { additionalProperties: false }),
      },
      { additionalProperties: false, description: "Revokes every token issued at or before issued_before." },
    ),
  ],
  { description: "What to revoke; token and claim values are hashed before they are stored." },
);

export const RevocationSchema = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal("TOKEN"),
        revoked_at: Seconds,
        data: Type.Object(
          { token_hash: Hash, hash_algorithm: Type.Literal("SHA-256") },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal("CLAIM"),
        revoked_at: Seconds,
        data: Type.Object(
          {
            names: Type.String({ maxLength: 1024, description: 'claim names, sorted, joined with "|"' }),
            value_hash: Hash,
            issued_before: Seconds,
            hash_algorithm: Type.Literal("SHA-256"),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal("GLOBAL"),
        revoked_at: Seconds,
        data: Type.Object({ issued_before: Seconds }, { additionalProperties: false }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: "A revocation as verifiers read it (Plan B shape): values are salted hashes." },
);

export const RevocationFeedSchema = Type.Object(
  {
    meta: Type.Object(
      {
        REFRESH_FROM: Type.Optional(Seconds),
        REFRESH_TIMESTAMP: Type.Optional(Seconds),
        NEXT_FROM: Type.Optional({
          ...Seconds,
          description: "present when the answer was cut short: read on with from=NEXT_FROM",
        }),
      },
      { additionalProperties: false },
    ),
    revocations: Type.Array(RevocationSchema),
  },
  { additionalProperties: false },
);
