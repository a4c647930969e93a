import { CoreErrors } from "./errors.js";

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A span of time as a value, so options say `Duration.hours(8)` instead of a bare number of
 * unknown unit.
 */
export class Duration {
  private constructor(readonly milliseconds: number) {}

  static milliseconds(n: number): Duration {
    if (!Number.isFinite(n) || n < 0)
      throw new RangeError(`duration must be a non-negative number, got ${n}`);
    return new Duration(n);
  }
  static seconds(n: number): Duration {
    return Duration.milliseconds(n * 1_000);
  }
  static minutes(n: number): Duration {
    return Duration.milliseconds(n * 60_000);
  }
  static hours(n: number): Duration {
    return Duration.milliseconds(n * 3_600_000);
  }
  static days(n: number): Duration {
    return Duration.milliseconds(n * 86_400_000);
  }

  /**
   * Parses `"90s"`, `"5m"`, `"8h"`, `"1d"`, `"250ms"` or a combination such as `"1h30m"`.
   * @example Duration.parse("24h").seconds === 86400
   */
  static parse(text: string): Duration {
    const trimmed = text.trim();
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
    let total = 0;
    let consumed = 0;
    for (const match of trimmed.matchAll(re)) {
      total += Number(match[1]) * (UNITS[match[2]!] ?? 0);
      consumed += match[0].length;
    }
    if (trimmed.length === 0 || consumed !== trimmed.length) {
      throw CoreErrors.CORE_VALIDATION_FAILED(
        `"${text}" is not a duration; use a number with a unit ms, s, m, h or d, such as "30s" or "8h"`,
      );
    }
    return new Duration(total);
  }

  get seconds(): number {
    return Math.floor(this.milliseconds / 1_000);
  }

  plus(other: Duration): Duration {
    return new Duration(this.milliseconds + other.milliseconds);
  }

  toString(): string {
    const ms = this.milliseconds;
    for (const [unit, size] of [
      ["d", 86_400_000],
      ["h", 3_600_000],
      ["m", 60_000],
      ["s", 1_000],
    ] as const) {
      if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
    }
    return `${ms}ms`;
  }
}
