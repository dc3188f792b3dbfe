import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isTransient, retryDelayMs, untilAnswered, type ApiFailure } from "@/components/annotate/use-work-api";

const fail = (status: number, retryAfterS?: number) => ({ ok: false as const, error: { status, code: "x", message: `status ${status}`, retryAfterS } satisfies ApiFailure });

describe("retryDelayMs", () => {
  it("backs off 1, 2, 4, 8 s and never waits over 10 s", () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((a) => retryDelayMs(a))).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });
  it("honours Retry-After, bounded to [0.5 s, 10 s]", () => {
    expect(retryDelayMs(1, 2)).toBe(2000);
    expect(retryDelayMs(7, 0)).toBe(500);
    expect(retryDelayMs(1, 3600)).toBe(10000);
  });
});

describe("untilAnswered", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("treats network loss and 502/503/504 as transient, nothing else", () => {
    expect([0, 502, 503, 504].every((s) => isTransient(fail(s).error))).toBe(true);
    expect([400, 401, 403, 404, 409, 413, 429, 500].some((s) => isTransient(fail(s).error))).toBe(false);
  });

  it("sends the same request until a live answer, reporting each wait", async () => {
    const answers = [fail(0), fail(503, 2), fail(504), { ok: true as const, data: { id: 7 } }];
    const request = vi.fn(async () => answers.shift()!);
    const waits: [number, number][] = [];
    const done = untilAnswered(request, (a, d) => waits.push([a, d]));
    await vi.runAllTimersAsync();
    await expect(done).resolves.toEqual({ ok: true, data: { id: 7 } });
    expect(request).toHaveBeenCalledTimes(4);
    expect(waits).toEqual([[1, 1000], [2, 2000], [3, 4000]]);
  });

  it("stops at a refusal: a 409 is an answer, not an outage", async () => {
    const request = vi.fn(async () => fail(409));
    const onWait = vi.fn();
    await expect(untilAnswered(request, onWait)).resolves.toMatchObject({ ok: false, error: { status: 409 } });
    expect(request).toHaveBeenCalledTimes(1);
    expect(onWait).not.toHaveBeenCalled();
  });

  it("gives up waiting when the page goes away", async () => {
    const c = new AbortController();
    const request = vi.fn(async () => fail(503));
    const done = untilAnswered(request, () => c.abort(), c.signal);
    await vi.runAllTimersAsync();
    await expect(done).resolves.toMatchObject({ ok: false, error: { status: 503 } });
    expect(request).toHaveBeenCalledTimes(1);
  });
});
