import { describe, expect, it } from "vitest";
import { activeKeyOf, type KeyWindow, planRotation, publishedKeysOf } from "./key-schedule.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms);
const policy = { interval: 24 * HOUR, prepublish: 5 * MIN, retention: 8 * HOUR + 2 * MIN };

function key(kid: string, signFrom: number, signUntil?: number, publishUntil?: number): KeyWindow {
  return {
    kid,
    signFrom: at(signFrom),
    signUntil: signUntil === undefined ? null : at(signUntil),
    publishUntil: publishUntil === undefined ? null : at(publishUntil),
    createdAt: at(Math.min(signFrom, 0)),
  };
}

describe("activeKeyOf", () => {
  it("picks the youngest key whose sign_from has passed", () => {
    const keys = [key("a", 0, 24 * HOUR, 33 * HOUR), key("b", 24 * HOUR)];
    expect(activeKeyOf(keys, at(HOUR))?.kid).toBe("a");
    expect(activeKeyOf(keys, at(24 * HOUR - 1))?.kid).toBe("a");
    expect(activeKeyOf(keys, at(24 * HOUR))?.kid).toBe("b");
  });

  it("never picks a key past its sign_until", () => {
    expect(activeKeyOf([key("a", 0, HOUR, 2 * HOUR)], at(HOUR))).toBeUndefined();
  });

  it("breaks a tie in sign_from by kid, so every replica picks the same key", () => {
    const keys = [key("b", 0), key("a", 0)];
    expect(activeKeyOf(keys, at(0))?.kid).toBe(activeKeyOf([...keys].reverse(), at(0))?.kid);
  });
});

describe("publishedKeysOf", () => {
  it("lists pending, current and live retired keys, youngest first, and drops expired ones", () => {
    const keys = [
      key("expired", -48 * HOUR, -24 * HOUR, -16 * HOUR),
      key("retired", -24 * HOUR, 0, 8 * HOUR),
      key("current", 0),
      key("next", 24 * HOUR),
    ];
    expect(publishedKeysOf(keys, at(HOUR)).map((k) => k.kid)).toEqual(["next", "current", "retired"]);
    expect(publishedKeysOf(keys, at(8 * HOUR)).map((k) => k.kid)).toEqual(["next", "current"]);
  });
});

describe("planRotation", () => {
  it("creates a key that signs at once on an empty database", () => {
    expect(planRotation([], at(0), policy)).toEqual({
      create: { signFrom: at(0), signUntil: null, publishUntil: null },
      retire: [],
      remove: [],
    });
  });

  it("does nothing while the active key is young", () => {
    expect(planRotation([key("a", 0)], at(23 * HOUR), policy)).toEqual({ retire: [], remove: [] });
  });

  it("schedules the successor prepublish ahead and retires the active key when it starts", () => {
    const plan = planRotation([key("a", 0)], at(24 * HOUR - 5 * MIN), policy);
    expect(plan.create).toEqual({ signFrom: at(24 * HOUR), signUntil: null, publishUntil: null });
    expect(plan.retire).toEqual([
      { kid: "a", signUntil: at(24 * HOUR), publishUntil: at(32 * HOUR + 2 * MIN) },
    ]);
  });

  it("still publishes the successor before it signs when the rotation is late", () => {
    const plan = planRotation([key("a", 0)], at(30 * HOUR), policy);
    expect(plan.create?.signFrom).toEqual(at(30 * HOUR + 5 * MIN));
    expect(plan.retire[0]?.signUntil).toEqual(at(30 * HOUR + 5 * MIN));
  });

  it("does not create a second successor", () => {
    const keys = [key("a", 0, 24 * HOUR, 32 * HOUR), key("b", 24 * HOUR)];
    expect(planRotation(keys, at(24 * HOUR - MIN), policy)).toEqual({ retire: [], remove: [] });
  });

  it("removes keys past their publication window", () => {
    const keys = [key("old", -48 * HOUR, -24 * HOUR, -HOUR), key("a", -24 * HOUR, 0, 8 * HOUR), key("b", 0)];
    expect(planRotation(keys, at(HOUR), policy)).toEqual({ retire: [], remove: ["old"] });
  });

  it("after a long outage creates a key that signs at once and leaves nothing unretired", () => {
    const keys = [key("a", -48 * HOUR, -24 * HOUR, -16 * HOUR)];
    const plan = planRotation(keys, at(0), policy);
    expect(plan.create?.signFrom).toEqual(at(0));
    expect(plan.remove).toEqual(["a"]);
  });
});
