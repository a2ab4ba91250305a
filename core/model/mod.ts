/** The data model shared by sources, handlers, destinations and the engine. @module */
export * from "./asset.ts";
export * from "./plan.ts";
export * from "./policy.ts";
