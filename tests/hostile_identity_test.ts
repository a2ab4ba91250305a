import { hostileTests } from "./_hostile.ts";
import { CASES } from "./hostile/identity.ts";

hostileTests("identity", CASES);
