import { describe, expect, it } from "vitest";
import { PasswordHasher } from "./password-hasher.js";

const hasher = new PasswordHasher({ N: 1024, r: 8, p: 1 });
const password = "correct horse battery";

describe("PasswordHasher", () => {
  it("stores parameters, salt and key in a self-describing string", async () => {
    const hash = await hasher.hash(password);
    const parts = hash.split("$");
    expect(parts.slice(0, 4)).toEqual(["scrypt", "1024", "8", "1"]);
    expect(Buffer.from(parts[4]!, "base64url")).toHaveLength(16);
    expect(Buffer.from(parts[5]!, "base64url")).toHaveLength(32);
    expect(hash).not.toContain(password);
  });

  it("salts every hash, so equal passwords hash differently", async () => {
    expect(await hasher.hash(password)).not.toBe(await hasher.hash(password));
  });

  it("accepts the password and rejects any other", async () => {
    const hash = await hasher.hash(password);
    expect(await hasher.verify(password, hash)).toBe(true);
    expect(await hasher.verify(`${password}!`, hash)).toBe(false);
  });

  it("verifies with the parameters in the hash, not its own", async () => {
    const other = new PasswordHasher({ N: 2048, r: 4, p: 2 });
    expect(await hasher.verify(password, await other.hash(password))).toBe(true);
  });

  it("treats composed and decomposed characters as the same password", async () => {
    const hash = await hasher.hash("caf\u00e9 au lait!!");
    expect(await hasher.verify("cafe\u0301 au lait!!", hash)).toBe(true);
  });

  it.each([
    ["short", "x".repeat(11)],
    ["long", "x".repeat(1025)],
    ["short in code points", "😀".repeat(11)],
  ])("refuses a %s password with IDENTITY_PASSWORD_POLICY", async (_name, bad) => {
    await expect(hasher.hash(bad)).rejects.toMatchObject({ code: "IDENTITY_PASSWORD_POLICY" });
  });

  it("accepts 12 and 1024 characters", async () => {
    await expect(hasher.hash("x".repeat(12))).resolves.toMatch(/^scrypt\$/);
    expect(() => hasher.checkPolicy("x".repeat(1024))).not.toThrow();
  });

  it.each(["", "bcrypt$x", "scrypt$1024$8$1$c2FsdA$c2hvcnQ", `scrypt$99999999$8$1$c2FsdA$${"A".repeat(43)}`])(
    "answers false for the malformed hash %j",
    async (hash) => {
      expect(await hasher.verify(password, hash)).toBe(false);
    },
  );

  it("does the work of a real check for an unknown user and answers false", async () => {
    expect(await hasher.verifyDummy(password)).toBe(false);
  });

  it("refuses parameters that are not a power of two", () => {
    expect(() => new PasswordHasher({ N: 1000 })).toThrow(RangeError);
  });
});
