import { pageCursors } from "../core/index.js";
import { AppsErrors } from "./errors.js";

export const { encodeCursor, decodeCursor } = pageCursors(AppsErrors.APPS_INVALID_CURSOR);
