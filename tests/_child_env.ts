/**
 * What a test's child process started with `clearEnv: true` keeps of this process's environment
 * to reach the network: CA certificates, proxies, Deno's and npm's caches and registries (see
 * core/config/network_env.ts). Also the npm settings a test child may need to authenticate.
 * @module
 */
import { networkEnv as networkOf } from "../core/config/network_env.ts";

const TEST_ONLY = ["DENO_AUTH_TOKENS", "NPM_CONFIG_USERCONFIG", "npm_config_userconfig"];

/** The network variables set in this process, to spread into a child's `env`. */
export function networkEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  const out = networkOf(env);
  for (const name of TEST_ONLY) if (env[name]) out[name] = env[name];
  return out;
}
