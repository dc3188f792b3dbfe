/**
 * On the embedded database a job shares the app's event loop (and PGlite executes each statement synchronously
 * in WebAssembly). Long loops call `maybeYield()` between small slices of work: it gives the loop a turn
 * (setImmediate, so timers and I/O callbacks run) once `budgetMs` has passed since the last turn.
 */
export function yielder(budgetMs = 20): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}

export function yieldNow(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
