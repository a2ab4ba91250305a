import { hostileTests } from "./_hostile.ts";
import { CASES } from "./hostile/secrets.ts";

hostileTests("secrets", CASES);
