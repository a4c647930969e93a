/**
 * When each signing key signs and is published, as pure functions of the key rows and the clock.
 * Every replica reading the same rows at the same time reaches the same answer, so replicas need no
 * coordination beyond the database.
 */

/** The scheduling columns of a signing key. */
export interface KeyWindow {
  readonly kid: string;
  readonly signFrom: Date;
  /** Null while the key is current or pending. */
  readonly signUntil: Date | null;
  /** Null while the key may still sign. */
  readonly publishUntil: Date | null;
  readonly createdAt: Date;
}

/** How keys rotate. */
export interface RotationPolicy {
  /** How long a key signs before its successor takes over. */
  readonly interval: number;
  /** How long before it signs a new key is published (milliseconds). */
  readonly prepublish: number;
  /** How long after it stops signing a key stays published (milliseconds). */
  readonly retention: number;
}

/** What a rotation step changes; empty when nothing is due. */
export interface RotationPlan {
  /** A key to create, and when it starts signing. */
  readonly create?: {
    readonly signFrom: Date;
    readonly signUntil: Date | null;
    readonly publishUntil: Date | null;
  };
  /** Keys whose successor is now scheduled. */
  readonly retire: ReadonlyArray<{
    readonly kid: string;
    readonly signUntil: Date;
    readonly publishUntil: Date;
  }>;
  /** Keys no unexpired token can name any more. */
  readonly remove: readonly string[];
}

/** Younger first: later `signFrom`, then later `createdAt`, then larger kid, so the order is total. */
function compareYoungestFirst(a: KeyWindow, b: KeyWindow): number {
  return (
    b.signFrom.getTime() - a.signFrom.getTime() ||
    b.createdAt.getTime() - a.createdAt.getTime() ||
    (a.kid < b.kid ? 1 : a.kid > b.kid ? -1 : 0)
  );
}

/** The key that signs at `now`: the youngest whose `signFrom` has passed and that is not retired. */
export function activeKeyOf<T extends KeyWindow>(keys: readonly T[], now: Date): T | undefined {
  const at = now.getTime();
  let active: T | undefined;
  for (const key of keys) {
    if (key.signFrom.getTime() > at) continue;
    if (key.signUntil !== null && key.signUntil.getTime() <= at) continue;
    if (active === undefined || compareYoungestFirst(key, active) < 0) active = key;
  }
  return active;
}

/** Keys a verifier must know at `now`: pending, current, and retired ones whose tokens may live. */
export function publishedKeysOf<T extends KeyWindow>(keys: readonly T[], now: Date): T[] {
  const at = now.getTime();
  return keys
    .filter((key) => key.publishUntil === null || key.publishUntil.getTime() > at)
    .sort(compareYoungestFirst);
}

/**
 * The rotation step due at `now`:
 * - with no key able to sign (first start, or every key retired), a new key signs at once;
 * - once the active key has signed for `interval - prepublish`, its successor is created to sign
 *   `prepublish` from now at the earliest, so verifiers fetch it before they meet it;
 * - a key with a younger successor stops signing when the successor starts, and stays published
 *   for `retention` after that;
 * - keys past their publication window are removed.
 */
export function planRotation(keys: readonly KeyWindow[], now: Date, policy: RotationPolicy): RotationPlan {
  const at = now.getTime();
  const expired = (k: KeyWindow) => k.publishUntil !== null && k.publishUntil.getTime() <= at;
  const remove = keys.filter(expired).map((k) => k.kid);
  const live = keys.filter((k) => !expired(k));

  const active = activeKeyOf(live, now);
  let create: { signFrom: Date } | undefined;
  if (active === undefined) {
    create = { signFrom: now };
  } else {
    const hasSuccessor = live.some((k) => k.signFrom.getTime() > active.signFrom.getTime());
    const dueAt = active.signFrom.getTime() + policy.interval - policy.prepublish;
    if (!hasSuccessor && at >= dueAt) {
      create = {
        signFrom: new Date(Math.max(at + policy.prepublish, active.signFrom.getTime() + policy.interval)),
      };
    }
  }

  // Each key without an end signs until the next younger key starts.
  const NEW = "";
  const schedule: KeyWindow[] = [...live];
  if (create !== undefined) {
    schedule.push({
      kid: NEW,
      signFrom: create.signFrom,
      signUntil: null,
      publishUntil: null,
      createdAt: now,
    });
  }
  schedule.sort((a, b) => compareYoungestFirst(b, a));
  const retire: Array<{ kid: string; signUntil: Date; publishUntil: Date }> = [];
  let createdEnd: { signUntil: Date; publishUntil: Date } | undefined;
  for (let i = 0; i < schedule.length - 1; i++) {
    const key = schedule[i]!;
    if (key.signUntil !== null) continue;
    const signUntil = schedule[i + 1]!.signFrom;
    const end = { signUntil, publishUntil: new Date(signUntil.getTime() + policy.retention) };
    if (key.kid === NEW) createdEnd = end;
    else retire.push({ kid: key.kid, ...end });
  }

  return {
    ...(create === undefined
      ? {}
      : {
          create: {
            signFrom: create.signFrom,
            signUntil: createdEnd?.signUntil ?? null,
            publishUntil: createdEnd?.publishUntil ?? null,
          },
        }),
    retire,
    remove,
  };
}
