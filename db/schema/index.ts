export * from "./enums";
export * from "./users";
export * from "./campaigns";
export * from "./items";
export * from "./judgments";
export * from "./operations";
export * from "./design";
export * from "./jobs";
