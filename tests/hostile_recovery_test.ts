import { hostileTests } from "./_hostile.ts";
import { CASES } from "./hostile/recovery.ts";

hostileTests("recovery", CASES);
