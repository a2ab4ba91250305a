/**
 * Keeps secrets out of everything the tool prints, logs or stores. Every secret value the config
 * resolves is added here; every line of output passes through {@link Redactor.redact}.
 *
 * @example
 * ```ts
 * const r = new Redactor(); r.add("s3cr3t-key");
 * r.redact("401 for key s3cr3t-key"); // "401 for key ***"
 * ```
 * @module
 */
import { MIN_SECRET_LENGTH } from "../plugin/options.ts";

export class Redactor {
  readonly #secrets = new Set<string>();

  /**
   * Registers a secret. Values shorter than {@link MIN_SECRET_LENGTH} are not masked: no secret
   * option accepts one, so only non-secret fields (a bucket name handed over with the keys) are that short.
   */
  add(secret: string | undefined): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH) this.#secrets.add(secret);
  }

  has(text: string): boolean {
    for (const s of this.#secrets) if (text.includes(s)) return true;
    return false;
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const s of [...this.#secrets].sort((a, b) => b.length - a.length)) out = out.replaceAll(s, "***");
    return out;
  }
}
