/**
 * Stand-ins for the 1Password CLI (`op`) and the macOS `security` tool, for tests. Each is a small
 * shell script written into a directory that the test puts first on PATH. They answer from files
 * the test writes, fail with the real tools' messages when an item is missing or nobody is signed
 * in, and log their arguments (so a test can check that no secret was passed in them).
 *
 * @example
 * ```ts
 * const bin = await Deno.makeTempDir();
 * await writeFakeOp(bin, { Private: { "Immich Backup B2": { encryption_password: "pw" } } });
 * const env = { PATH: `${bin}:${Deno.env.get("PATH")}` };
 * ```
 * @module
 */
import { join } from "node:path";

/** vault -> item title -> field -> value. */
export type OpItems = Record<string, Record<string, Record<string, string>>>;

const FAKE_OP = `#!/bin/sh
# Fake 1Password CLI written by photos-sync's tests.
here=$(dirname "$0")
printf '%s\\n' "$*" >> "$here/op-argv.log"
if [ -f "$here/op-signed-out" ]; then
  echo "[ERROR] 2025/01/01 10:00:00 You are not currently signed in. Please run \\\`op signin --help\\\` for instructions" >&2
  exit 1
fi
case "$1" in
  read)
    shift
    [ "$1" = "--no-newline" ] && shift
    ref="\${1#op://}"
    vault="\${ref%%/*}"; rest="\${ref#*/}"; item="\${rest%%/*}"; field="\${rest#*/}"
    if [ ! -d "$here/op-items/$vault" ]; then
      echo "[ERROR] 2025/01/01 10:00:00 could not read secret '$1': \\"$vault\\" isn't a vault in this account. Specify the vault with its ID or name." >&2
      exit 1
    fi
    if [ ! -d "$here/op-items/$vault/$item" ]; then
      echo "[ERROR] 2025/01/01 10:00:00 could not read secret '$1': \\"$item\\" isn't an item in the \\"$vault\\" vault. Specify the item with its UUID, name, or domain." >&2
      exit 1
    fi
    if [ ! -f "$here/op-items/$vault/$item/$field" ]; then
      echo "[ERROR] 2025/01/01 10:00:00 could not read secret '$1': item '$vault/$item' does not have a field '$field'" >&2
      exit 1
    fi
    cat "$here/op-items/$vault/$item/$field"
    ;;
  item)
    if [ "$2" != "create" ]; then echo "[ERROR] fake op: unsupported item command $2" >&2; exit 1; fi
    vault=""
    while [ $# -gt 0 ]; do
      case "$1" in --vault) vault="$2"; shift 2 ;; *) shift ;; esac
    done
    cat > "$here/op-created.json"
    title=$(sed -n 's/.*"title":"\\([^"]*\\)".*/\\1/p' "$here/op-created.json")
    dir="$here/op-items/$vault/$title"
    mkdir -p "$dir"
    { tr '{' '\\n' < "$here/op-created.json"; echo; } | sed -n 's/.*"label":"\\([^"]*\\)".*"value":"\\([^"]*\\)".*/\\1 \\2/p' |
      while read -r label value; do printf '%s' "$value" > "$dir/$label"; done
    echo '{"id":"fakeitem"}'
    ;;
  *)
    echo "[ERROR] fake op: unsupported command $1" >&2
    exit 1
    ;;
esac
`;

const FAKE_SECURITY = `#!/bin/sh
# Fake macOS security tool written by photos-sync's tests.
here=$(dirname "$0")
printf '%s\\n' "$*" >> "$here/security-argv.log"
[ "$1" = "find-generic-password" ] || { echo "fake security: unsupported $1" >&2; exit 2; }
shift
while [ $# -gt 0 ]; do
  case "$1" in -s) s="$2"; shift 2 ;; -a) a="$2"; shift 2 ;; *) shift ;; esac
done
if [ -f "$here/keychain/$s/$a" ]; then cat "$here/keychain/$s/$a"; echo; exit 0; fi
echo "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain." >&2
exit 44
`;

async function writeValues(root: string, tree: Record<string, Record<string, string>>): Promise<void> {
  for (const [group, fields] of Object.entries(tree)) {
    await Deno.mkdir(join(root, group), { recursive: true });
    for (const [field, value] of Object.entries(fields)) {
      await Deno.writeTextFile(join(root, group, field), value);
    }
  }
}

/** Writes a fake `op` into `bin` that knows these items. */
export async function writeFakeOp(bin: string, items: OpItems): Promise<void> {
  await Deno.writeTextFile(join(bin, "op"), FAKE_OP, { mode: 0o755 });
  for (const [vault, byItem] of Object.entries(items)) {
    await Deno.mkdir(join(bin, "op-items", vault), { recursive: true });
    await writeValues(join(bin, "op-items", vault), byItem);
  }
}

/** Makes the fake `op` answer like a CLI whose session expired (or `signedIn` to undo). */
export async function setOpSignedIn(bin: string, signedIn: boolean): Promise<void> {
  const flag = join(bin, "op-signed-out");
  if (signedIn) await Deno.remove(flag).catch(() => {});
  else await Deno.writeTextFile(flag, "");
}

/** Every command line the fake `op` was called with. */
export async function opCalls(bin: string): Promise<string[]> {
  return (await Deno.readTextFile(join(bin, "op-argv.log")).catch(() => "")).split("\n").filter(Boolean);
}

/** Writes a fake `security` into `bin` with these generic passwords: service -> account -> value. */
export async function writeFakeSecurity(
  bin: string,
  entries: Record<string, Record<string, string>>,
): Promise<void> {
  await Deno.writeTextFile(join(bin, "security"), FAKE_SECURITY, { mode: 0o755 });
  await writeValues(join(bin, "keychain"), entries);
}
