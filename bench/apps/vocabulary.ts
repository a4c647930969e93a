const ONSETS = [
  "b",
  "c",
  "d",
  "f",
  "g",
  "k",
  "l",
  "m",
  "n",
  "p",
  "r",
  "s",
  "t",
  "v",
  "z",
  "br",
  "cl",
  "st",
  "tr",
  "gr",
];
const VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io"];
const CODAS = ["", "n", "r", "s", "l", "x", "m", "nd"];

/**
 * `size` distinct made-up words ("brealnd", "tio"…), the same on every run, so that each word of
 * a description occurs in a known share of the applications and searches have a steady
 * selectivity. Real words would be stemmed unevenly; these are not English stems.
 */
export function vocabulary(size: number): string[] {
  const words = new Set<string>();
  for (let i = 0; words.size < size; i++) {
    const a = ONSETS[i % ONSETS.length]!;
    const b = VOWELS[Math.floor(i / ONSETS.length) % VOWELS.length]!;
    const c = CODAS[Math.floor(i / (ONSETS.length * VOWELS.length)) % CODAS.length]!;
    const d = ONSETS[Math.floor(i / (ONSETS.length * VOWELS.length * CODAS.length)) % ONSETS.length]!;
    words.add(`${a}${b}${c}${d}o`);
  }
  return [...words];
}
