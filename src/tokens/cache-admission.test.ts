import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecondSightAdmission } from "./cache-admission.js";

const key = () => `header.payload.${randomBytes(64).toString("base64url")}`;

describe("SecondSightAdmission", () => {
  it("admits a key on its second sighting, not its first", () => {
    const admission = new SecondSightAdmission(1_000);
    const k = key();
    expect(admission.admit(k)).toBe(false);
    expect(admission.admit(k)).toBe(true);
    expect(admission.admit(k)).toBe(true);
  });

  it("rarely mistakes a new key for one seen before, even when full", () => {
    const admission = new SecondSightAdmission(10_000);
    for (let i = 0; i < 10_000; i++) admission.admit(key());
    let mistaken = 0;
    for (let i = 0; i < 10_000; i++) if (admission.admit(key())) mistaken++;
    expect(mistaken / 10_000).toBeLessThan(0.05);
  });

  it("forgets first sightings once it has remembered capacity of them", () => {
    const admission = new SecondSightAdmission(100);
    const k = key();
    admission.admit(k);
    // 100 more first sightings (a rare false positive is not one) fill it; the last starts it anew.
    for (let remembered = 0; remembered < 100; ) if (!admission.admit(key())) remembered++;
    expect(admission.admit(k)).toBe(false);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new SecondSightAdmission(0)).toThrow(/capacity/);
  });
});
