import { hostileTests } from "./_hostile.ts";
import { CASES } from "./hostile/signals.ts";

hostileTests("signals", CASES);
