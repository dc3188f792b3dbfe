import { mulberry32, normal } from "@/lib/random";

/**
 * Rarity from vectors (design notes, "Tail score" 3): the mean cosine distance to an item's m nearest
 * neighbours, turned into a rank in 0..1 (higher = rarer). Exact kNN is O(n²), so for large n the search is
 * restricted to the item's two nearest k-means cells (an inverted-file index, as in FAISS IVF). The ≈ √(2n) cells
 * come from two levels of k-means (coarse, then fine inside each coarse cluster), so assigning an item costs
 * ≈ 2·n^¼ distance computations instead of √n. k-means uses a seeded k-means++ start on a fixed sample, in a
 * 32-dimension Gaussian random projection (Johnson–Lindenstrauss keeps distances to within a modest factor,
 * plenty for a rank). Everything is seeded: same input, same scores.
 */
export type RarityOptions = { seed?: number; neighbours?: number; workDims?: number };

const EXACT_LIMIT = 2000;
const SAMPLE = 12_000;

export function vectorRarityScores(vectors: Float32Array, n: number, dim: number, opts: RarityOptions = {}): number[] {
  if (n === 0) return [];
  if (n === 1) return [0];
  const seed = opts.seed ?? 1;
  const m = Math.min(opts.neighbours ?? 5, n - 1);
  const prepared = prepare(vectors, n, dim, opts.workDims ?? 32, seed);
  // Identical vectors (the same text, pasted many times) are searched once, with their multiplicity: 50k copies
  // in one cell would otherwise make every search in that cell scan all of them (quadratic).
  const { data, d, u, count, rep } = distinct(prepared.data, n, prepared.d);
  const raw = new Float64Array(u);
  const best = new Float64Array(m);
  if (u <= EXACT_LIMIT) {
    const all = Int32Array.from({ length: u }, (_, i) => i);
    const block = data.slice(0, u * d);
    for (let i = 0; i < u; i++) raw[i] = knnMean(data, d, i, [[all, block]], m, best, count);
  } else {
    const { first, second, k } = twoLevelCells(data, u, d, seed);
    const cells = bucket(first, k);
    // Each cell's vectors copied contiguously: the scan stays in cache instead of hopping over the whole array.
    const blocks = cells.map((cell) => {
      const b = new Float32Array(cell.length * d);
      for (let t = 0; t < cell.length; t++) b.set(data.subarray(cell[t]! * d, cell[t]! * d + d), t * d);
      return b;
    });
    for (let i = 0; i < u; i++) {
      const a = first[i]!;
      const b = second[i]!;
      const lists: [Int32Array, Float32Array][] = a === b ? [[cells[a]!, blocks[a]!]] : [[cells[a]!, blocks[a]!], [cells[b]!, blocks[b]!]];
      raw[i] = knnMean(data, d, i, lists, m, best, count);
    }
  }
  return rankScores(Float64Array.from(rep, (r) => raw[r]!));
}

/**
 * The distinct vectors of `data` (n × d), in order of first appearance, with how many times each occurs and, for
 * every row, the index of its distinct vector. Rows are compared by their exact bytes.
 */
export function distinct(data: Float32Array, n: number, d: number): { data: Float32Array; d: number; u: number; count: Int32Array; rep: Int32Array } {
  const index = new Map<string, number>();
  const rep = new Int32Array(n);
  const firstRow: number[] = [];
  const bytes = new Uint8Array(data.buffer, data.byteOffset, n * d * 4);
  for (let i = 0; i < n; i++) {
    const key = Buffer.from(bytes.subarray(i * d * 4, (i + 1) * d * 4)).toString("latin1");
    let r = index.get(key);
    if (r === undefined) {
      index.set(key, (r = firstRow.length));
      firstRow.push(i);
    }
    rep[i] = r;
  }
  const u = firstRow.length;
  const count = new Int32Array(u);
  for (let i = 0; i < n; i++) count[rep[i]!]!++;
  if (u === n) return { data, d, u, count, rep };
  const out = new Float32Array(u * d);
  firstRow.forEach((row, r) => out.set(data.subarray(row * d, row * d + d), r * d));
  return { data: out, d, u, count, rep };
}

/** L2-normalise (cosine geometry) and, above workDims, project with a seeded Gaussian matrix. */
function prepare(vectors: Float32Array, n: number, dim: number, workDims: number, seed: number): { data: Float32Array; d: number } {
  let data: Float32Array;
  let d = dim;
  if (dim > workDims) {
    const rand = mulberry32(seed ^ 0x9e3779b9);
    const proj = new Float32Array(dim * workDims);
    for (let i = 0; i < proj.length; i++) proj[i] = normal(rand);
    data = new Float32Array(n * workDims);
    for (let i = 0; i < n; i++) {
      const src = i * dim;
      const dst = i * workDims;
      for (let j = 0; j < dim; j++) {
        const v = vectors[src + j]!;
        if (v === 0) continue;
        const row = j * workDims;
        for (let c = 0; c < workDims; c++) data[dst + c]! += v * proj[row + c]!;
      }
    }
    d = workDims;
  } else data = Float32Array.from(vectors.subarray(0, n * dim));
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += data[i * d + c]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < d; c++) data[i * d + c]! *= inv;
  }
  return { data, d };
}

function dist2(a: Float32Array, ai: number, b: Float32Array, bi: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) {
    const t = a[ai + c]! - b[bi + c]!;
    s += t * t;
  }
  return s;
}

/** Mean distance to the m nearest other items among the candidate cells; missing neighbours count as far (2). */
/** Insert a squared distance `times` times into the ascending top-m list `best`. */
function insert(best: Float64Array, m: number, dd: number, times: number): void {
  for (let r = 0; r < times && dd < best[m - 1]!; r++) {
    let p = m - 1;
    while (p > 0 && best[p - 1]! > dd) {
      best[p] = best[p - 1]!;
      p--;
    }
    best[p] = dd;
  }
}

/** Mean distance from distinct vector i to its m nearest rows, each distinct vector counted `count` times. */
function knnMean(data: Float32Array, d: number, i: number, lists: [Int32Array, Float32Array][], m: number, best: Float64Array, count: Int32Array): number {
  best.fill(Infinity);
  // The other copies of this vector are its nearest neighbours, at distance 0.
  insert(best, m, 0, count[i]! - 1);
  const off = i * d;
  for (const [ids, block] of lists) {
    for (let t = 0; t < ids.length; t++) {
      if (ids[t] === i) continue;
      const limit = best[m - 1]!;
      const bo = t * d;
      let dd = 0;
      // Partial distance: stop as soon as it cannot beat the current m-th best.
      for (let c = 0; c < d; c += 8) {
        const e = Math.min(d, c + 8);
        for (let x = c; x < e; x++) {
          const v = data[off + x]! - block[bo + x]!;
          dd += v * v;
        }
        if (dd >= limit) break;
      }
      if (dd >= limit) continue;
      insert(best, m, dd, count[ids[t]!]!);
    }
  }
  let sum = 0;
  for (let p = 0; p < m; p++) sum += best[p] === Infinity ? 2 : Math.sqrt(best[p]!);
  return sum / m;
}

/** Coarse k-means, then fine k-means inside each coarse cluster; each item gets its nearest and second-nearest fine cell. */
function twoLevelCells(data: Float32Array, n: number, d: number, seed: number) {
  const target = Math.min(1024, Math.max(4, Math.round(Math.sqrt(2 * n))));
  const k1 = Math.max(2, Math.round(Math.sqrt(target)));
  const k2 = Math.max(2, Math.ceil(target / k1));
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const coarse = kmeans(data, d, all, k1, seed);
  const coarseOf = new Int32Array(n);
  for (let i = 0; i < n; i++) coarseOf[i] = nearestTwo(data, i * d, coarse, k1, d)[0];
  const groups = bucket(coarseOf, k1);
  const first = new Int32Array(n);
  const second = new Int32Array(n);
  let offset = 0;
  for (let g = 0; g < k1; g++) {
    const members = groups[g]!;
    if (members.length === 0) continue;
    const kg = Math.min(k2, members.length);
    const fine = kmeans(data, d, members, kg, seed + g + 1);
    for (const i of members) {
      const [a, b] = nearestTwo(data, i * d, fine, kg, d);
      first[i] = offset + a;
      second[i] = offset + b;
    }
    offset += kg;
  }
  return { first, second, k: offset };
}

function kmeans(data: Float32Array, d: number, members: Int32Array, k: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  // A fixed, seeded sample trains the centroids; every member is assigned afterwards.
  const count = members.length;
  const size = Math.min(count, SAMPLE);
  const sample = new Int32Array(size);
  const step = count / size;
  for (let s = 0; s < size; s++) sample[s] = members[Math.min(count - 1, Math.floor(s * step + rand() * step))]!;
  const cents = new Float32Array(k * d);
  // k-means++ seeding (Arthur & Vassilvitskii 2007).
  const first = sample[Math.floor(rand() * size)]!;
  cents.set(data.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(size).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let s = 0; s < size; s++) {
      const dd = dist2(data, sample[s]! * d, cents, (c - 1) * d, d);
      if (dd < closest[s]!) closest[s] = dd;
      total += closest[s]!;
    }
    let u = rand() * total;
    let pick = size - 1;
    for (let s = 0; s < size; s++) if ((u -= closest[s]!) <= 0) { pick = s; break; }
    cents.set(data.subarray(sample[pick]! * d, sample[pick]! * d + d), c * d);
  }
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let iter = 0; iter < 6; iter++) {
    sums.fill(0);
    counts.fill(0);
    for (let s = 0; s < size; s++) {
      const c = nearestTwo(data, sample[s]! * d, cents, k, d)[0];
      counts[c]!++;
      for (let x = 0; x < d; x++) sums[c * d + x]! += data[sample[s]! * d + x]!;
    }
    for (let c = 0; c < k; c++) if (counts[c]! > 0) for (let x = 0; x < d; x++) cents[c * d + x] = sums[c * d + x]! / counts[c]!;
  }
  return cents;
}

const pair: [number, number] = [0, 0];
/** Indices of the nearest and second-nearest centroid (the same when k = 1). Reuses one tuple: read at once. */
function nearestTwo(data: Float32Array, off: number, cents: Float32Array, k: number, d: number): [number, number] {
  let b1 = 0, b2 = 0, d1 = Infinity, d2 = Infinity;
  for (let c = 0; c < k; c++) {
    const dd = dist2(data, off, cents, c * d, d);
    if (dd < d1) { d2 = d1; b2 = b1; d1 = dd; b1 = c; } else if (dd < d2) { d2 = dd; b2 = c; }
  }
  pair[0] = b1;
  pair[1] = d2 === Infinity ? b1 : b2;
  return pair;
}

function bucket(labels: Int32Array, k: number): Int32Array[] {
  const counts = new Int32Array(k);
  for (const l of labels) counts[l]!++;
  const cells = Array.from({ length: k }, (_, c) => new Int32Array(counts[c]!));
  const fill = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) cells[labels[i]!]![fill[labels[i]!]!++] = i;
  return cells;
}

/** Average rank of each value, scaled to 0..1 (ties share a score). */
export function rankScores(values: ArrayLike<number>): number[] {
  const n = values.length;
  if (n <= 1) return Array.from({ length: n }, () => 0);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  const out = new Array<number>(n);
  for (let s = 0; s < n; ) {
    let e = s;
    while (e + 1 < n && values[order[e + 1]!] === values[order[s]!]) e++;
    const r = (s + e) / 2 / (n - 1);
    for (let t = s; t <= e; t++) out[order[t]!] = r;
    s = e + 1;
  }
  return out;
}
