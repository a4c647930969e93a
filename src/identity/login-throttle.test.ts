import { describe, expect, it } from "vitest";
import { ManualClock } from "../core/index.js";
import { LoginThrottle } from "./login-throttle.js";

const fail = async () => ({ ok: false, value: undefined });
const pass = async () => ({ ok: true, value: "ok" });

describe("LoginThrottle", () => {
  it("lets a few failures through, then makes the user id wait, doubling up to the cap", async () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle({ clock, freeFailures: 3, maxDelayMs: 4_000 });
    for (let i = 0; i < 3; i++) expect(await throttle.attempt("jane", fail)).toBeUndefined();
    await expect(throttle.attempt("jane", pass)).rejects.toMatchObject({
      code: "IDENTITY_TOO_MANY_ATTEMPTS",
    });
    clock.advance(1_000);
    expect(await throttle.attempt("jane", fail)).toBeUndefined();
    clock.advance(1_500);
    await expect(throttle.attempt("jane", pass)).rejects.toMatchObject({
      code: "IDENTITY_TOO_MANY_ATTEMPTS",
    });
    clock.advance(500);
    expect(await throttle.attempt("jane", fail)).toBeUndefined();
    clock.advance(4_000);
    expect(await throttle.attempt("jane", pass)).toBe("ok");
    expect(await throttle.attempt("jane", fail)).toBeUndefined();
    expect(await throttle.attempt("jane", pass)).toBe("ok");
  });

  it("keeps user ids apart", async () => {
    const throttle = new LoginThrottle({ clock: new ManualClock(), freeFailures: 1 });
    await throttle.attempt("jane", fail);
    await expect(throttle.attempt("jane", pass)).rejects.toThrow();
    expect(await throttle.attempt("john", pass)).toBe("ok");
  });

  it("runs at most `concurrency` checks at once and refuses beyond the queue", async () => {
    const throttle = new LoginThrottle({ clock: new ManualClock(), concurrency: 2, queueLimit: 1 });
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const slow = () =>
      new Promise<{ ok: boolean; value: string }>((resolve) => {
        running += 1;
        peak = Math.max(peak, running);
        releases.push(() => {
          running -= 1;
          resolve({ ok: true, value: "ok" });
        });
      });
    const first = [throttle.attempt("a", slow), throttle.attempt("b", slow), throttle.attempt("c", slow)];
    await expect(throttle.attempt("d", slow)).rejects.toMatchObject({ code: "IDENTITY_TOO_MANY_ATTEMPTS" });
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(first)).toEqual(["ok", "ok", "ok"]);
    expect(peak).toBe(2);
  });
});
