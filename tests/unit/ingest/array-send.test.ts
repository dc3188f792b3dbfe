import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { float4ArrayFromSend } from "@/db/queries/routing";

/** array_send's layout for a one-dimensional real[] (NULL elements as length -1). */
function arraySend(values: (number | null)[]): Uint8Array {
  const size = 20 + values.reduce<number>((n, x) => n + (x === null ? 4 : 8), 0);
  const v = new DataView(new ArrayBuffer(size));
  v.setInt32(0, 1);
  v.setInt32(4, values.includes(null) ? 1 : 0);
  v.setUint32(8, 700);
  v.setInt32(12, values.length);
  v.setInt32(16, 1);
  let off = 20;
  for (const x of values) {
    if (x === null) {
      v.setInt32(off, -1);
      off += 4;
    } else {
      v.setInt32(off, 4);
      v.setFloat32(off + 4, x);
      off += 8;
    }
  }
  return new Uint8Array(v.buffer);
}

describe("float4ArrayFromSend (embeddings in PostgreSQL's binary array format)", () => {
  it("reads any real[] back bit-exact, also from a view into a larger buffer", () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 64 }), (xs) => {
        const bytes = arraySend(xs);
        const padded = new Uint8Array(bytes.length + 7);
        padded.set(bytes, 3);
        const got = float4ArrayFromSend(padded.subarray(3, 3 + bytes.length));
        return got !== null && got.length === xs.length && xs.every((x, i) => Object.is(got[i], Math.fround(x)));
      }),
    );
  });

  it("gives null for an empty array or a NULL element, and throws on anything that is not a 1-d real[]", () => {
    const empty = new Uint8Array(12);
    new DataView(empty.buffer).setUint32(8, 700);
    expect(float4ArrayFromSend(empty)).toBeNull();
    expect(float4ArrayFromSend(arraySend([1, null, 2]))).toBeNull();
    const float8 = arraySend([1]);
    new DataView(float8.buffer).setUint32(8, 701);
    expect(() => float4ArrayFromSend(float8)).toThrow(/real\[\]/);
    expect(() => float4ArrayFromSend(arraySend([1, 2]).subarray(0, 14))).toThrow();
    expect(() => float4ArrayFromSend(arraySend([1, 2]).subarray(0, 30))).toThrow(/length/);
  });
});
