/*
 * A test double of libPhotosBridge: the ABI of swift/Sources/CPhotosBridge/include/photos_bridge.h
 * implemented over a JSON fixture instead of PhotoKit, so that the tests on Linux exercise every
 * byte that crosses the FFI boundary: JSON in and out, malloc'd strings released by psb_free,
 * calls that block (they must not block Deno's event loop), progress callbacks from other threads,
 * cancellation by token, timeouts and every error path.
 *
 * The fixture is the file `fixture.json` next to the loaded library (found with dladdr), so two
 * copies of the library in two folders are two independent "Photos libraries" in one process:
 *
 *   {"authorization": "authorized" | "limited" | "denied" | "restricted" | "not_determined",
 *    "promptResult": status a prompt turns "not_determined" into (default "authorized"),
 *    "declineChanges": bool (write, delete and create fail with "declined"),
 *    "persist": bool (every change is written back to fixture.json, own keys kept, so that the next
 *               process loading it sees what earlier ones did, as Photos keeps its library on disk;
 *               the tests that run the CLI as a process, and kill it, need that),
 *    "dieAfter": {"delete": n, "create": n} (the process kills itself with SIGKILL right after the
 *               n-th such call of its lifetime made and persisted its change: a CLI killed after
 *               Photos did the work and before it heard back),
 *    "automation": "denied" (writing title, caption or keywords fails with "automation_denied"),
 *    "albums": [{"localIdentifier", "title", "folders", "kind": "regular" | "smart" | "shared"}]
 *              (the albums psb_write may name; an album listed on an asset counts as regular),
 *    "history": {"changes": [{"object": "asset" | "album", "change": "inserted" | "updated" |
 *                             "deleted", "id": "<local identifier>"}...],
 *                "expiredBefore": n (tokens older than the n-th change are expired)},
 *    "assets": [asset as psb_list returns it, where each resource may also carry
 *               "_file": path of its bytes, "_cloudOnly": bool (needs the network; downloading
 *               reports progress from another thread), "_stall": bool (never delivers data: the
 *               call waits for psb_cancel or its timeout), "_fail": "network"]}
 *
 * Keys that start with "_" are the fixture's own and never appear in a response. Changes made
 * through the ABI (write, delete, create, download) live in memory for the library's lifetime.
 * Each one is appended to history.changes, as Photos records it, so psb_history replays the log the
 * fixture began with and then what the calls changed; a token is "fx-history:<position in the log>".
 * Title, caption and keywords, which PhotoKit does not list, are what Photos' scripting interface
 * keeps: psb_write writes them to `scripting.json` beside the fixture ({"<local identifier>":
 * {"title", "caption", "keywords"}}), for the tests to read. What psb_create made (every file's
 * bytes, every fact it was given) is in `library.json` and `library/` beside the fixture: see
 * psb_create below.
 *
 * Built by the tests: cc -shared -fPIC -pthread -I<include dir> fixture_bridge.c -o <dir>/lib.so
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "photos_bridge.h"

#ifndef FIXTURE_ABI_VERSION
#define FIXTURE_ABI_VERSION PSB_ABI_VERSION /* the tests override it to check the version guard */
#endif

/* ---------------------------------------------------------------------------------------------
 * JSON values */

typedef enum { JNULL, JBOOL, JNUM, JSTR, JARR, JOBJ } jkind;

typedef struct jval {
  jkind kind;
  int b;
  double n;
  char *s;
  size_t len, cap;
  struct jval **items; /* array items or object values */
  char **keys;         /* object keys */
} jval;

static jval *jnew(jkind kind) {
  jval *v = calloc(1, sizeof *v);
  if (!v) abort();
  v->kind = kind;
  return v;
}

static void jfree(jval *v) {
  if (!v) return;
  for (size_t i = 0; i < v->len; i++) {
    jfree(v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->s);
  free(v);
}

static void jpush(jval *container, char *key, jval *item) {
  if (container->len == container->cap) {
    container->cap = container->cap ? container->cap * 2 : 8;
    container->items = realloc(container->items, container->cap * sizeof *container->items);
    if (container->kind == JOBJ) container->keys = realloc(container->keys, container->cap * sizeof(char *));
    if (!container->items || (container->kind == JOBJ && !container->keys)) abort();
  }
  if (container->kind == JOBJ) container->keys[container->len] = key;
  container->items[container->len++] = item;
}

static jval *jstrv(const char *s) {
  jval *v = jnew(JSTR);
  v->s = strdup(s);
  return v;
}

typedef struct {
  const char *p;
  int failed;
} parser;

static void skip_ws(parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t') ps->p++;
}

static void put_utf8(char **out, unsigned cp) {
  unsigned char *o = (unsigned char *)*out;
  if (cp < 0x80) *o++ = cp;
  else if (cp < 0x800) *o++ = 0xC0 | (cp >> 6), *o++ = 0x80 | (cp & 0x3F);
  else if (cp < 0x10000) *o++ = 0xE0 | (cp >> 12), *o++ = 0x80 | ((cp >> 6) & 0x3F), *o++ = 0x80 | (cp & 0x3F);
  else
    *o++ = 0xF0 | (cp >> 18), *o++ = 0x80 | ((cp >> 12) & 0x3F), *o++ = 0x80 | ((cp >> 6) & 0x3F),
    *o++ = 0x80 | (cp & 0x3F);
  *out = (char *)o;
}

static unsigned hex4(parser *ps) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = *ps->p++;
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else ps->failed = 1;
  }
  return v;
}

static char *parse_string(parser *ps) {
  if (*ps->p != '"') return ps->failed = 1, NULL;
  ps->p++;
  /* Escapes only shrink, so the raw length bounds the decoded one (\uXXXX: 6 bytes -> <= 4). */
  const char *end = ps->p;
  while (*end && *end != '"') end += (*end == '\\' && end[1]) ? 2 : 1;
  char *out = malloc((size_t)(end - ps->p) + 1), *o = out;
  if (!out) abort();
  while (*ps->p && *ps->p != '"') {
    char c = *ps->p++;
    if (c != '\\') {
      *o++ = c;
      continue;
    }
    c = *ps->p++;
    switch (c) {
      case 'n': *o++ = '\n'; break;
      case 't': *o++ = '\t'; break;
      case 'r': *o++ = '\r'; break;
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'u': {
        unsigned cp = hex4(ps);
        if (cp >= 0xD800 && cp < 0xDC00 && ps->p[0] == '\\' && ps->p[1] == 'u') {
          ps->p += 2;
          unsigned low = hex4(ps);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        put_utf8(&o, cp);
        break;
      }
      default: *o++ = c;
    }
  }
  if (*ps->p != '"') ps->failed = 1;
  else ps->p++;
  *o = 0;
  return out;
}

static jval *parse_value(parser *ps, int depth) {
  skip_ws(ps);
  if (depth > 64) return ps->failed = 1, NULL;
  char c = *ps->p;
  if (c == '{' || c == '[') {
    jval *v = jnew(c == '{' ? JOBJ : JARR);
    char close = c == '{' ? '}' : ']';
    ps->p++;
    skip_ws(ps);
    if (*ps->p == close) return ps->p++, v;
    for (;;) {
      char *key = NULL;
      if (v->kind == JOBJ) {
        skip_ws(ps);
        key = parse_string(ps);
        skip_ws(ps);
        if (ps->failed || *ps->p++ != ':') return free(key), jfree(v), ps->failed = 1, NULL;
      }
      jval *item = parse_value(ps, depth + 1);
      if (ps->failed) return free(key), jfree(item), jfree(v), NULL;
      jpush(v, key, item);
      skip_ws(ps);
      if (*ps->p == ',') {
        ps->p++;
        continue;
      }
      if (*ps->p == close) return ps->p++, v;
      return jfree(v), ps->failed = 1, NULL;
    }
  }
  if (c == '"') {
    jval *v = jnew(JSTR);
    v->s = parse_string(ps);
    return v;
  }
  if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
    jval *v = jnew(JBOOL);
    v->b = *ps->p == 't';
    ps->p += v->b ? 4 : 5;
    return v;
  }
  if (!strncmp(ps->p, "null", 4)) return ps->p += 4, jnew(JNULL);
  char *end;
  double n = strtod(ps->p, &end);
  if (end == ps->p) return ps->failed = 1, NULL;
  ps->p = end;
  jval *v = jnew(JNUM);
  v->n = n;
  return v;
}

static jval *jparse(const char *text) {
  if (!text) return NULL;
  parser ps = {text, 0};
  jval *v = parse_value(&ps, 0);
  skip_ws(&ps);
  if (ps.failed || *ps.p) return jfree(v), NULL;
  return v;
}

static jval *jget(const jval *obj, const char *key) {
  if (!obj || obj->kind != JOBJ) return NULL;
  for (size_t i = 0; i < obj->len; i++)
    if (!strcmp(obj->keys[i], key)) return obj->items[i];
  return NULL;
}

static const char *jstr(const jval *obj, const char *key) {
  jval *v = jget(obj, key);
  return v && v->kind == JSTR ? v->s : NULL;
}

static int jbool(const jval *obj, const char *key) {
  jval *v = jget(obj, key);
  return v && v->kind == JBOOL && v->b;
}

static double jnum(const jval *obj, const char *key, double fallback) {
  jval *v = jget(obj, key);
  return v && v->kind == JNUM ? v->n : fallback;
}

static void jset(jval *obj, const char *key, jval *value) {
  for (size_t i = 0; i < obj->len; i++) {
    if (!strcmp(obj->keys[i], key)) {
      jfree(obj->items[i]);
      obj->items[i] = value;
      return;
    }
  }
  jpush(obj, strdup(key), value);
}

/* ---------------------------------------------------------------------------------------------
 * Output strings, and the bookkeeping behind psb_free and psb_outstanding */

typedef struct {
  char *buf;
  size_t len, cap;
} sbuf;

static void sb_grow(sbuf *sb, size_t more) {
  if (sb->len + more + 1 <= sb->cap) return;
  while (sb->len + more + 1 > sb->cap) sb->cap = sb->cap ? sb->cap * 2 : 256;
  sb->buf = realloc(sb->buf, sb->cap);
  if (!sb->buf) abort();
}

static void sb_put(sbuf *sb, const char *s) {
  size_t n = strlen(s);
  sb_grow(sb, n);
  memcpy(sb->buf + sb->len, s, n + 1);
  sb->len += n;
}

static void sb_printf(sbuf *sb, const char *fmt, ...) {
  va_list ap, copy;
  va_start(ap, fmt);
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  sb_grow(sb, (size_t)n);
  vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
  sb->len += (size_t)n;
  va_end(ap);
}

static void sb_str(sbuf *sb, const char *s) {
  sb_put(sb, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') sb_printf(sb, "\\%c", *p);
    else if (*p < 0x20) sb_printf(sb, "\\u%04x", *p);
    else {
      char c[2] = {(char)*p, 0};
      sb_put(sb, c);
    }
  }
  sb_put(sb, "\"");
}

/* Writes a value; keys starting with "_" are the fixture's own and are left out unless `own_keys`. */
static void sb_value(sbuf *sb, const jval *v, int own_keys) {
  switch (v->kind) {
    case JNULL: sb_put(sb, "null"); break;
    case JBOOL: sb_put(sb, v->b ? "true" : "false"); break;
    case JNUM:
      if (v->n == floor(v->n) && fabs(v->n) < 9007199254740992.0) sb_printf(sb, "%lld", (long long)v->n);
      else sb_printf(sb, "%.17g", v->n);
      break;
    case JSTR: sb_str(sb, v->s); break;
    case JARR:
    case JOBJ: {
      sb_put(sb, v->kind == JARR ? "[" : "{");
      int first = 1;
      for (size_t i = 0; i < v->len; i++) {
        if (v->kind == JOBJ && v->keys[i][0] == '_' && !own_keys) continue;
        if (!first) sb_put(sb, ",");
        first = 0;
        if (v->kind == JOBJ) {
          sb_str(sb, v->keys[i]);
          sb_put(sb, ":");
        }
        sb_value(sb, v->items[i], own_keys);
      }
      sb_put(sb, v->kind == JARR ? "]" : "}");
      break;
    }
  }
}

static void sb_json(sbuf *sb, const jval *v) { sb_value(sb, v, 0); }

static pthread_mutex_t alloc_lock = PTHREAD_MUTEX_INITIALIZER;
static char **live_strings;
static size_t live_count, live_cap;
static int64_t open_cursors;

/* Hands a finished buffer to the caller, remembering it until psb_free. */
static char *give(sbuf *sb) {
  if (!sb->buf) sb_put(sb, "");
  pthread_mutex_lock(&alloc_lock);
  if (live_count == live_cap) {
    live_cap = live_cap ? live_cap * 2 : 64;
    live_strings = realloc(live_strings, live_cap * sizeof *live_strings);
    if (!live_strings) abort();
  }
  live_strings[live_count++] = sb->buf;
  pthread_mutex_unlock(&alloc_lock);
  return sb->buf;
}

static char *ok_result(sbuf *result) {
  sbuf out = {0};
  sb_put(&out, "{\"ok\":true,\"result\":");
  sb_put(&out, result->buf ? result->buf : "{}");
  sb_put(&out, "}");
  free(result->buf);
  return give(&out);
}

static char *error_result(const char *code, const char *fmt, ...) {
  char message[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  sbuf out = {0};
  sb_put(&out, "{\"ok\":false,\"error\":{\"code\":");
  sb_str(&out, code);
  sb_put(&out, ",\"message\":");
  sb_str(&out, message);
  sb_put(&out, "}}");
  return give(&out);
}

int32_t psb_abi_version(void) { return FIXTURE_ABI_VERSION; }

void psb_free(char *string) {
  if (!string) return;
  pthread_mutex_lock(&alloc_lock);
  for (size_t i = 0; i < live_count; i++) {
    if (live_strings[i] == string) {
      live_strings[i] = live_strings[--live_count];
      pthread_mutex_unlock(&alloc_lock);
      free(string);
      return;
    }
  }
  pthread_mutex_unlock(&alloc_lock);
  /* A double free or a foreign pointer: in the real library this would corrupt the heap. */
  fprintf(stderr, "fixture_bridge: psb_free of a pointer it did not hand out (%p)\n", (void *)string);
  abort();
}

int64_t psb_outstanding(void) {
  pthread_mutex_lock(&alloc_lock);
  int64_t n = (int64_t)live_count + open_cursors;
  pthread_mutex_unlock(&alloc_lock);
  return n;
}

/* ---------------------------------------------------------------------------------------------
 * Tokens: running calls and cancels that arrived before their call */

#define MAX_CALLS 256
static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  uint64_t token;
  int cancelled;
} calls[MAX_CALLS];
static uint64_t early_cancels[64];
static size_t early_next;

/* Returns 0 when the token was cancelled before its call began. */
static int call_begin(uint64_t token) {
  pthread_mutex_lock(&call_lock);
  for (size_t i = 0; i < 64; i++) {
    if (early_cancels[i] == token) {
      early_cancels[i] = 0;
      pthread_mutex_unlock(&call_lock);
      return 0;
    }
  }
  for (size_t i = 0; i < MAX_CALLS; i++) {
    if (calls[i].token == 0) {
      calls[i].token = token;
      calls[i].cancelled = 0;
      break;
    }
  }
  pthread_mutex_unlock(&call_lock);
  return 1;
}

static void call_end(uint64_t token) {
  pthread_mutex_lock(&call_lock);
  for (size_t i = 0; i < MAX_CALLS; i++)
    if (calls[i].token == token) calls[i].token = 0;
  pthread_mutex_unlock(&call_lock);
}

static int call_cancelled(uint64_t token) {
  int cancelled = 0;
  pthread_mutex_lock(&call_lock);
  for (size_t i = 0; i < MAX_CALLS; i++)
    if (calls[i].token == token) cancelled = calls[i].cancelled;
  pthread_mutex_unlock(&call_lock);
  return cancelled;
}

int32_t psb_cancel(uint64_t token) {
  int32_t found = 0;
  pthread_mutex_lock(&call_lock);
  for (size_t i = 0; i < MAX_CALLS; i++) {
    if (token != 0 && calls[i].token == token) {
      calls[i].cancelled = 1;
      found = 1;
    }
  }
  if (!found && token != 0) early_cancels[early_next++ % 64] = token;
  pthread_mutex_unlock(&call_lock);
  return found;
}

/* ---------------------------------------------------------------------------------------------
 * The fixture library */

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static jval *fixture;     /* the parsed fixture.json */
static char load_error[1200];
static char fixture_dir[1024]; /* the folder of fixture.json, where scripting.json is written */
static int created_count, albums_created;
static void save_library(void); /* library.json: what psb_create made (see psb_create) */

/* Ends the process as "dieAfter" says, once the change of the call (`delete`, `create`) is persisted. */
static void die_if_due(const char *call, int *count) {
  double due = jnum(jget(fixture, "dieAfter"), call, 0);
  if (due > 0 && ++*count >= (int)due) raise(SIGKILL);
}

/* Where the numbering of created assets and albums stands in a fixture a persisting twin wrote. */
static void restore_counts(void) {
  jval *assets = jget(fixture, "assets"), *albums = jget(fixture, "albums");
  for (size_t i = 0; i < assets->len; i++)
    if (jget(assets->items[i], "_created")) created_count++;
  for (size_t i = 0; albums && albums->kind == JARR && i < albums->len; i++) {
    const char *lid = jstr(albums->items[i], "localIdentifier");
    if (lid && !strncmp(lid, "A1B0C0DE-", 9)) albums_created++;
  }
}

/* With "persist", writes the whole state back to fixture.json (through a rename, so a process
 * killed meanwhile leaves the old state or the new, never half); state_lock held. */
static void persist(void) {
  if (!jbool(fixture, "persist")) return;
  sbuf out = {0};
  sb_value(&out, fixture, 1);
  char path[1100], temp[1200];
  snprintf(path, sizeof path, "%s/fixture.json", fixture_dir);
  snprintf(temp, sizeof temp, "%s.tmp", path);
  FILE *f = fopen(temp, "wb");
  if (f) {
    fputs(out.buf, f);
    fclose(f);
    rename(temp, path);
  }
  free(out.buf);
}

/* Loads fixture.json from the library's own folder on first use; call with state_lock held. */
static int ensure_loaded(void) {
  if (fixture) return 1;
  if (load_error[0]) return 0;
  Dl_info info;
  if (!dladdr((void *)&psb_abi_version, &info) || !info.dli_fname) {
    snprintf(load_error, sizeof load_error, "dladdr cannot locate the fixture library");
    return 0;
  }
  char path[1024];
  snprintf(path, sizeof path, "%s", info.dli_fname);
  char *slash = strrchr(path, '/');
  snprintf(fixture_dir, sizeof fixture_dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
  snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "fixture.json");
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(load_error, sizeof load_error, "cannot open %s: %s", path, strerror(errno));
    return 0;
  }
  sbuf text = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk - 1, f)) > 0) {
    chunk[n] = 0;
    sb_put(&text, chunk);
  }
  fclose(f);
  fixture = jparse(text.buf);
  free(text.buf);
  if (!fixture || !jget(fixture, "assets") || jget(fixture, "assets")->kind != JARR) {
    jfree(fixture);
    fixture = NULL;
    snprintf(load_error, sizeof load_error, "%s is not a fixture (needs an \"assets\" array)", path);
    return 0;
  }
  restore_counts();
  return 1;
}

static const char *status_now(void) {
  const char *status = jstr(fixture, "authorization");
  return status ? status : "authorized";
}

/* Everything but psb_authorize needs a loaded fixture and granted access; state_lock held. */
static char *check_access(void) {
  if (!ensure_loaded()) return error_result("internal", "%s", load_error);
  const char *status = status_now();
  if (strcmp(status, "authorized") && strcmp(status, "limited"))
    return error_result("not_authorized", "Photos access is %s", status);
  return NULL;
}

/* "UUID" and "UUID/L0/001" name the same asset. */
static int same_id(const char *local_identifier, const char *requested) {
  size_t n = strcspn(requested, "/");
  return !strncmp(local_identifier, requested, n) && (local_identifier[n] == '/' || !local_identifier[n]) &&
         (requested[n] == 0 || !strcmp(local_identifier, requested));
}

static jval *find_asset(const char *id) {
  jval *assets = jget(fixture, "assets");
  for (size_t i = 0; i < assets->len; i++) {
    jval *a = assets->items[i];
    const char *lid = jstr(a, "localIdentifier");
    if (lid && !jbool(a, "_deleted") && same_id(lid, id)) return a;
  }
  return NULL;
}

static int in_list(const jval *list, const char *s) {
  for (size_t i = 0; list && list->kind == JARR && i < list->len; i++)
    if (list->items[i]->kind == JSTR && !strcmp(list->items[i]->s, s)) return 1;
  return 0;
}

/* The resource of `asset` whose type is one of `types` and whose filename is `filename`. */
static jval *find_resource(jval *asset, const jval *types, const char *filename) {
  jval *resources = jget(asset, "resources");
  for (size_t i = 0; resources && i < resources->len; i++) {
    jval *r = resources->items[i];
    const char *type = jstr(r, "type"), *name = jstr(r, "filename");
    if (type && name && filename && in_list(types, type) && !strcmp(name, filename)) return r;
  }
  return NULL;
}

/* history.changes, created on first use; state_lock held. */
static jval *change_log(void) {
  jval *history = jget(fixture, "history");
  if (!history || history->kind != JOBJ) {
    history = jnew(JOBJ);
    jset(fixture, "history", history);
  }
  jval *changes = jget(history, "changes");
  if (!changes || changes->kind != JARR) {
    changes = jnew(JARR);
    jset(history, "changes", changes);
  }
  return changes;
}

/* Records one change as Photos' persistent history would; state_lock held. */
static void log_change(const char *object, const char *change, const char *id) {
  jval *entry = jnew(JOBJ);
  jset(entry, "object", jstrv(object));
  jset(entry, "change", jstrv(change));
  jset(entry, "id", jstrv(id));
  jpush(change_log(), NULL, entry);
}

/* ---------------------------------------------------------------------------------------------
 * psb_authorize */

char *psb_authorize(const char *request) {
  jval *req = jparse(request);
  if (!req) return error_result("bad_request", "psb_authorize: the request is not JSON");
  pthread_mutex_lock(&state_lock);
  char *failure = ensure_loaded() ? NULL : error_result("internal", "%s", load_error);
  if (!failure && jbool(req, "prompt") && !strcmp(status_now(), "not_determined")) {
    const char *answer = jstr(fixture, "promptResult");
    jset(fixture, "authorization", jstrv(answer ? answer : "authorized"));
  }
  sbuf result = {0};
  if (!failure) {
    sb_put(&result, "{\"status\":");
    sb_str(&result, status_now());
    sb_put(&result, "}");
  }
  pthread_mutex_unlock(&state_lock);
  jfree(req);
  return failure ? failure : ok_result(&result);
}

/* ---------------------------------------------------------------------------------------------
 * psb_list */

#define MAX_CURSORS 64
static struct {
  int open;
  jval **assets; /* the snapshot taken by the first page */
  size_t count;
} cursors[MAX_CURSORS];

static int listed(const jval *asset, const jval *req) {
  if (jbool(asset, "_deleted")) return 0;
  if (jbool(asset, "hidden") && !jbool(req, "includeHidden")) return 0;
  /* PhotoKit shows a burst by its representative frame unless all frames are asked for. */
  jval *burst = jget(asset, "burstIdentifier");
  if (burst && burst->kind == JSTR && !jbool(asset, "representsBurst") && !jbool(req, "includeAllBursts"))
    return 0;
  if (in_list(jget(asset, "sourceTypes"), "cloudShared") && !in_list(jget(asset, "sourceTypes"), "userLibrary") &&
      !jbool(req, "includeSharedAlbums"))
    return 0;
  return 1;
}

static void close_cursor(int slot) {
  free(cursors[slot].assets);
  cursors[slot].assets = NULL;
  cursors[slot].open = 0;
  pthread_mutex_lock(&alloc_lock);
  open_cursors--;
  pthread_mutex_unlock(&alloc_lock);
}

char *psb_list(const char *request) {
  jval *req = jparse(request);
  if (!req) return error_result("bad_request", "psb_list: the request is not JSON");
  pthread_mutex_lock(&state_lock);
  char *failure = check_access();
  int slot = -1;
  size_t offset = 0;
  const char *cursor = jstr(req, "cursor");
  if (!failure && cursor) {
    if (sscanf(cursor, "fx-%d-%zu", &slot, &offset) != 2 || slot < 0 || slot >= MAX_CURSORS || !cursors[slot].open)
      failure = error_result("bad_request", "psb_list: unknown or finished cursor %s", cursor);
  } else if (!failure) {
    for (int i = 0; i < MAX_CURSORS && slot < 0; i++)
      if (!cursors[i].open) slot = i;
    if (slot < 0) failure = error_result("internal", "psb_list: too many listings open");
    else {
      jval *assets = jget(fixture, "assets");
      cursors[slot].open = 1;
      cursors[slot].assets = calloc(assets->len + 1, sizeof(jval *));
      cursors[slot].count = 0;
      for (size_t i = 0; i < assets->len; i++)
        if (listed(assets->items[i], req)) cursors[slot].assets[cursors[slot].count++] = assets->items[i];
      pthread_mutex_lock(&alloc_lock);
      open_cursors++;
      pthread_mutex_unlock(&alloc_lock);
    }
  }
  sbuf result = {0};
  if (!failure) {
    size_t limit = (size_t)jnum(req, "limit", 100);
    if (limit == 0) limit = 1;
    size_t total = cursors[slot].count;
    size_t end = jbool(req, "close") ? offset : (offset + limit < total ? offset + limit : total);
    sb_put(&result, "{\"assets\":[");
    for (size_t i = offset; i < end; i++) {
      if (i > offset) sb_put(&result, ",");
      sb_json(&result, cursors[slot].assets[i]);
    }
    sb_printf(&result, "],\"total\":%zu,\"cursor\":", total);
    if (end < total && !jbool(req, "close")) sb_printf(&result, "\"fx-%d-%zu\"}", slot, end);
    else {
      sb_put(&result, "null}");
      close_cursor(slot);
    }
  }
  pthread_mutex_unlock(&state_lock);
  jfree(req);
  return failure ? failure : ok_result(&result);
}

/* ---------------------------------------------------------------------------------------------
 * Fetching data: psb_export and psb_download */

typedef struct {
  psb_progress_fn progress;
  uint64_t token;
  uint32_t index;
  int steps; /* 1: report 0 once (a stalled download); 4: report 0.25 .. 1 */
} progress_job;

static void *progress_thread(void *arg) {
  progress_job *job = arg;
  for (int i = job->steps == 1 ? 0 : 1; i <= (job->steps == 1 ? 0 : job->steps); i++) {
    job->progress(job->token, job->index, job->steps == 1 ? 0.0 : (double)i / job->steps);
  }
  return NULL;
}

/* Reports progress from a thread of its own, as PhotoKit does from its queues. */
static void report_from_thread(psb_progress_fn progress, uint64_t token, uint32_t index, int steps) {
  if (!progress) return;
  progress_job job = {progress, token, index, steps};
  pthread_t thread;
  if (pthread_create(&thread, NULL, progress_thread, &job) == 0) pthread_join(thread, NULL);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
  char *file;
  int cloud_only, stall, fail_network;
} resource_facts;

/*
 * Looks a resource up under the state lock and copies what fetching it needs.
 * Returns NULL on success, or the error response.
 */
static char *resource_facts_of(const char *id, const jval *wanted, resource_facts *facts) {
  memset(facts, 0, sizeof *facts);
  pthread_mutex_lock(&state_lock);
  char *failure = check_access();
  jval *asset = failure ? NULL : find_asset(id);
  const char *filename = jstr(wanted, "filename");
  jval *resource = asset ? find_resource(asset, jget(wanted, "types"), filename) : NULL;
  if (!failure && !asset) failure = error_result("not_found", "no asset %s in the library", id);
  else if (!failure && !resource)
    failure = error_result("not_found", "asset %s has no resource %s", id, filename ? filename : "(unnamed)");
  if (!failure) {
    const char *file = jstr(resource, "_file");
    facts->file = file ? strdup(file) : NULL;
    facts->cloud_only = jbool(resource, "_cloudOnly");
    facts->stall = jbool(resource, "_stall");
    const char *fail = jstr(resource, "_fail");
    facts->fail_network = fail && !strcmp(fail, "network");
  }
  pthread_mutex_unlock(&state_lock);
  return failure;
}

/* Waits out a resource that never delivers: until cancelled or timed out. */
static char *fetch(uint64_t token, uint32_t index, const resource_facts *facts, int allow_network,
                   double timeout, psb_progress_fn progress, const char *filename) {
  if (call_cancelled(token)) return error_result("cancelled", "cancelled before %s", filename);
  if (facts->cloud_only && !allow_network)
    return error_result("network_required", "%s is only in iCloud and the network is not allowed", filename);
  if (facts->fail_network) return error_result("network", "iCloud download of %s failed (network)", filename);
  if (facts->stall) {
    report_from_thread(progress, token, index, 1);
    double start = now_seconds();
    while (!call_cancelled(token)) {
      if (now_seconds() - start >= timeout)
        return error_result("timeout", "no data for %s in %g seconds", filename, timeout);
      usleep(2000);
    }
    return error_result("cancelled", "fetching %s was cancelled", filename);
  }
  if (facts->cloud_only) report_from_thread(progress, token, index, 4);
  return NULL;
}

static char *copy_file(const char *from, const char *to, long long *size) {
  struct stat st;
  if (stat(to, &st) == 0) return error_result("exists", "%s already exists; nothing was overwritten", to);
  char part[4200];
  snprintf(part, sizeof part, "%s.part", to);
  FILE *in = from ? fopen(from, "rb") : NULL;
  if (!in) return error_result("io", "cannot read %s: %s", from ? from : "(no file)", strerror(errno));
  FILE *out = fopen(part, "wb");
  if (!out) {
    int e = errno;
    fclose(in);
    return error_result("io", "cannot write %s: %s", part, strerror(e));
  }
  char chunk[65536];
  size_t n;
  *size = 0;
  int failed = 0;
  while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
    if (fwrite(chunk, 1, n, out) != n) failed = 1;
    *size += (long long)n;
  }
  fclose(in);
  if (fclose(out) != 0) failed = 1;
  if (failed || rename(part, to) != 0) {
    unlink(part);
    return error_result("io", "writing %s failed", to);
  }
  return NULL;
}

char *psb_export(const char *request, psb_progress_fn progress) {
  jval *req = jparse(request);
  if (!req) return error_result("bad_request", "psb_export: the request is not JSON");
  uint64_t token = (uint64_t)jnum(req, "token", 0);
  const char *id = jstr(req, "id");
  jval *wanted = jget(req, "resources");
  if (!token || !id || !wanted || wanted->kind != JARR) {
    jfree(req);
    return error_result("bad_request", "psb_export needs token, id and resources");
  }
  if (!call_begin(token)) {
    jfree(req);
    return error_result("cancelled", "export of %s was cancelled before it started", id);
  }
  int allow_network = jbool(req, "allowNetwork");
  double timeout = jnum(req, "timeoutSeconds", 300);
  char *failure = NULL;
  size_t done = 0;
  long long *sizes = calloc(wanted->len + 1, sizeof *sizes);
  for (; done < wanted->len && !failure; done++) {
    jval *w = wanted->items[done];
    const char *path = jstr(w, "path");
    if (!path || path[0] != '/') {
      failure = error_result("bad_request", "psb_export: resource %zu needs an absolute path", done);
      break;
    }
    resource_facts facts;
    failure = resource_facts_of(id, w, &facts);
    if (!failure) failure = fetch(token, (uint32_t)done, &facts, allow_network, timeout, progress, jstr(w, "filename"));
    if (!failure) failure = copy_file(facts.file, path, &sizes[done]);
    free(facts.file);
    if (failure) break;
  }
  sbuf result = {0};
  if (failure) {
    for (size_t i = 0; i < done; i++) unlink(jstr(wanted->items[i], "path"));
  } else {
    sb_put(&result, "{\"files\":[");
    for (size_t i = 0; i < wanted->len; i++) {
      if (i) sb_put(&result, ",");
      sb_put(&result, "{\"path\":");
      sb_str(&result, jstr(wanted->items[i], "path"));
      sb_printf(&result, ",\"size\":%lld}", sizes[i]);
    }
    sb_put(&result, "]}");
  }
  free(sizes);
  call_end(token);
  jfree(req);
  return failure ? failure : ok_result(&result);
}

char *psb_download(const char *request, psb_progress_fn progress) {
  jval *req = jparse(request);
  if (!req) return error_result("bad_request", "psb_download: the request is not JSON");
  uint64_t token = (uint64_t)jnum(req, "token", 0);
  jval *assets = jget(req, "assets");
  if (!token || !assets || assets->kind != JARR) {
    jfree(req);
    return error_result("bad_request", "psb_download needs token and assets");
  }
  if (!call_begin(token)) {
    jfree(req);
    return error_result("cancelled", "download was cancelled before it started");
  }
  double timeout = jnum(req, "timeoutSeconds", 300);
  char *failure = NULL;
  uint32_t index = 0;
  sbuf downloaded = {0}, missing = {0};
  sb_put(&downloaded, "");
  sb_put(&missing, "");
  for (size_t a = 0; a < assets->len && !failure; a++) {
    const char *id = jstr(assets->items[a], "id");
    jval *wanted = jget(assets->items[a], "resources");
    pthread_mutex_lock(&state_lock);
    failure = check_access();
    int exists = !failure && id && find_asset(id);
    pthread_mutex_unlock(&state_lock);
    if (failure) break;
    if (!exists) {
      if (missing.len) sb_put(&missing, ",");
      sb_str(&missing, id ? id : "");
      continue;
    }
    for (size_t r = 0; wanted && r < wanted->len && !failure; r++, index++) {
      resource_facts facts;
      failure = resource_facts_of(id, wanted->items[r], &facts);
      if (!failure) failure = fetch(token, index, &facts, 1, timeout, progress, jstr(wanted->items[r], "filename"));
      if (!failure && facts.cloud_only) {
        /* Downloaded: from now on the data is on this Mac. */
        pthread_mutex_lock(&state_lock);
        jval *res = find_resource(find_asset(id), jget(wanted->items[r], "types"), jstr(wanted->items[r], "filename"));
        if (res) {
          jval *local = jnew(JBOOL);
          local->b = 1;
          jset(res, "_cloudOnly", jnew(JBOOL));
          if (jget(res, "local")) jset(res, "local", local);
          else jfree(local);
        }
        pthread_mutex_unlock(&state_lock);
      }
      free(facts.file);
    }
    if (!failure) {
      if (downloaded.len) sb_put(&downloaded, ",");
      sb_str(&downloaded, id);
    }
  }
  sbuf result = {0};
  if (!failure) sb_printf(&result, "{\"downloaded\":[%s],\"notFound\":[%s]}", downloaded.buf, missing.buf);
  free(downloaded.buf);
  free(missing.buf);
  call_end(token);
  jfree(req);
  return failure ? failure : ok_result(&result);
}

/* ---------------------------------------------------------------------------------------------
 * Changes: psb_delete (psb_write, psb_create, psb_lookup and psb_history follow) */

/* Applies `change` to every asset named in request.ids; state_lock held. */
static char *change_ids(const jval *req, const char *done_key, void (*change)(jval *, const jval *)) {
  jval *ids = jget(req, "ids");
  if (!ids || ids->kind != JARR) return error_result("bad_request", "the request needs ids");
  char *failure = check_access();
  if (failure) return failure;
  if (jbool(fixture, "declineChanges")) return error_result("declined", "the change was declined in Photos");
  sbuf done = {0}, missing = {0};
  sb_put(&done, "");
  sb_put(&missing, "");
  for (size_t i = 0; i < ids->len; i++) {
    const char *id = ids->items[i]->kind == JSTR ? ids->items[i]->s : "";
    jval *asset = find_asset(id);
    sbuf *into = asset ? &done : &missing;
    if (into->len) sb_put(into, ",");
    sb_str(into, id);
    if (asset) change(asset, req);
  }
  sbuf result = {0};
  sb_printf(&result, "{\"%s\":[%s],\"notFound\":[%s]}", done_key, done.buf, missing.buf);
  free(done.buf);
  free(missing.buf);
  return ok_result(&result);
}

static void mark_deleted(jval *asset, const jval *req) {
  (void)req;
  jval *flag = jnew(JBOOL);
  flag->b = 1;
  jset(asset, "_deleted", flag);
  /* Recently Deleted keeps the asset: the history counts the move as an update. */
  log_change("asset", "updated", jstr(asset, "localIdentifier"));
}

char *psb_delete(const char *request) {
  jval *req = jparse(request);
  if (!req) return error_result("bad_request", "psb_delete: the request is not JSON");
  pthread_mutex_lock(&state_lock);
  char *response = change_ids(req, "deleted", mark_deleted);
  if (created_count > 0) save_library();
  persist();
  static int deletes;
  die_if_due("delete", &deletes);
  pthread_mutex_unlock(&state_lock);
  jfree(req);
  return response;
}

/* ---------------------------------------------------------------------------------------------
 * psb_write */

static const char *WRITABLE[] = {"favorite", "hidden", "creationDate", "timeZoneOffset", "location",
                                 "albums",   "title",  "caption",      "keywords",       NULL};
static const char *SCRIPTED[] = {"title", "caption", "keywords", NULL};

static int named(const char **names, const char *name) {
  for (size_t i = 0; names[i]; i++)
    if (!strcmp(names[i], name)) return 1;
  return 0;
}

static int is_kind(const jval *v, jkind kind) { return v && v->kind == kind; }

static int compare_strings(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int strings_only(const jval *v) {
  if (!is_kind(v, JARR)) return 0;
  for (size_t i = 0; i < v->len; i++)
    if (!is_kind(v->items[i], JSTR)) return 0;
  return 1;
}

/* The album `id` names (bare UUID or local identifier): the catalog first, then assets' albums. */
static jval *find_album(const char *id) {
  jval *catalog = jget(fixture, "albums");
  for (size_t i = 0; is_kind(catalog, JARR) && i < catalog->len; i++) {
    const char *lid = jstr(catalog->items[i], "localIdentifier");
    if (lid && same_id(lid, id)) return catalog->items[i];
  }
  jval *assets = jget(fixture, "assets");
  for (size_t i = 0; i < assets->len; i++) {
    jval *albums = jget(assets->items[i], "albums");
    for (size_t j = 0; is_kind(albums, JARR) && j < albums->len; j++) {
      const char *lid = jstr(albums->items[j], "localIdentifier");
      if (lid && same_id(lid, id)) return albums->items[j];
    }
  }
  return NULL;
}

/* Checks every field before anything is written; returns the error response or NULL. */
static char *check_fields(const jval *asset, const jval *fields) {
  sbuf unknown = {0};
  for (size_t i = 0; i < fields->len; i++) {
    if (named(WRITABLE, fields->keys[i])) continue;
    if (unknown.len) sb_put(&unknown, ", ");
    sb_put(&unknown, fields->keys[i]);
  }
  if (unknown.len) {
    char *failure = error_result("unsupported", "Photos cannot take %s from photos-sync; nothing was written", unknown.buf);
    free(unknown.buf);
    return failure;
  }
  jval *v;
  if ((v = jget(fields, "favorite")) && !is_kind(v, JBOOL)) return error_result("bad_request", "favorite: not a bool");
  if ((v = jget(fields, "hidden")) && !is_kind(v, JBOOL)) return error_result("bad_request", "hidden: not a bool");
  if ((v = jget(fields, "creationDate")) && is_kind(v, JNULL))
    return error_result("unsupported", "creationDate: Photos cannot clear a creation date; nothing was written");
  if (v && !is_kind(v, JSTR)) return error_result("bad_request", "creationDate: not an ISO-8601 date");
  v = jget(fields, "timeZoneOffset");
  if (v && !is_kind(v, JNUM) && !is_kind(v, JNULL)) return error_result("bad_request", "timeZoneOffset: not a number");
  jval *known = jget(asset, "timeZoneOffset");
  if (is_kind(v, JNUM) && is_kind(known, JNUM) && v->n != known->n)
    return error_result("unsupported", "timeZoneOffset: PhotoKit cannot move the capture time zone (%g s to %g s); "
                        "change it in Photos with Image > Adjust Date and Time; nothing was written", known->n, v->n);
  if ((v = jget(fields, "location")) && !is_kind(v, JNULL) &&
      !(is_kind(jget(v, "latitude"), JNUM) && is_kind(jget(v, "longitude"), JNUM)))
    return error_result("bad_request", "location: needs latitude and longitude");
  for (size_t i = 0; SCRIPTED[i]; i++) {
    v = jget(fields, SCRIPTED[i]);
    int ok = !v || (i < 2 ? is_kind(v, JSTR) || is_kind(v, JNULL) : strings_only(v));
    if (!ok) return error_result("bad_request", "%s: not text", SCRIPTED[i]);
  }
  jval *albums = jget(fields, "albums");
  if (albums && !strings_only(albums)) return error_result("bad_request", "albums: not a list of ids");
  for (size_t i = 0; albums && i < albums->len; i++) {
    jval *album = find_album(albums->items[i]->s);
    const char *kind = album ? jstr(album, "kind") : NULL;
    if (!album)
      return error_result("not_found", "albums: no album %s in the Photos library; nothing was written", albums->items[i]->s);
    if (kind && strcmp(kind, "regular"))
      return error_result("unsupported", "albums: %s is not one of your own albums (smart or shared); nothing was written",
                          jstr(album, "title") ? jstr(album, "title") : albums->items[i]->s);
  }
  return NULL;
}

static jval *copy_value(const jval *v) {
  parser ps = {NULL, 0};
  sbuf text = {0};
  sb_json(&text, v);
  ps.p = text.buf;
  jval *copy = parse_value(&ps, 0);
  free(text.buf);
  return copy;
}

static int has_album(const jval *list, const char *id) {
  for (size_t i = 0; is_kind(list, JARR) && i < list->len; i++) {
    const char *lid = jstr(list->items[i], "localIdentifier");
    if (lid && same_id(lid, id)) return 1;
  }
  return 0;
}

/* Puts the asset in exactly these albums, logging each album whose members changed. */
static void set_albums(jval *asset, const jval *ids) {
  jval *before = jget(asset, "albums");
  jval *after = jnew(JARR);
  for (size_t i = 0; i < ids->len; i++) {
    jval *album = find_album(ids->items[i]->s);
    if (has_album(after, jstr(album, "localIdentifier"))) continue;
    jval *ref = jnew(JOBJ);
    jset(ref, "localIdentifier", jstrv(jstr(album, "localIdentifier")));
    jset(ref, "title", jstrv(jstr(album, "title") ? jstr(album, "title") : ""));
    jval *folders = jget(album, "folders");
    jset(ref, "folders", folders ? copy_value(folders) : jnew(JARR));
    jpush(after, NULL, ref);
    if (!has_album(before, jstr(album, "localIdentifier"))) log_change("album", "updated", jstr(album, "localIdentifier"));
  }
  for (size_t i = 0; is_kind(before, JARR) && i < before->len; i++) {
    const char *lid = jstr(before->items[i], "localIdentifier");
    if (lid && !has_album(after, lid)) log_change("album", "updated", lid);
  }
  jset(asset, "albums", after);
}

/* scripting.json: what Photos' scripting interface now holds for every asset written through it. */
static void save_scripting(void) {
  sbuf out = {0};
  sb_put(&out, "{");
  jval *assets = jget(fixture, "assets");
  int first = 1;
  for (size_t i = 0; i < assets->len; i++) {
    jval *text = jget(assets->items[i], "_scripting");
    if (!text) continue;
    if (!first) sb_put(&out, ",");
    first = 0;
    sb_str(&out, jstr(assets->items[i], "localIdentifier"));
    sb_put(&out, ":");
    /* sb_json leaves out "_" keys only, so the text object is written whole. */
    sb_json(&out, text);
  }
  sb_put(&out, "}");
  char path[1100];
  snprintf(path, sizeof path, "%s/scripting.json", fixture_dir);
  FILE *f = fopen(path, "wb");
  if (f) {
    fputs(out.buf, f);
    fclose(f);
  }
  free(out.buf);
}

/* Sets the fields on the asset; `change` is how the history records it ("updated", or "inserted"
 * for a new asset). */
static void apply_fields(jval *asset, const jval *fields, const char *change) {
  static const char *PHOTOKIT[] = {"favorite", "hidden", "creationDate", "location", NULL};
  for (size_t i = 0; PHOTOKIT[i]; i++) {
    jval *v = jget(fields, PHOTOKIT[i]);
    if (v) jset(asset, PHOTOKIT[i], copy_value(v));
  }
  jval *albums = jget(fields, "albums");
  if (albums) set_albums(asset, albums);
  jval *text = jget(asset, "_scripting");
  for (size_t i = 0; SCRIPTED[i]; i++) {
    jval *v = jget(fields, SCRIPTED[i]);
    if (!v) continue;
    if (!text) {
      text = jnew(JOBJ);
      jset(text, "title", jnew(JNULL));
      jset(text, "caption", jnew(JNULL));
      jset(text, "keywords", jnew(JARR));
      jset(asset, "_scripting", text);
    }
    int blank = is_kind(v, JSTR) && v->s[0] == 0;
    jset(text, SCRIPTED[i], blank ? jnew(JNULL) : copy_value(v));
  }
  if (text) save_scripting();
  log_change("asset", change, jstr(asset, "localIdentifier"));
}

static int any_scripted(const jval *fields) {
  for (size_t i = 0; SCRIPTED[i]; i++)
    if (jget(fields, SCRIPTED[i])) return 1;
  return 0;
}

char *psb_write(const char *request) {
  jval *req = jparse(request);
  if (!req) return error_result("bad_request", "psb_write: the request is not JSON");
  const char *id = jstr(req, "id");
  jval *fields = jget(req, "fields");
  if (!id || !is_kind(fields, JOBJ)) {
    jfree(req);
    return error_result("bad_request", "psb_write needs id and fields");
  }
  pthread_mutex_lock(&state_lock);
  char *failure = check_access();
  jval *asset = failure ? NULL : find_asset(id);
  if (!failure && !asset) failure = error_result("not_found", "no asset %s in the Photos library", id);
  if (!failure) failure = check_fields(asset, fields);
  const char *automation = failure ? NULL : jstr(fixture, "automation");
  if (!failure && any_scripted(fields) && automation && !strcmp(automation, "denied"))
    failure = error_result("automation_denied",
                           "writing title, caption or keywords needs permission to control Photos, which was refused. "
                           "Allow it for the app that runs photos-sync (e.g. Terminal) in System Settings > Privacy & "
                           "Security > Automation > Photos, then run again; nothing was written");
  if (!failure && jbool(fixture, "declineChanges")) failure = error_result("declined", "the change was declined in Photos");
  sbuf result = {0};
  if (!failure) {
    apply_fields(asset, fields, "updated");
    /* The request's field names, sorted; the checks above allow only the few known ones. */
    const char *names[16];
    size_t count = 0;
    for (size_t i = 0; WRITABLE[i]; i++)
      if (jget(fields, WRITABLE[i])) names[count++] = WRITABLE[i];
    qsort(names, count, sizeof *names, compare_strings);
    sb_put(&result, "{\"written\":[");
    for (size_t i = 0; i < count; i++) {
      if (i) sb_put(&result, ",");
      sb_str(&result, names[i]);
    }
    sb_put(&result, "]}");
    persist();
  }
  pthread_mutex_unlock(&state_lock);
  jfree(req);
  return failure ? failure : ok_result(&result);
}

/* ---------------------------------------------------------------------------------------------
 * psb_create, psb_lookup and psb_create_album
 *
 * What psb_create made is the twin's in-memory library: each new asset is listed, exported, written
 * and deleted like any other, and every file it was given is copied into library/<n>/ beside the
 * fixture (Photos copies, never moves). library.json there says, for every created asset, which
 * file crossed the boundary as which resource type (with the path of its copy), the fields exactly
 * as the request gave them, whether it was deleted since, and the asset as psb_list shows it now:
 *   {"<local identifier>": {"resources": [{"type", "filename", "source", "copy", "size"}],
 *                           "fields": {...}, "deleted": bool, "asset": {...}}}
 */

/* The resource types PHAssetCreationRequest takes. */
static const char *CREATABLE[] = {"photo",          "video",
                                  "pairedVideo",    "alternatePhoto",
                                  "fullSizePhoto",  "fullSizeVideo",
                                  "adjustmentData", "adjustmentBasePhoto",
                                  "adjustmentBaseVideo", "adjustmentBasePairedVideo",
                                  "fullSizePairedVideo", NULL};

/* Each type with what must come with it, as PHAssetCreationRequest.supportsAssetResourceTypes
 * answers: {type, needs all of these (NULL-ended, "a|b" is either)}. */
static const char *NEEDS[][4] = {
    {"pairedVideo", "photo", NULL},
    {"alternatePhoto", "photo", NULL},
    {"fullSizePhoto", "photo", "adjustmentData", NULL},
    {"fullSizeVideo", "video", "adjustmentData", NULL},
    {"adjustmentData", "fullSizePhoto|fullSizeVideo", NULL},
    {"adjustmentBasePhoto", "photo", "adjustmentData", NULL},
    {"adjustmentBaseVideo", "video", "adjustmentData", NULL},
    {"adjustmentBasePairedVideo", "pairedVideo", "adjustmentData", NULL},
    {"fullSizePairedVideo", "pairedVideo", "fullSizePhoto", NULL},
};

static int has_type(const jval *resources, const char *type) {
  for (size_t i = 0; i < resources->len; i++) {
    const char *t = jstr(resources->items[i], "type");
    if (t && !strcmp(t, type)) return 1;
  }
  return 0;
}

/* Whether `alternatives` ("a" or "a|b") names a type the request has. */
static int has_any(const jval *resources, const char *alternatives) {
  char copy[64];
  snprintf(copy, sizeof copy, "%s", alternatives);
  for (char *save = NULL, *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save))
    if (has_type(resources, t)) return 1;
  return 0;
}

/* Checks the resources as PhotoKit would; returns the error response or NULL. */
static char *check_resources(const jval *resources) {
  if (!is_kind(resources, JARR)) return error_result("bad_request", "psb_create needs resources");
  sbuf names = {0};
  char *failure = NULL;
  for (size_t i = 0; i < resources->len && !failure; i++) {
    const char *type = jstr(resources->items[i], "type"), *path = jstr(resources->items[i], "path");
    struct stat st;
    if (!type || !path) failure = error_result("bad_request", "psb_create: resource %zu needs type and path", i);
    else if (!named(CREATABLE, type)) failure = error_result("unsupported", "Photos cannot create an asset with a %s resource", type);
    for (size_t j = 0; !failure && j < i; j++)
      if (!strcmp(type, jstr(resources->items[j], "type"))) failure = error_result("unsupported", "an asset takes one %s resource, not two", type);
    if (!failure && stat(path, &st) != 0) failure = error_result("not_found", "%s does not exist or cannot be read", path);
    if (!failure) sb_printf(&names, "%s%s", i ? ", " : "", type);
  }
  if (!failure && has_type(resources, "photo") == has_type(resources, "video"))
    failure = error_result("bad_request", "psb_create needs one original: a photo or a video resource");
  for (size_t k = 0; !failure && k < sizeof NEEDS / sizeof NEEDS[0]; k++) {
    if (!has_type(resources, NEEDS[k][0])) continue;
    for (size_t n = 1; NEEDS[k][n] && !failure; n++)
      if (!has_any(resources, NEEDS[k][n]))
        failure = error_result("unsupported", "Photos cannot create one asset from %s; nothing was created", names.buf);
  }
  free(names.buf);
  return failure;
}

/* Checks the fields as psb_write does, less the capture zone; returns the error response or NULL. */
static char *check_new_fields(const jval *fields) {
  if (!is_kind(fields, JOBJ)) return error_result("bad_request", "psb_create needs fields");
  if (jget(fields, "timeZoneOffset"))
    return error_result("unsupported", "Photos cannot take timeZoneOffset from photos-sync; nothing was created");
  if (is_kind(jget(fields, "creationDate"), JNULL))
    return error_result("unsupported", "creationDate: a new asset cannot be given no date; leave it out instead");
  jval *none = jnew(JOBJ);
  char *failure = check_fields(none, fields);
  jfree(none);
  return failure;
}

/* Copies `from` to library/<n>/<index>-<name> beside the fixture; returns the copy's path or NULL. */
static char *keep_copy(int n, size_t index, const char *from, const char *name, long long *size) {
  char dir[1200], path[1500];
  snprintf(dir, sizeof dir, "%s/library", fixture_dir);
  mkdir(dir, 0755);
  snprintf(dir, sizeof dir, "%s/library/%d", fixture_dir, n);
  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/%zu-%s", dir, index, name);
  char *failure = copy_file(from, path, size);
  if (failure) {
    psb_free(failure);
    return NULL;
  }
  return strdup(path);
}

static const char *base_name(const char *path) { return strrchr(path, '/') ? strrchr(path, '/') + 1 : path; }

static const char *uti_of(const char *name) {
  const char *dot = strrchr(name, '.');
  if (!dot) return "public.data";
  if (!strcasecmp(dot, ".heic")) return "public.heic";
  if (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg")) return "public.jpeg";
  if (!strcasecmp(dot, ".mov")) return "com.apple.quicktime-movie";
  if (!strcasecmp(dot, ".mp4")) return "public.mpeg-4";
  if (!strcasecmp(dot, ".dng")) return "com.adobe.raw-image";
  if (!strcasecmp(dot, ".aae") || !strcasecmp(dot, ".plist")) return "com.apple.photos.adjustment-data";
  return "public.data";
}

/* The new asset's resources as psb_list shows them, reading the copies; and the record of them. */
static char *add_resources(jval *asset, jval *record, const jval *resources, int n) {
  jval *listed = jnew(JARR), *crossed = jnew(JARR);
  jset(asset, "resources", listed);
  jset(record, "resources", crossed);
  for (size_t i = 0; i < resources->len; i++) {
    const jval *given = resources->items[i];
    const char *path = jstr(given, "path");
    const char *name = jstr(given, "filename") ? jstr(given, "filename") : base_name(path);
    long long size = 0;
    char *copy = keep_copy(n, i, path, base_name(name), &size);
    if (!copy) return error_result("io", "cannot copy %s into the library", path);
    jval *r = jnew(JOBJ);
    jset(r, "type", jstrv(jstr(given, "type")));
    jset(r, "filename", jstrv(name));
    jset(r, "uti", jstrv(uti_of(name)));
    jval *raw = jnew(JBOOL);
    raw->b = !strcmp(uti_of(name), "com.adobe.raw-image");
    jset(r, "raw", raw);
    jset(r, "_file", jstrv(copy));
    jpush(listed, NULL, r);
    jval *c = jnew(JOBJ);
    jset(c, "type", jstrv(jstr(given, "type")));
    jset(c, "filename", jstrv(name));
    jset(c, "source", jstrv(path));
    jset(c, "copy", jstrv(copy));
    jval *bytes = jnew(JNUM);
    bytes->n = (double)size;
    jset(c, "size", bytes);
    jpush(crossed, NULL, c);
    free(copy);
  }
  return NULL;
}

/* A new asset from checked resources and fields; returns it, or NULL with *failure set. */
static jval *new_asset(const jval *resources, const jval *fields, char **failure) {
  char lid[64];
  int n = ++created_count;
  snprintf(lid, sizeof lid, "F1C7C0DE-0000-4000-8000-%012d/L0/001", n);
  jval *asset = jnew(JOBJ), *record = jnew(JOBJ);
  jset(asset, "localIdentifier", jstrv(lid));
  jset(asset, "mediaType", jstrv(has_type(resources, "video") ? "video" : "image"));
  jval *subtypes = jnew(JARR);
  if (has_type(resources, "pairedVideo")) jpush(subtypes, NULL, jstrv("photoLive"));
  jset(asset, "mediaSubtypes", subtypes);
  jval *sources = jnew(JARR);
  jpush(sources, NULL, jstrv("userLibrary"));
  jset(asset, "sourceTypes", sources);
  jset(asset, "creationDate", jnew(JNULL));
  jset(asset, "favorite", jnew(JBOOL));
  jset(asset, "hidden", jnew(JBOOL));
  jset(asset, "location", jnew(JNULL));
  jset(asset, "albums", jnew(JARR));
  *failure = add_resources(asset, record, resources, n);
  if (*failure) {
    jfree(asset);
    jfree(record);
    return NULL;
  }
  jset(record, "fields", copy_value(fields));
  jset(asset, "_created", record);
  return asset;
}

static void save_library(void) {
  sbuf out = {0};
  sb_put(&out, "{");
  jval *assets = jget(fixture, "assets");
  int first = 1;
  for (size_t i = 0; i < assets->len; i++) {
    jval *record = jget(assets->items[i], "_created");
    if (!record) continue;
    sb_printf(&out, "%s", first ? "" : ",");
    first = 0;
    sb_str(&out, jstr(assets->items[i], "localIdentifier"));
    sb_put(&out, ":{\"resources\":");
    sb_json(&out, jget(record, "resources"));
    sb_put(&out, ",\"fields\":");
    sb_json(&out, jget(record, "fields"));
    sb_printf(&out, ",\"deleted\":%s,\"asset\":", jbool(assets->items[i], "_deleted") ? "true" : "false");
    sb_json(&out, assets->items[i]);
    sb_put(&out, "}");
  }
  sb_put(&out, "}");
  char path[1100];
  snprintf(path, sizeof path, "%s/library.json", fixture_dir);
  FILE *f = fopen(path, "wb");
  if (f) {
    fputs(out.buf, f);
    fclose(f);
  }
  free(out.buf);
}

char *psb_create(const char *request) {
  jval *req = jparse(request);
  if (!req) return error_result("bad_request", "psb_create: the request is not JSON");
  jval *resources = jget(req, "resources"), *fields = jget(req, "fields");
  pthread_mutex_lock(&state_lock);
  char *failure = check_access();
  if (!failure) failure = check_resources(resources);
  if (!failure) failure = check_new_fields(fields);
  const char *automation = failure ? NULL : jstr(fixture, "automation");
  /* The helper asks for Automation before it creates anything. */
  if (!failure && any_scripted(fields) && automation && !strcmp(automation, "denied"))
    failure = error_result("automation_denied",
                           "writing title, caption or keywords needs permission to control Photos, which was refused; "
                           "nothing was created");
  if (!failure && jbool(fixture, "declineChanges")) failure = error_result("declined", "the change was declined in Photos");
  jval *asset = failure ? NULL : new_asset(resources, fields, &failure);
  sbuf result = {0};
  if (asset) {
    jpush(jget(fixture, "assets"), NULL, asset);
    apply_fields(asset, fields, "inserted");
    save_library();
    persist();
    static int creates;
    die_if_due("create", &creates);
    sb_put(&result, "{\"localIdentifier\":");
    sb_str(&result, jstr(asset, "localIdentifier"));
    sb_put(&result, "}");
  }
  pthread_mutex_unlock(&state_lock);
  jfree(req);
  return failure ? failure : ok_result(&result);
}

/* Writes {"found":[...],"notFound":[...]} of `ids`, by `exists`; state_lock held. */
static void found_lists(sbuf *out, const jval *ids, int (*exists)(const char *)) {
  sbuf found = {0}, missing = {0};
  sb_put(&found, "");
  sb_put(&missing, "");
  for (size_t i = 0; i < ids->len; i++) {
    sbuf *into = exists(ids->items[i]->s) ? &found : &missing;
    if (into->len) sb_put(into, ",");
    sb_str(into, ids->items[i]->s);
  }
  sb_printf(out, "{\"found\":[%s],\"notFound\":[%s]}", found.buf, missing.buf);
  free(found.buf);
  free(missing.buf);
}

/* Recently Deleted is not shown by PhotoKit, so a deleted asset is not found. */
static int asset_exists(const char *id) { return find_asset(id) != NULL; }

/* One of the user's own albums: a smart or shared one cannot take assets. */
static int user_album_exists(const char *id) {
  jval *album = find_album(id);
  const char *kind = album ? jstr(album, "kind") : NULL;
  return album && (!kind || !strcmp(kind, "regular"));
}

char *psb_lookup(const char *request) {
  jval *req = jparse(request);
  if (!req) return error_result("bad_request", "psb_lookup: the request is not JSON");
  jval *ids = jget(req, "ids"), *albums = jget(req, "albums");
  pthread_mutex_lock(&state_lock);
  char *failure = strings_only(ids) && (!albums || strings_only(albums))
                      ? check_access()
                      : error_result("bad_request", "psb_lookup needs ids (and albums, when given) as lists of ids");
  sbuf result = {0};
  if (!failure) {
    found_lists(&result, ids, asset_exists);
    /* The asset lists are an object of their own so far: open it up to add the rest. */
    result.buf[--result.len] = 0;
    if (jbool(req, "describe")) {
      sb_put(&result, ",\"assets\":[");
      int first = 1;
      for (size_t i = 0; i < ids->len; i++) {
        jval *asset = find_asset(ids->items[i]->s);
        if (!asset) continue;
        sb_put(&result, first ? "" : ",");
        first = 0;
        /* As psb_list shows it, but with no album memberships, as the helper answers. */
        jval *shown = copy_value(asset);
        jset(shown, "albums", jnew(JARR));
        sb_json(&result, shown);
        jfree(shown);
      }
      sb_put(&result, "]");
    }
    if (albums) {
      sb_put(&result, ",\"albums\":");
      found_lists(&result, albums, user_album_exists);
    }
    sb_put(&result, "}");
  }
  pthread_mutex_unlock(&state_lock);
  jfree(req);
  return failure ? failure : ok_result(&result);
}

/* A new regular album in the catalog, with the folder path it was given (the twin keeps folders as
 * the path of titles, as psb_list shows them). */
char *psb_create_album(const char *request) {
  jval *req = jparse(request);
  if (!req) return error_result("bad_request", "psb_create_album: the request is not JSON");
  const char *title = jstr(req, "title");
  jval *folders = jget(req, "folders");
  pthread_mutex_lock(&state_lock);
  char *failure = title && title[0] && (!folders || strings_only(folders))
                      ? check_access()
                      : error_result("bad_request", "psb_create_album needs a title (and folders as a list of titles)");
  if (!failure && jbool(fixture, "declineChanges")) failure = error_result("declined", "the change was declined in Photos");
  sbuf result = {0};
  if (!failure) {
    char lid[64];
    snprintf(lid, sizeof lid, "A1B0C0DE-0000-4000-8000-%012d/L0/040", ++albums_created);
    jval *catalog = jget(fixture, "albums");
    if (!is_kind(catalog, JARR)) {
      catalog = jnew(JARR);
      jset(fixture, "albums", catalog);
    }
    jval *album = jnew(JOBJ);
    jset(album, "localIdentifier", jstrv(lid));
    jset(album, "title", jstrv(title));
    jset(album, "folders", folders ? copy_value(folders) : jnew(JARR));
    jset(album, "kind", jstrv("regular"));
    jpush(catalog, NULL, album);
    log_change("album", "inserted", lid);
    persist();
    sb_put(&result, "{\"localIdentifier\":");
    sb_str(&result, lid);
    sb_put(&result, "}");
  }
  pthread_mutex_unlock(&state_lock);
  jfree(req);
  return failure ? failure : ok_result(&result);
}

/* ---------------------------------------------------------------------------------------------
 * psb_history */

/* Writes {"inserted":[...],"updated":[...],"deleted":[...]} of one object type, deduplicated and
 * sorted, for the log entries from `start` on. */
static void history_lists(sbuf *out, const jval *changes, size_t start, const char *object) {
  static const char *KINDS[] = {"inserted", "updated", "deleted"};
  sb_put(out, "{");
  for (size_t k = 0; k < 3; k++) {
    const char **ids = calloc(changes->len + 1, sizeof *ids);
    size_t count = 0;
    for (size_t i = start; i < changes->len; i++) {
      const jval *c = changes->items[i];
      const char *obj = jstr(c, "object"), *kind = jstr(c, "change"), *id = jstr(c, "id");
      if (!obj || !kind || !id || strcmp(obj, object) || strcmp(kind, KINDS[k])) continue;
      int seen = 0;
      for (size_t j = 0; j < count && !seen; j++) seen = !strcmp(ids[j], id);
      if (!seen) ids[count++] = id;
    }
    qsort(ids, count, sizeof *ids, compare_strings);
    sb_printf(out, "%s\"%s\":[", k ? "," : "", KINDS[k]);
    for (size_t j = 0; j < count; j++) {
      if (j) sb_put(out, ",");
      sb_str(out, ids[j]);
    }
    sb_put(out, "]");
    free(ids);
  }
  sb_put(out, "}");
}

char *psb_history(const char *request) {
  jval *req = jparse(request);
  if (!req) return error_result("bad_request", "psb_history: the request is not JSON");
  jval *since = jget(req, "since");
  if (since && !is_kind(since, JSTR) && !is_kind(since, JNULL)) {
    jfree(req);
    return error_result("bad_request", "psb_history: since must be a token or null");
  }
  pthread_mutex_lock(&state_lock);
  char *failure = check_access();
  sbuf result = {0};
  if (!failure) {
    jval *changes = change_log();
    size_t position = 0, expired_before = (size_t)jnum(jget(fixture, "history"), "expiredBefore", 0);
    int consumed = 0;
    /* Anything but a token of this log, not older than the history kept, is answered with "all". */
    int readable = is_kind(since, JSTR) && sscanf(since->s, "fx-history:%zu%n", &position, &consumed) == 1 &&
                   since->s[consumed] == 0 && position <= changes->len && position >= expired_before;
    sb_printf(&result, "{\"next\":\"fx-history:%zu\",\"all\":%s,\"assets\":", changes->len, readable ? "false" : "true");
    history_lists(&result, changes, readable ? position : changes->len, "asset");
    sb_put(&result, ",\"albums\":");
    history_lists(&result, changes, readable ? position : changes->len, "album");
    sb_put(&result, "}");
  }
  pthread_mutex_unlock(&state_lock);
  jfree(req);
  return failure ? failure : ok_result(&result);
}

/* ---------------------------------------------------------------------------------------------
 * psb_albums */

/* Appends the album once (by local identifier), as {"localIdentifier","title","folders"}. */
static void album_once(sbuf *out, const jval *album, const char **seen, size_t *count) {
  const char *lid = jstr(album, "localIdentifier");
  if (!lid) return;
  for (size_t i = 0; i < *count; i++) {
    if (!strcmp(seen[i], lid)) return;
  }
  seen[(*count)++] = lid;
  sb_put(out, *count > 1 ? ",{\"localIdentifier\":" : "{\"localIdentifier\":");
  sb_str(out, lid);
  sb_put(out, ",\"title\":");
  sb_str(out, jstr(album, "title") ? jstr(album, "title") : "");
  sb_put(out, ",\"folders\":");
  jval *folders = jget(album, "folders");
  if (is_kind(folders, JARR)) sb_json(out, folders);
  else sb_put(out, "[]");
  sb_put(out, "}");
}

/* The catalog's regular albums, then the albums assets name (they count as regular), each once. */
char *psb_albums(const char *request) {
  jval *req = jparse(request);
  if (!req || !is_kind(req, JOBJ)) {
    jfree(req);
    return error_result("bad_request", "psb_albums: the request is not a JSON object");
  }
  pthread_mutex_lock(&state_lock);
  char *failure = check_access();
  sbuf result = {0};
  if (!failure) {
    jval *catalog = jget(fixture, "albums"), *assets = jget(fixture, "assets");
    size_t most = is_kind(catalog, JARR) ? catalog->len : 0;
    for (size_t i = 0; is_kind(assets, JARR) && i < assets->len; i++) {
      jval *albums = jget(assets->items[i], "albums");
      most += is_kind(albums, JARR) ? albums->len : 0;
    }
    const char **seen = calloc(most + 1, sizeof *seen);
    size_t count = 0;
    sb_put(&result, "{\"albums\":[");
    for (size_t i = 0; is_kind(catalog, JARR) && i < catalog->len; i++) {
      const char *kind = jstr(catalog->items[i], "kind");
      if (!kind || !strcmp(kind, "regular")) album_once(&result, catalog->items[i], seen, &count);
    }
    for (size_t i = 0; is_kind(assets, JARR) && i < assets->len; i++) {
      jval *albums = jget(assets->items[i], "albums");
      for (size_t j = 0; is_kind(albums, JARR) && j < albums->len; j++) album_once(&result, albums->items[j], seen, &count);
    }
    sb_put(&result, "]}");
    free(seen);
  }
  pthread_mutex_unlock(&state_lock);
  jfree(req);
  return failure ? failure : ok_result(&result);
}
