import { CoreErrors, isAdmin, type Principal } from "../core/index.js";
import { ImagesErrors } from "./errors.js";
import type { RepositoryName } from "./names.js";

export type RegistryAction = "pull" | "push";

/** The scope a team's service client needs to push into the team's namespace. */
export const IMAGES_WRITE_SCOPE = "images.write";

/** Answers which teams a principal belongs to (identity implements it). */
export interface TeamMembership {
  teamsOf(principal: Principal): Promise<string[]>;
  teamExists(teamId: string): Promise<boolean>;
}

export interface RegistryAccessOptions {
  readonly membership: TeamMembership;
  /** Let callers without credentials pull; default false. */
  readonly anonymousPull?: boolean;
}

/**
 * Who may do what in the registry, decided in this one place for `/v2/`, the token endpoint and
 * `/api/images`: any authenticated principal pulls (anyone, when anonymous pull is on); members of
 * the team push into `<team>/…`, service clients only with scope `images.write`; admins push anywhere.
 */
export class RegistryAccess {
  readonly #membership: TeamMembership;
  readonly anonymousPull: boolean;

  constructor(options: RegistryAccessOptions) {
    this.#membership = options.membership;
    this.anonymousPull = options.anonymousPull ?? false;
  }

  async actions(principal: Principal | undefined, repository: RepositoryName): Promise<Set<RegistryAction>> {
    if (principal === undefined) return new Set(this.anonymousPull ? ["pull"] : []);
    const granted = new Set<RegistryAction>(["pull"]);
    if (await this.canChange(principal, repository.team)) granted.add("push");
    return granted;
  }

  /** Whether the principal may push into, and revoke tags of, the team's namespace. */
  async canChange(principal: Principal, team: string): Promise<boolean> {
    if (isAdmin(principal)) return true;
    if (principal.realm === "services" && !principal.scopes.has(IMAGES_WRITE_SCOPE)) return false;
    return (await this.#membership.teamsOf(principal)).includes(team);
  }

  /** Throws unless the principal may do `action` on the repository. */
  async require(
    principal: Principal | undefined,
    repository: RepositoryName,
    action: RegistryAction,
  ): Promise<void> {
    if (action === "pull" && (principal !== undefined || this.anonymousPull)) return;
    if (principal === undefined) throw CoreErrors.CORE_UNAUTHENTICATED("credentials are required");
    // Members know their team exists; an admin may push anywhere, but only into a team.
    if (isAdmin(principal) && !(await this.#membership.teamExists(repository.team))) {
      throw ImagesErrors.IMAGES_NAME_UNKNOWN(`there is no team ${repository.team}`);
    }
    if (!(await this.canChange(principal, repository.team))) {
      throw ImagesErrors.IMAGES_DENIED(
        principal.realm === "services"
          ? `pushing to ${repository.name} needs a client of team ${repository.team} with scope ${IMAGES_WRITE_SCOPE}`
          : `pushing to ${repository.name} needs membership in team ${repository.team}`,
      );
    }
  }
}

/** The scopes the registry checks, for the scope registry to create at start. */
export const IMAGES_SCOPES = {
  resourceType: { id: "images", name: "Images", description: "The image registry" },
  scopes: [{ id: "write", description: "push images into the namespace of the client's team" }],
} as const;
