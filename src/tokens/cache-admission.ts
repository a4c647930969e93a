/**
 * Admits a key to a cache from its second sighting on (the "doorkeeper" of TinyLFU): the first
 * sighting only sets two bits of a fixed-size Bloom filter, so keys seen once cost no memory and
 * cannot push keys in use out of the cache. After `capacity` first sightings the filter starts
 * empty again, which keeps its false positives (a key admitted on its first sighting) near 3 %.
 *
 * Keys are hashed on their last 32 characters only: the verifier's keys are tokens, which end in
 * a signature whose characters are as good as random.
 */
export class SecondSightAdmission {
  readonly #bits: Int32Array;
  readonly #mask: number;
  readonly #capacity: number;
  #sightings = 0;

  /** `capacity`: first sightings remembered before the filter starts empty again; default 100,000. */
  constructor(capacity = 100_000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    // About ten bits per remembered sighting, rounded up to a power of two.
    const bits = 2 ** Math.max(10, Math.ceil(Math.log2(capacity * 10)));
    this.#bits = new Int32Array(bits / 32);
    this.#mask = bits - 1;
    this.#capacity = capacity;
  }

  /** Whether `key` was seen before; remembers it either way. */
  admit(key: string): boolean {
    let h = 0x811c9dc5;
    for (let i = Math.max(0, key.length - 32); i < key.length; i++) {
      h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    }
    const a = h & this.#mask;
    const b = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) & this.#mask;
    const bits = this.#bits;
    const [wordA, bitA, wordB, bitB] = [a >>> 5, 1 << (a & 31), b >>> 5, 1 << (b & 31)];
    if ((bits[wordA]! & bitA) !== 0 && (bits[wordB]! & bitB) !== 0) return true;
    if (++this.#sightings > this.#capacity) {
      bits.fill(0);
      this.#sightings = 1;
    }
    bits[wordA] = bits[wordA]! | bitA;
    bits[wordB] = bits[wordB]! | bitB;
    return false;
  }
}
