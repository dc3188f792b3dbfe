import { threadId } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { mulberry32, normal } from "@/lib/random";
import { computeTailScores, type TailInput } from "@/lib/tail/compute";
import { computeTailScoresOffThread } from "@/lib/tail/off-thread";

const row = (text: string, embedding: number[] | null = null): TailInput => ({ group: null, provided: null, text, embedding });

describe("tail scoring on a worker thread", () => {
  it("gives the in-thread scores for text, on another thread", async () => {
    const rand = mulberry32(3);
    const words = ["settings", "password", "account", "weather", "report", "contraseña", "tiempo", "ŋɔ́ŋɔ", "ⴰⵣⵓⵍ"];
    const rows = Array.from({ length: 3000 }, (_, i) => row(Array.from({ length: 6 }, () => words[Math.floor(rand() * words.length)]).join(" ") + (i % 7 ? "" : " repeated")));
    const off = await computeTailScoresOffThread("text", rows, 11);
    expect(off.threadId).not.toBeNull();
    expect(off.threadId).not.toBe(threadId);
    expect(off.scores).toEqual(computeTailScores("text", rows, 11));
  });

  it("gives the in-thread scores for embeddings, nulls for rows without the common length", async () => {
    const rand = mulberry32(5);
    const rows = Array.from({ length: 2500 }, (_, i) => row("", i % 50 === 0 ? null : i % 97 === 0 ? [1, 2] : Array.from({ length: 16 }, () => normal(rand))));
    const off = await computeTailScoresOffThread("embedding", rows, 2);
    expect(off.scores).toEqual(computeTailScores("embedding", rows, 2));
    expect(off.scores.filter((s) => s === null).length).toBe(rows.filter((r) => r.embedding?.length !== 16).length);
  });

  it("keeps the event loop free while 100k identical texts are scored", async () => {
    const rows = Array.from({ length: 100_000 }, () => row("the same pasted answer, again and again"));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const off = await computeTailScoresOffThread("text", rows, 1);
    clearInterval(timer);
    expect(off.scores).toHaveLength(100_000);
    expect(new Set(off.scores).size).toBe(1);
    // A blocked loop would fire the interval at most once, after the work; here it kept running alongside it.
    expect(ticks).toBeGreaterThan(3);
  });
});
