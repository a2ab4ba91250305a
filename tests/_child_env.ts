/**
 * The variables a child process started with `clearEnv: true` still needs to reach the network
 * the way its parent does: CA certificates, proxies, and Deno's and npm's caches and registries.
 * Without them a child's first npm download fails on a fresh machine behind a TLS-inspecting
 * proxy ("invalid peer certificate: UnknownIssuer").
 * @module
 */

/** Names passed through, in both cases where tools read both (`https_proxy`, `HTTPS_PROXY`). */
export const NETWORK_ENV_NAMES: readonly string[] = [
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  "NODE_EXTRA_CA_CERTS",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
  "DENO_DIR",
  "DENO_AUTH_TOKENS",
  "NPM_CONFIG_REGISTRY",
  "npm_config_registry",
  "NPM_CONFIG_USERCONFIG",
  "npm_config_userconfig",
  "NPM_CONFIG_CAFILE",
  "npm_config_cafile",
  ...["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"].flatMap((n) => [n, n.toLowerCase()]),
];

/** The network variables set in this process, to spread into a child's `env`. */
export function networkEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of NETWORK_ENV_NAMES) {
    const value = Deno.env.get(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
