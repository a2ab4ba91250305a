import { hostileTests } from "./_hostile.ts";
import { CASES } from "./hostile/input.ts";

hostileTests("input", CASES);
