import { hostileTests } from "./_hostile.ts";
import { CASES } from "./hostile/immich.ts";

hostileTests("immich", CASES);
