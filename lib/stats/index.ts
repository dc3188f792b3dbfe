/**
 * Margin's statistics core: pure functions of arrays, no I/O, no clock, randomness only from a seed.
 */
export * from "./errors";
export * from "./normal";
export * from "./random";
export * from "./krippendorff";
export * from "./kappa";
export * from "./correlation";
export * from "./consensus";
export * from "./weighted";
export * from "./intervals";
export * from "./beta";
export * from "./table-bootstrap";
export * from "./multiple-testing";
