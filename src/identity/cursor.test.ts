import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.js";

describe("page cursors", () => {
  it("round-trip an id", () => {
    expect(decodeCursor(encodeCursor("jane.doe"))).toBe("jane.doe");
  });

  it.each(["", "!!!", "amFuZQ=", "a"])("refuse %j with IDENTITY_INVALID_CURSOR", (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: "IDENTITY_INVALID_CURSOR" }));
  });
});
