import { ADMIN_SCOPE, actorOf, isAdmin, type Principal } from "../core/index.js";
import { AppsErrors } from "./errors.js";
import type { ApprovalInput, AppsService } from "./service.js";
import type {
  App,
  AppInput,
  AppMatch,
  Approval,
  ApprovalRequirement,
  ApprovalStatus,
  ApprovalType,
  ChangeContext,
  CriticalityLevel,
  ListAppsRequest,
  Page,
  PageRequest,
  PolicyLevel,
  PutResult,
  Version,
  VersionInput,
} from "./types.js";

/** The teams a principal acts for; the identity part answers it (`IdentityService.teamsOf`). */
export interface TeamMembership {
  teamsOf(principal: Principal): Promise<string[]>;
}

function changeBy(principal: Principal, body: unknown): ChangeContext {
  return body === undefined ? { actor: actorOf(principal) } : { actor: actorOf(principal), body };
}

function adminOnly(principal: Principal, what: string): void {
  if (!isAdmin(principal)) throw AppsErrors.APPS_FORBIDDEN(`${what} needs the scope ${ADMIN_SCOPE}`);
}

/**
 * Who may do what with the application registry, in one place, in front of `AppsService`.
 *
 * - The registry is a directory: every authenticated principal may list and read applications,
 *   versions, approvals, approval types, the policy and a version's approval status.
 * - Creating or changing an application, and registering a version of it, needs membership in
 *   the owning team (a service acts for its client's team) or `charter.admin`; moving an
 *   application to another team needs membership in both. Otherwise `APPS_FORBIDDEN` (403).
 * - Only people (realm `employees`) approve, and only members of the owning team or admins.
 * - Approval types and the policy are changed by admins only.
 */
export class AuthorizedAppsService {
  readonly #apps: AppsService;
  readonly #teams: TeamMembership;

  constructor(apps: AppsService, teams: TeamMembership) {
    this.#apps = apps;
    this.#teams = teams;
  }

  // Applications

  async listApps(_principal: Principal, request: ListAppsRequest = {}): Promise<Page<App | AppMatch>> {
    return this.#apps.listApps(request);
  }

  async getApp(_principal: Principal, id: string): Promise<App> {
    return this.#apps.getApp(id);
  }

  async putApp(principal: Principal, id: string, input: AppInput, body?: unknown): Promise<PutResult<App>> {
    if (!isAdmin(principal)) {
      const teams = await this.#teams.teamsOf(principal);
      const current = await this.#apps.findApp(id);
      if (current !== undefined && !teams.includes(current.teamId)) {
        throw AppsErrors.APPS_FORBIDDEN(
          `changing application "${id}" needs membership in its team "${current.teamId}" or ${ADMIN_SCOPE}`,
        );
      }
      if (!teams.includes(input.teamId)) {
        throw AppsErrors.APPS_FORBIDDEN(
          current === undefined
            ? `creating an application for team "${input.teamId}" needs membership in it or ${ADMIN_SCOPE}`
            : `moving application "${id}" to team "${input.teamId}" needs membership in it or ${ADMIN_SCOPE}`,
        );
      }
    }
    return this.#apps.putApp(changeBy(principal, body), id, input);
  }

  // Versions

  async listVersions(
    _principal: Principal,
    appId: string,
    request: PageRequest = {},
  ): Promise<Page<Version>> {
    return this.#apps.listVersions(appId, request);
  }

  async getVersion(_principal: Principal, appId: string, id: string): Promise<Version> {
    return this.#apps.getVersion(appId, id);
  }

  async putVersion(
    principal: Principal,
    appId: string,
    id: string,
    input: VersionInput,
    body?: unknown,
  ): Promise<PutResult<Version>> {
    await this.#requireOwner(principal, appId, `registering a version of application "${appId}"`);
    return this.#apps.putVersion(changeBy(principal, body), appId, id, input);
  }

  // Approvals

  async listApprovals(_principal: Principal, appId: string, versionId: string): Promise<Approval[]> {
    return this.#apps.listApprovals(appId, versionId);
  }

  async approve(
    principal: Principal,
    appId: string,
    versionId: string,
    input: ApprovalInput,
    body?: unknown,
  ): Promise<Approval> {
    if (principal.realm !== "employees") {
      throw AppsErrors.APPS_APPROVER_NOT_PERSON(
        `"${principal.sub}" is a service; only people approve versions`,
      );
    }
    await this.#requireOwner(principal, appId, `approving a version of application "${appId}"`);
    return this.#apps.approve(changeBy(principal, body), appId, versionId, input);
  }

  async approvalStatus(_principal: Principal, appId: string, versionId: string): Promise<ApprovalStatus> {
    return this.#apps.approvalStatus(appId, versionId);
  }

  // Approval types and the policy

  async listApprovalTypes(_principal: Principal): Promise<ApprovalType[]> {
    return this.#apps.listApprovalTypes();
  }

  async getApprovalType(_principal: Principal, id: string): Promise<ApprovalType> {
    return this.#apps.getApprovalType(id);
  }

  async putApprovalType(
    principal: Principal,
    id: string,
    declaration: string,
    replace: boolean,
    body?: unknown,
  ): Promise<PutResult<ApprovalType>> {
    adminOnly(principal, "changing approval types");
    return this.#apps.putApprovalType(changeBy(principal, body), id, declaration, replace);
  }

  async deleteApprovalType(principal: Principal, id: string): Promise<void> {
    adminOnly(principal, "deleting approval types");
    await this.#apps.deleteApprovalType(changeBy(principal, undefined), id);
  }

  async policy(_principal: Principal): Promise<PolicyLevel[]> {
    return this.#apps.policy();
  }

  async putPolicyLevel(
    principal: Principal,
    level: CriticalityLevel,
    requirements: readonly ApprovalRequirement[],
    body?: unknown,
  ): Promise<PolicyLevel> {
    adminOnly(principal, "changing the approval policy");
    return this.#apps.putPolicyLevel(changeBy(principal, body), level, requirements);
  }

  /** Passes for admins and members of the application's team; 404 for no application, else 403. */
  async #requireOwner(principal: Principal, appId: string, what: string): Promise<void> {
    const app = await this.#apps.getApp(appId);
    if (isAdmin(principal) || (await this.#teams.teamsOf(principal)).includes(app.teamId)) return;
    throw AppsErrors.APPS_FORBIDDEN(`${what} needs membership in team "${app.teamId}" or ${ADMIN_SCOPE}`);
  }
}
