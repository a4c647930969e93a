import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileSecretBox } from "./local/file-secret-box.js";
import type { SecretBox } from "./secret-box.js";

const implementations: Array<[string, () => Promise<SecretBox>]> = [
  ["file", async () => FileSecretBox.openOrCreate(join(await mkdtemp(join(tmpdir(), "box-")), "master.key"))],
];

describe.each(implementations)("SecretBox contract: %s", (_name, make) => {
  it("opens what it sealed", async () => {
    const box = await make();
    const sealed = await box.seal(Buffer.from("signing key"), "tokens.signing-key");
    expect(Buffer.from(await box.open(sealed, "tokens.signing-key")).toString()).toBe("signing key");
  });

  it("refuses a ciphertext opened for another context", async () => {
    const box = await make();
    const sealed = await box.seal(Buffer.from("x"), "a");
    await expect(box.open(sealed, "b")).rejects.toThrow();
  });

  it("refuses an altered ciphertext", async () => {
    const box = await make();
    const sealed = Buffer.from(await box.seal(Buffer.from("secret"), "a"));
    sealed[sealed.length - 1]! ^= 1;
    await expect(box.open(sealed, "a")).rejects.toThrow();
  });
});

describe("FileSecretBox", () => {
  it("creates the master key file with mode 0600 and reuses it", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "box-")), "master.key");
    const first = await FileSecretBox.openOrCreate(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const sealed = await first.seal(Buffer.from("k"), "c");
    const second = await FileSecretBox.openOrCreate(path);
    expect(Buffer.from(await second.open(sealed, "c")).toString()).toBe("k");
  });
});
