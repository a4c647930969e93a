import { pageCursors } from "../core/index.js";
import { IdentityErrors } from "./errors.js";

export const { encodeCursor, decodeCursor } = pageCursors(IdentityErrors.IDENTITY_INVALID_CURSOR);
