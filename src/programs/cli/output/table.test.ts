import { describe, expect, it } from "vitest";
import { cellText, formatDetails, formatTable } from "./table.js";

describe("formatTable", () => {
  it("aligns columns under upper-case headers without trailing blanks", () => {
    const text = formatTable(
      [
        { header: "id", value: (r: { id: string; name: string }) => r.id },
        { header: "name", value: (r) => r.name },
      ],
      [
        { id: "platform", name: "Platform" },
        { id: "db", name: "Databases" },
      ],
    );
    expect(text).toBe("ID        NAME\nplatform  Platform\ndb        Databases\n");
  });

  it("prints only the header for no rows", () => {
    expect(formatTable([{ header: "id", value: () => "" }], [])).toBe("ID\n");
  });
});

describe("formatDetails", () => {
  it("aligns values after the longest label", () => {
    expect(
      formatDetails([
        ["id", "platform"],
        ["aws accounts", ["111111111111", "222222222222"]],
        ["description", undefined],
      ]),
    ).toBe("id:           platform\naws accounts: 111111111111,222222222222\ndescription:\n");
  });
});

describe("cellText", () => {
  it("writes lists, booleans and absent values plainly", () => {
    expect(cellText(["a", "b"])).toBe("a,b");
    expect(cellText(true)).toBe("yes");
    expect(cellText(false)).toBe("no");
    expect(cellText(null)).toBe("");
    expect(cellText(7)).toBe("7");
  });

  it("neutralises terminal control characters from the server", () => {
    expect(cellText("evil\u001b[2Jname\nx")).toBe("evil [2Jname x");
  });
});
