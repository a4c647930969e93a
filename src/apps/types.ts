import type { Actor } from "../core/index.js";

/** Who asks for a change, and what they sent; both go into the change's audit record. */
export interface ChangeContext {
  readonly actor: Actor;
  /** The request body as received; default the change's input. */
  readonly body?: unknown;
}

/** How much an application matters: 1 is the most critical, 4 means not relevant. */
export type CriticalityLevel = 1 | 2 | 3 | 4;

export const CRITICALITY_LEVELS: readonly CriticalityLevel[] = [1, 2, 3, 4];

/** The fields of an application that its owners write; a PUT replaces all of them. */
export interface AppInput {
  readonly teamId: string;
  readonly name: string;
  readonly subtitle?: string;
  /** Markdown. */
  readonly description?: string;
  readonly serviceUrl?: string;
  readonly scmUrl?: string;
  readonly documentationUrl?: string;
  readonly specificationUrl?: string;
  readonly supportUrl?: string;
  readonly incidentContact?: string;
  /** Default 2. */
  readonly criticalityLevel?: CriticalityLevel;
  /** Default false. */
  readonly publiclyAccessible?: boolean;
  /** Default true. */
  readonly active?: boolean;
}

/** An application in the registry: the key every deployment, image and credential hangs off. */
export interface App {
  readonly id: string;
  readonly teamId: string;
  readonly name: string;
  readonly subtitle?: string;
  readonly description?: string;
  readonly serviceUrl?: string;
  readonly scmUrl?: string;
  readonly documentationUrl?: string;
  readonly specificationUrl?: string;
  readonly supportUrl?: string;
  readonly incidentContact?: string;
  readonly criticalityLevel: CriticalityLevel;
  readonly publiclyAccessible: boolean;
  readonly active: boolean;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly modifiedAt: Date;
  readonly modifiedBy: string;
}

/** An application found by a full-text search, with how well and where it matched. */
export interface AppMatch extends App {
  readonly matchedRank: number;
  /** A snippet of the best-matching text, matched words in `<b>…</b>`. */
  readonly matchedDescription: string;
}

/** What a `putApp` did: created the application, or replaced an existing one. */
export interface PutResult<T> {
  readonly created: boolean;
  readonly value: T;
}

/** One immutable build of an application: its OCI artifact pinned by digest. */
export interface Version {
  readonly appId: string;
  readonly id: string;
  /** `registry/team/name:tag@sha256:<64 hex>`. */
  readonly artifact: string;
  /** Markdown; the one field that may change after creation. */
  readonly notes?: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly modifiedAt: Date;
  readonly modifiedBy: string;
}

export interface VersionInput {
  readonly artifact: string;
  readonly notes?: string;
}

/** A kind of approval, with the declaration an approver confirms. */
export interface ApprovalType {
  readonly id: string;
  readonly declaration: string;
  /** The four built-in types cannot be deleted. */
  readonly builtIn: boolean;
  readonly modifiedAt: Date;
  readonly modifiedBy: string;
}

/** One person's approval of one type for one version. */
export interface Approval {
  readonly appId: string;
  readonly versionId: string;
  readonly type: string;
  readonly user: string;
  readonly at: Date;
  /** The declaration text as it read when the person approved. */
  readonly declaration: string;
  readonly notes?: string;
}

/** How many distinct people must give one type of approval. */
export interface ApprovalRequirement {
  readonly type: string;
  readonly approvers: number;
}

/** The approvals a version of an application of one criticality level needs to be deployable. */
export interface PolicyLevel {
  readonly level: CriticalityLevel;
  readonly requirements: readonly ApprovalRequirement[];
}

/** A required type that has fewer approvals than it needs. */
export interface MissingApproval {
  readonly type: string;
  readonly needed: number;
  readonly have: number;
}

/** Whether a version may be deployed, and if not, what it lacks. */
export interface ApprovalStatus {
  readonly appId: string;
  readonly versionId: string;
  readonly criticalityLevel: CriticalityLevel;
  readonly deployable: boolean;
  readonly missing: readonly MissingApproval[];
}

/** One page of a list; `nextCursor` is undefined on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface PageRequest {
  /** Default 50, at most 500. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface ListAppsRequest extends PageRequest {
  readonly team?: string;
  readonly active?: boolean;
  /** Only applications changed at or after this instant. */
  readonly modifiedSince?: Date;
  /** Full text over id, name, subtitle and description; results come best match first. */
  readonly search?: string;
}
