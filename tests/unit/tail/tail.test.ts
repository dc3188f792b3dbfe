import { describe, expect, it } from "vitest";
import { mulberry32, normal } from "@/lib/random";
import { routeItems } from "@/lib/routing/route-items";
import { computeTailScores } from "@/lib/tail/compute";
import { textRarityScores, textVectors } from "@/lib/tail/text-rarity";
import { rankScores, vectorRarityScores } from "@/lib/tail/vector-rarity";

describe("group rarity through computeTailScores", () => {
  it("matches a hand-computed example: 5 en, 3 es, 2 fo (n = 10)", () => {
    const groups = ["en", "en", "en", "en", "en", "es", "es", "es", "fo", "fo"];
    const s = computeTailScores("group", groups.map((group) => ({ group, provided: null, text: "", embedding: null })));
    // en: nothing more frequent → 0; es: the 5 en items → 0.5; fo: 5 en + 3 es → 0.8.
    expect(s).toEqual([0, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0.8, 0.8]);
  });
  it("keeps provided scores as they are", () => {
    expect(computeTailScores("provided", [{ group: null, provided: 0.3, text: "", embedding: null }, { group: null, provided: null, text: "", embedding: null }])).toEqual([0.3, null]);
  });
});

const english = [
  "How do I reset my password? Open settings and choose account.",
  "Where can I change my email address? Go to the profile page.",
  "The weather today is sunny with a light breeze in the afternoon.",
  "Please send the report to the team before the meeting on Monday.",
  "Open the settings page and choose the option you need to change.",
  "The quick brown fox jumps over the lazy dog near the river bank.",
];
const spanish = ["¿Cómo cambio mi contraseña? Abre la configuración y elige cuenta.", "El tiempo hoy es soleado con una brisa ligera por la tarde."];

describe("text rarity (hashed character 3-grams)", () => {
  const texts = [...Array.from({ length: 60 }, (_, i) => `${english[i % english.length]} (${i})`), ...spanish, "როგორ აღვადგინო პაროლი? გახსენით პარამეტრები და აირჩიეთ ანგარიში."];

  it("puts a rare-script item above every common-script one", () => {
    const s = textRarityScores(texts);
    const georgian = s.at(-1)!;
    expect(georgian).toBeGreaterThan(0.95);
    expect(Math.max(...s.slice(0, 60))).toBeLessThan(georgian);
    for (const x of s) expect(x >= 0 && x <= 1).toBe(true);
  });
  it("is deterministic and needs no model: same text, same vector", () => {
    expect(textRarityScores(texts)).toEqual(textRarityScores(texts));
    expect(Array.from(textVectors(["abc"]))).toEqual(Array.from(textVectors(["abc"])));
  });
});

describe("embedding rarity (kNN distance, IVF cells above 2,000 items)", () => {
  function clusters(n: number, dim: number, seed: number) {
    const rand = mulberry32(seed);
    const centres = Array.from({ length: 8 }, () => Array.from({ length: dim }, () => normal(rand)));
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) data[i * dim + d] = centres[i % 8]![d]! + 0.15 * normal(rand);
    return data;
  }
  it("scores isolated vectors as the rarest, in exact and in approximate mode", () => {
    for (const n of [500, 6000]) {
      const dim = 384;
      const data = clusters(n, dim, 7);
      const rand = mulberry32(99);
      // Three outliers in random directions.
      for (const i of [3, 10, 17]) for (let d = 0; d < dim; d++) data[i * dim + d] = normal(rand);
      const s = vectorRarityScores(data, n, dim, { seed: 5 });
      for (const i of [3, 10, 17]) expect(s[i]!).toBeGreaterThan(0.99);
      expect(vectorRarityScores(data, n, dim, { seed: 5 })).toEqual(s);
    }
  }, 120_000);
  it("leaves items without a vector unscored", () => {
    const rows = [{ embedding: [1, 0] }, { embedding: null }, { embedding: [0, 1] }, { embedding: [1, 0.1] }].map((r) => ({ group: null, provided: null, text: "", ...r }));
    const s = computeTailScores("embedding", rows);
    expect(s[1]).toBeNull();
    expect(s.filter((x) => x !== null)).toHaveLength(3);
  });
  it("ranks ties equally", () => {
    expect(rankScores([3, 1, 3, 2])).toEqual([(2 + 3) / 2 / 3, 0, (2 + 3) / 2 / 3, 1 / 3]);
  });
});

describe("routing over 100k items", () => {
  const policy = { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 };
  const rand = mulberry32(3);
  const items = Array.from({ length: 100_000 }, (_, i) => ({ key: `it-${i}`, confidence: 0.3 + 0.7 * rand(), tail: rand() }));

  it("gives π = 1 to threshold items and π = p to the rest; the control rate is within 3 SE of p", () => {
    const d = routeItems(items, policy, "bench-seed");
    let rest = 0;
    let drawn = 0;
    items.forEach((it, i) => {
      const target = it.confidence < 0.6 || it.tail >= 0.8;
      if (target) expect(d[i]).toMatchObject({ pi: 1, routed: true });
      else {
        expect(d[i]!.pi).toBe(0.1);
        rest++;
        if (d[i]!.routed) drawn++;
      }
    });
    const se = Math.sqrt((0.1 * 0.9) / rest);
    expect(Math.abs(drawn / rest - 0.1)).toBeLessThan(3 * se);
  });
  it("same seed ⇒ same routing", () => {
    expect(routeItems(items.slice(0, 5000), policy, "s")).toEqual(routeItems(items.slice(0, 5000), policy, "s"));
  });
});

describe("vector rarity with duplicates", () => {
  it("scores exactly as a brute-force kNN over every row, duplicates searched once with their multiplicity", () => {
    const rand = mulberry32(11);
    const dim = 8;
    const base = Array.from({ length: 40 }, () => Array.from({ length: dim }, () => rand() * 2 - 1));
    // 300 rows: 100 distinct-ish, 200 copies of five of them.
    const rows = [...base, ...Array.from({ length: 60 }, () => Array.from({ length: dim }, () => rand() * 2 - 1)), ...Array.from({ length: 200 }, (_, i) => base[i % 5]!)];
    const data = Float32Array.from(rows.flat());
    const got = vectorRarityScores(data, rows.length, dim, { neighbours: 5 });
    // Brute force in the same geometry: L2-normalised float32 rows, the mean of the 5 smallest distances.
    const norm = rows.map((r) => {
      const f = Float32Array.from(r);
      let s = 0;
      for (const x of f) s += x * x;
      const inv = 1 / Math.sqrt(s);
      return f.map((x) => x * inv);
    });
    const raw = norm.map((a, i) => {
      const ds = norm.flatMap((b, j) => (i === j ? [] : [a.reduce((s, x, c) => s + (x - b[c]!) ** 2, 0)])).sort((x, y) => x - y);
      return ds.slice(0, 5).reduce((s, x) => s + Math.sqrt(x), 0) / 5;
    });
    const want = rankScores(raw);
    got.forEach((g, i) => expect(g, `row ${i}`).toBeCloseTo(want[i]!, 12));
    // The many copies are the least rare.
    expect(got[rows.length - 1]).toBeLessThan(0.35);
  });
});
