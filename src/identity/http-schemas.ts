import { Type } from "typebox";
import { SLUG_MAX, SLUG_PATTERN, USER_ID_PATTERN } from "../core/index.js";
import { PASSWORD_MAX_LENGTH } from "./password-hasher.js";
import { MAX_PAGE_SIZE } from "./service.js";

const closed = { additionalProperties: false } as const;

export const TeamId = Type.String({ pattern: SLUG_PATTERN, maxLength: SLUG_MAX, description: "Team id" });
export const UserId = Type.String({ pattern: USER_ID_PATTERN, maxLength: SLUG_MAX, description: "User id" });
export const ClientId = Type.String({ pattern: SLUG_PATTERN, maxLength: SLUG_MAX, description: "Client id" });

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 2000 });
const Email = Type.String({ format: "email", maxLength: 254 });
const Password = Type.String({ maxLength: PASSWORD_MAX_LENGTH, description: "At least 12 characters" });
const Timestamp = Type.String({ format: "date-time" });
const Scopes = Type.Array(
  Type.String({
    pattern: "^[a-z][a-z0-9._-]*$",
    maxLength: 128,
    description: "Scope, such as charter.admin",
  }),
  { maxItems: 100, uniqueItems: true },
);
const AwsAccounts = Type.Array(Type.String({ pattern: "^[0-9]{12}$", description: "AWS account id" }), {
  maxItems: 1000,
  uniqueItems: true,
});
const RedirectUris = Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), {
  maxItems: 20,
  uniqueItems: true,
});

// Pages

const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })),
  cursor: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_-]+$", maxLength: 400 })),
};
export const UserListQuery = Type.Object(PageQuery, closed);
export const TeamListQuery = Type.Object({ ...PageQuery, member: Type.Optional(UserId) }, closed);
export const ClientListQuery = Type.Object({ ...PageQuery, team: Type.Optional(TeamId) }, closed);

function pageOf<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object(
    {
      items: Type.Array(item),
      next_cursor: Type.Union([Type.String(), Type.Null()], { description: "null on the last page" }),
    },
    closed,
  );
}

// Teams

export const TeamParams = Type.Object({ team: TeamId }, closed);
export const MemberParams = Type.Object({ team: TeamId, user: UserId }, closed);

export const CreateTeamBody = Type.Object(
  {
    id: TeamId,
    name: Name,
    description: Type.Optional(Description),
    aws_accounts: Type.Optional(AwsAccounts),
  },
  closed,
);

export const UpdateTeamBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.Union([Description, Type.Null()], { description: "null removes it" })),
    aws_accounts: Type.Optional(AwsAccounts),
  },
  { ...closed, minProperties: 1 },
);

export const TeamJson = Type.Object(
  {
    id: TeamId,
    name: Type.String(),
    description: Type.Optional(Type.String()),
    aws_accounts: Type.Array(Type.String()),
    members: Type.Optional(Type.Array(Type.String(), { description: "Only when reading one team" })),
    created_at: Timestamp,
    created_by: Type.String(),
    modified_at: Timestamp,
  },
  closed,
);
export const TeamPage = pageOf(TeamJson);

// People

export const UserParams = Type.Object({ user: UserId }, closed);

export const CreateUserBody = Type.Object(
  {
    id: UserId,
    name: Name,
    email: Email,
    password: Password,
    scopes: Type.Optional(Scopes),
    disabled: Type.Optional(Type.Boolean()),
  },
  closed,
);

export const UpdateUserBody = Type.Object(
  {
    name: Type.Optional(Name),
    email: Type.Optional(Email),
    password: Type.Optional(Password),
    current_password: Type.Optional(
      Type.String({ maxLength: PASSWORD_MAX_LENGTH, description: "Needed to change your own password" }),
    ),
    scopes: Type.Optional(Scopes),
    disabled: Type.Optional(Type.Boolean()),
  },
  { ...closed, minProperties: 1 },
);

export const UserJson = Type.Object(
  {
    id: UserId,
    name: Type.String(),
    email: Type.String(),
    scopes: Type.Array(Type.String()),
    disabled: Type.Boolean(),
    teams: Type.Array(Type.String()),
    created_at: Timestamp,
  },
  closed,
);
export const UserPage = pageOf(UserJson);

// Clients

export const ClientParams = Type.Object({ client: ClientId }, closed);

export const CreateClientBody = Type.Object(
  {
    id: ClientId,
    team_id: TeamId,
    name: Name,
    description: Type.Optional(Description),
    confidential: Type.Boolean({ description: "Confidential clients get a secret; public ones do not" }),
    redirect_uris: Type.Optional(RedirectUris),
    scopes: Type.Optional(Scopes),
  },
  closed,
);

export const UpdateClientBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    redirect_uris: Type.Optional(RedirectUris),
    scopes: Type.Optional(Scopes),
  },
  { ...closed, minProperties: 1 },
);

const clientFields = {
  id: ClientId,
  team_id: TeamId,
  name: Type.String(),
  description: Type.String(),
  confidential: Type.Boolean(),
  redirect_uris: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  created_at: Timestamp,
  created_by: Type.String(),
  secret_rotated_at: Type.Union([Timestamp, Type.Null()]),
};

export const ClientJson = Type.Object(clientFields, closed);
export const ClientPage = pageOf(ClientJson);
export const ClientWithSecretJson = Type.Object(
  {
    ...clientFields,
    client_secret: Type.Optional(
      Type.String({ description: "Shown once, in this answer only; absent for public clients" }),
    ),
  },
  closed,
);

export const NoContent = Type.Null({ description: "Done" });
/** A problem document (the shared `Problem` schema) as the answer for one status. */
export const problemRef = (description: string) => Type.Ref("Problem", { description });
