/**
 * The variables a process needs to reach the network the way the user's shell does: CA
 * certificates, proxies, and Deno's and npm's caches and registries. A child started with a
 * cleared environment, or a background job (launchd and systemd start jobs without the login
 * shell's variables), gets these passed on; without them its first download fails behind a
 * TLS-inspecting proxy ("invalid peer certificate: UnknownIssuer").
 *
 * @example
 * ```ts
 * new Deno.Command(deno, { env: { ...networkEnv(Deno.env.toObject()), PATH }, clearEnv: true });
 * ```
 * @module
 */

/** Names passed on, in both cases where tools read both (`https_proxy`, `HTTPS_PROXY`). */
export const NETWORK_ENV_NAMES: readonly string[] = [
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  "NODE_EXTRA_CA_CERTS",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
  "DENO_DIR",
  "NPM_CONFIG_REGISTRY",
  "npm_config_registry",
  "NPM_CONFIG_CAFILE",
  "npm_config_cafile",
  ...["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"].flatMap((n) => [n, n.toLowerCase()]),
];

/** The network variables set in `env`. */
export function networkEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of NETWORK_ENV_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== "") out[name] = value;
  }
  return out;
}
