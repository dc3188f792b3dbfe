/**
 * Allocation statistics (issue #15, "Spend each human label where it teaches most"): the error model, active
 * inclusion probabilities, estimates that combine rounds, trust certificates and the budget planner. Pure
 * functions, no I/O, deterministic. Method: docs/methodology.md, "Active allocation, rounds and trust certificates".
 */
export * from "./errors";
export * from "./error-model";
export * from "./active";
export * from "./rounds";
export * from "./trust";
export * from "./planner";
