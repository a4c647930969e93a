import { describe, expect, it } from "vitest";
import { turnBatch } from "./turn-batch.js";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("turnBatch", () => {
  it("runs a turn's tasks together after the turn's other work, in the order they came", async () => {
    const batch = turnBatch();
    const seen: string[] = [];
    batch(() => seen.push("a"));
    batch(() => seen.push("b"));
    seen.push("sync");
    await Promise.resolve();
    seen.push("microtask");
    batch(() => seen.push("c"));
    expect(seen).toEqual(["sync", "microtask"]);
    await nextTurn();
    expect(seen).toEqual(["sync", "microtask", "a", "b", "c"]);
  });

  it("leaves what a task queues for the next turn", async () => {
    const batch = turnBatch();
    const seen: string[] = [];
    batch(() => {
      seen.push("first");
      batch(() => seen.push("queued by first"));
    });
    batch(() => seen.push("second"));
    await nextTurn();
    expect(seen).toEqual(["first", "second"]);
    await nextTurn();
    expect(seen).toEqual(["first", "second", "queued by first"]);
  });

  it("runs the other tasks when one throws, and hands the error on", async () => {
    const errors: unknown[] = [];
    const batch = turnBatch((error) => errors.push(error));
    const seen: string[] = [];
    batch(() => seen.push("before"));
    batch(() => {
      throw new Error("boom");
    });
    batch(() => seen.push("after"));
    await nextTurn();
    expect(seen).toEqual(["before", "after"]);
    expect(errors).toEqual([new Error("boom")]);
  });
});
