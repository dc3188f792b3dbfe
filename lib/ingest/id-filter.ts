/**
 * A Bloom filter over the external ids one import has written: fixed memory (2 MiB by default) however large the
 * file, no false negatives, and a false-positive rate under 0.1% up to 1M ids and ~2% at 2M (a false positive
 * only costs a database lookup). Lets an import into an empty campaign send ids it has never
 * seen straight to COPY without asking the database whether they exist.
 */
export class IdFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;

  /** `log2Bits`: the filter's size in bits as a power of two (24 = 2 MiB). */
  constructor(log2Bits = 24, private readonly hashes = 7) {
    if (!Number.isInteger(log2Bits) || log2Bits < 5 || log2Bits > 30) throw new RangeError("log2Bits must be an integer in 5..30");
    this.bits = new Uint32Array(2 ** (log2Bits - 5));
    this.mask = 2 ** log2Bits - 1;
  }

  add(id: string): void {
    const [h1, h2] = hashPair(id);
    for (let i = 0; i < this.hashes; i++) {
      const b = (h1 + Math.imul(i, h2)) & this.mask;
      this.bits[b >>> 5]! |= 1 << (b & 31);
    }
  }

  /** False: this id was certainly never added. True: it probably was. */
  mightHave(id: string): boolean {
    const [h1, h2] = hashPair(id);
    for (let i = 0; i < this.hashes; i++) {
      const b = (h1 + Math.imul(i, h2)) & this.mask;
      if ((this.bits[b >>> 5]! & (1 << (b & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two independent 32-bit hashes of the string's UTF-16 code units (FNV-1a, and a murmur3-style mix). */
function hashPair(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b ^= b >>> 13;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  // An odd step visits different bits for each of the k probes.
  return [a >>> 0, (b | 1) >>> 0];
}
