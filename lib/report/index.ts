export * from "./types";
export * from "./params";
export * from "./assemble";
export * from "./compute";
