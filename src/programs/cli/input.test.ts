import { describe, expect, it } from "vitest";
import { CliError, ExitCode } from "./cli-error.js";
import { confirm, readSecretFromStdin } from "./input.js";
import { memoryIo } from "./testing/memory-io.js";

describe("readSecretFromStdin", () => {
  it("drops exactly one trailing newline", async () => {
    expect(await readSecretFromStdin(memoryIo({ stdin: "pw\n" }), "--password-stdin")).toBe("pw");
    expect(await readSecretFromStdin(memoryIo({ stdin: "pw\r\n" }), "--password-stdin")).toBe("pw");
    expect(await readSecretFromStdin(memoryIo({ stdin: " pw \n\n" }), "--password-stdin")).toBe(" pw \n");
  });

  it("refuses empty input as a usage error naming the flag", async () => {
    const error = await readSecretFromStdin(memoryIo({ stdin: "\n" }), "--password-stdin").catch((e) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.usage);
    expect((error as CliError).message).toContain("--password-stdin");
  });
});

describe("confirm", () => {
  it("does not ask when --yes is given", async () => {
    const io = memoryIo({ stdinIsTTY: false });
    await confirm(io, "Delete?", true);
    expect(io.stderrText()).toBe("");
  });

  it("accepts y and yes in any case, and nothing else", async () => {
    for (const answer of ["y", "YES", " yes "]) {
      await expect(
        confirm(memoryIo({ stdin: `${answer}\n`, stdinIsTTY: true }), "Delete?", false),
      ).resolves.toBe(undefined);
    }
    for (const answer of ["", "n", "yep"]) {
      await expect(
        confirm(memoryIo({ stdin: `${answer}\n`, stdinIsTTY: true }), "Delete?", false),
      ).rejects.toThrow("cancelled");
    }
    await expect(confirm(memoryIo({ stdinIsTTY: true }), "Delete?", false)).rejects.toThrow("cancelled");
  });
});
