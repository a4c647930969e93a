import { afterEach, describe, expect, it, vi } from "vitest";
import { afterBatch, turnBatch } from "./turn-batch.js";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.restoreAllMocks();
});

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

  it("throws a task's error again on its own by default, and when onError throws", async () => {
    const rethrown: unknown[] = [];
    vi.spyOn(globalThis, "queueMicrotask").mockImplementation((callback) => {
      try {
        callback();
      } catch (error) {
        rethrown.push(error);
      }
    });
    const seen: string[] = [];
    const plain = turnBatch();
    plain(() => {
      throw new Error("one");
    });
    plain(() => seen.push("after one"));
    const picky = turnBatch(() => {
      throw new Error("onError failed");
    });
    picky(() => {
      throw new Error("two");
    });
    picky(() => seen.push("after two"));
    await nextTurn();
    await nextTurn();
    expect(rethrown).toEqual([new Error("one"), new Error("onError failed")]);
    expect(seen).toEqual(["after one", "after two"]);
  });
});

describe("afterBatch", () => {
  it("runs what a batch's promise callbacks hand it in the same turn, before the next turn's work", async () => {
    const batch = turnBatch();
    const seen: string[] = [];
    batch(() => {
      setImmediate(() => seen.push("next turn"));
      void Promise.resolve().then(() => {
        expect(afterBatch(() => seen.push("after the batch"))).toBe(true);
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual(["after the batch", "next turn"]);
  });

  it("takes nothing when no batch runs", async () => {
    expect(afterBatch(() => {})).toBe(false);
    const batch = turnBatch();
    batch(() => {});
    await nextTurn();
    expect(afterBatch(() => {})).toBe(false);
  });
});
