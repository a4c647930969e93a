export type { AuditRecord, AuditSink } from "./audit-sink.js";
export { type Clock, epochSeconds, ManualClock, systemClock } from "./clock.js";
export { Duration } from "./duration.js";
export {
  CharterError,
  CoreErrors,
  defineErrors,
  type ErrorFactory,
  type ErrorKind,
  type ErrorSet,
  type ErrorSpec,
  isCharterError,
} from "./errors.js";
export {
  type Authenticate,
  bearerToken,
  bearerTokenOf,
  createHttpApp,
  type HttpApp,
  type HttpAppOptions,
  principalOf,
  requestIdOf,
} from "./http/create-http-app.js";
export {
  type FastLane,
  type FastLaneOptions,
  installFastLanes,
  type LaneAnswer,
  type LaneRequest,
  parseSimpleRequest,
} from "./http/fast-lane.js";
export { PROBLEM_CONTENT_TYPE, type Problem, ProblemSchema, problemOf, statusOf } from "./http/problem.js";
export {
  type FastPath,
  type HttpServerFactoryOptions,
  httpServerFactory,
} from "./http/server-factory.js";
export { type TurnBatch, turnBatch } from "./http/turn-batch.js";
export { coalesceWrites } from "./http/write-coalescing.js";
export { isSlug, SLUG_MAX, SLUG_PATTERN, USER_ID_PATTERN } from "./ids.js";
export { createLogger, type Logger, type LoggerOptions, REDACTED_PATHS, redactQuery } from "./logger.js";
export { type PageCursors, pageCursors } from "./page-cursor.js";
export {
  type Actor,
  ADMIN_SCOPE,
  actorOf,
  isAdmin,
  type Principal,
  REALMS,
  type Realm,
  SYSTEM_ACTOR,
} from "./principal.js";
