import { pageCursors } from "../core/index.js";
import { ImagesErrors } from "./errors.js";

export const { encodeCursor, decodeCursor } = pageCursors(ImagesErrors.IMAGES_INVALID_CURSOR);
