import { describe, expect, it } from "vitest";
import { Duration } from "../../../core/index.js";
import { CliError, ExitCode } from "../cli-error.js";
import { startLoopbackReceiver } from "./loopback-receiver.js";

describe("startLoopbackReceiver", () => {
  it("listens on 127.0.0.1 and takes exactly one answer", async () => {
    const receiver = await startLoopbackReceiver({ state: "s1", timeout: Duration.seconds(5) });
    try {
      expect(receiver.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      // A browser's favicon request or a stray probe does not end the login.
      expect((await fetch(new URL("/favicon.ico", receiver.redirectUri))).status).toBe(404);
      const page = await fetch(`${receiver.redirectUri}?code=c1&state=s1`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-security-policy")).toBe("default-src 'none'");
      expect(await receiver.code).toBe("c1");
      expect((await fetch(`${receiver.redirectUri}?code=c2&state=s1`)).status).toBe(404);
    } finally {
      await receiver.close();
    }
  });

  it("escapes the server's error description in its page", async () => {
    const receiver = await startLoopbackReceiver({ state: "s1", timeout: Duration.seconds(5) });
    try {
      const page = await fetch(
        `${receiver.redirectUri}?state=s1&error=x&error_description=${encodeURIComponent("<b>")}`,
      );
      expect(await page.text()).toContain("&#60;b&#62;");
      const error = await receiver.code.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(ExitCode.auth);
    } finally {
      await receiver.close();
    }
  });

  it("stops listening when closed", async () => {
    const receiver = await startLoopbackReceiver({ state: "s1", timeout: Duration.seconds(5) });
    await receiver.close();
    await expect(fetch(`${receiver.redirectUri}?code=c&state=s1`)).rejects.toThrow();
    await expect(receiver.code).rejects.toThrow("login abandoned");
  });
});
