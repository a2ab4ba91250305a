/**
 * The public contract for plugin authors. Import types from here; at run time a plugin needs
 * nothing from the host but its context (errors may be bundled in: the host classifies by `kind`).
 * @module
 */
export * from "./types.ts";
export * from "./errors.ts";
export type { OptionsOf, OptionSpec, OptionType, OptionValue, OptionValues } from "./options.ts";
export { optionValues } from "./options.ts";
export type * from "../model/mod.ts";
export { PlanBuilder } from "../model/plan.ts";
