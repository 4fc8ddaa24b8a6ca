/*
 * val_rrdp.c - the RPKI Repository Delta Protocol (RFC 8182) client.
 *
 * Documents are parsed as they arrive (expat, streaming): nothing but the
 * object being decoded is held in memory. Document type declarations are
 * refused outright (no entity expansion, no external entities). Every
 * document's SHA-256 is checked against the notification; every published
 * URI must be an rsync URI without "..", "." or empty segments, and lands
 * at DIR/host/path.
 *
 * DIR/.state holds "session_id serial notify_uri". A sync applies the
 * deltas from the state's serial to the notification's when the session
 * is the same and they are all listed, else the snapshot: into DIR.new,
 * which replaces DIR only when complete and its hash checked. A delta is
 * parsed into staging files under DIR/.tmp, checked (a replaced or
 * withdrawn file must exist with the stated hash, a new one must not
 * exist) and only then applied.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <expat.h>
#include <openssl/sha.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

#define RRDP_NS "http://www.ripe.net/rpki/rrdp"
#define MAX_NOTIFICATION (16u << 20)
#define MAX_DOCUMENT ((size_t)4 << 30)
#define MAX_OBJECT (8u << 20)		/* decoded bytes of one published object */
#define MAX_OBJECT_TEXT (MAX_OBJECT / 3 * 4 + 65536)
#define MAX_DELTAS 300
#define MAX_OBJECTS 20000000

/* ---- common XML helpers --------------------------------------------------------- */

/* The local name of an element in the RRDP namespace, or NULL. */
static const char *rrdp_name(const char *name)
{
	size_t n = sizeof(RRDP_NS) - 1;
	if (strncmp(name, RRDP_NS, n) == 0 && name[n] == ' ')
		return name + n + 1;
	return NULL;
}

static const char *attr(const char **atts, const char *name)
{
	for (size_t i = 0; atts[i] != NULL; i += 2)
		if (strcmp(atts[i], name) == 0)
			return atts[i + 1];
	return NULL;
}

/* Only the named attributes (NULL-terminated list) may be present. */
static bool attrs_only(const char **atts, const char *const *allowed)
{
	for (size_t i = 0; atts[i] != NULL; i += 2) {
		bool ok = false;
		for (size_t j = 0; allowed[j] != NULL; j++)
			if (strcmp(atts[i], allowed[j]) == 0)
				ok = true;
		if (!ok)
			return false;
	}
	return true;
}

static int parse_serial(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_session(const char *s, char out[64])
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 63)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-'))
			return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

static int parse_hash(const char *s, uint8_t out[32])
{
	if (s == NULL || strlen(s) != 64)
		return -1;
	for (size_t i = 0; i < 32; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + (size_t)k];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				v |= c - 'A' + 10;
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void XMLCALL refuse_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
				   const XML_Char *pubid, int has_internal_subset);

struct xml_base {
	XML_Parser p;
	const char *fn;
	bool failed;
	char why[256];
};

static void xml_fail(struct xml_base *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xml_fail(struct xml_base *b, const char *fmt, ...)
{
	va_list ap;

	if (!b->failed) {
		va_start(ap, fmt);
		vsnprintf(b->why, sizeof(b->why), fmt, ap);
		va_end(ap);
		b->failed = true;
	}
	XML_StopParser(b->p, XML_FALSE);
}

static void XMLCALL refuse_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
				   const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	xml_fail(data, "document type declarations are not allowed");
}

static void XMLCALL refuse_entity(void *data, const XML_Char *name, int is_param, const XML_Char *value,
				  int value_len, const XML_Char *base, const XML_Char *sysid,
				  const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	xml_fail(data, "entity declarations are not allowed");
}

static XML_Parser xml_new(struct xml_base *b)
{
	XML_Parser p = XML_ParserCreateNS(NULL, ' ');

	if (p == NULL)
		fatalx("out of memory (XML parser)");
	b->p = p;
	XML_SetUserData(p, b);
	XML_SetStartDoctypeDeclHandler(p, refuse_doctype);
	XML_SetEntityDeclHandler(p, refuse_entity);
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
	return p;
}

/* Feed bytes; -1 (with b->why) when the document is rejected. */
static int xml_feed(struct xml_base *b, const uint8_t *buf, size_t len, bool final)
{
	if (b->failed)
		return -1;
	while (len > 0 || final) {
		int chunk = len > (1u << 30) ? (1 << 30) : (int)len;
		if (XML_Parse(b->p, (const char *)buf, chunk, final && (size_t)chunk == len) != XML_STATUS_OK) {
			if (!b->failed)
				xml_fail(b, "XML error at line %lu: %s", (unsigned long)XML_GetCurrentLineNumber(b->p),
					 XML_ErrorString(XML_GetErrorCode(b->p)));
			return -1;
		}
		buf += chunk;
		len -= (size_t)chunk;
		if (final && len == 0)
			break;
	}
	return b->failed ? -1 : 0;
}

/* ---- notification ------------------------------------------------------------------- */

struct nparse {
	struct xml_base b;	/* first: the expat user data */
	struct val_rrdp_notification *n;
	int depth;
	bool have_snapshot, have_root;
	size_t dcap;
};

static void XMLCALL n_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct nparse *np = data;
	const char *local = rrdp_name(name);
	struct val_rrdp_notification *n = np->n;

	np->depth++;
	if (local == NULL) {
		xml_fail(&np->b, "element %s outside the RRDP namespace", name);
		return;
	}
	if (np->depth == 1) {
		static const char *const ok[] = { "version", "session_id", "serial", "xmlns", NULL };
		const char *v = attr(atts, "version");
		if (strcmp(local, "notification") != 0) {
			xml_fail(&np->b, "root element %s, want notification", local);
			return;
		}
		if (v == NULL || strcmp(v, "1") != 0 || !attrs_only(atts, ok)) {
			xml_fail(&np->b, "notification: want version 1 and only its attributes");
			return;
		}
		if (parse_session(attr(atts, "session_id"), n->session) < 0 ||
		    parse_serial(attr(atts, "serial"), &n->serial) < 0) {
			xml_fail(&np->b, "notification: bad session_id or serial");
			return;
		}
		np->have_root = true;
		return;
	}
	if (np->depth != 2) {
		xml_fail(&np->b, "unexpected nested element %s", local);
		return;
	}
	if (strcmp(local, "snapshot") == 0) {
		static const char *const ok[] = { "uri", "hash", NULL };
		const char *uri = attr(atts, "uri");
		if (np->have_snapshot || !attrs_only(atts, ok) || uri == NULL ||
		    val_uri_check(uri, VAL_URI_HTTPS) == NULL || parse_hash(attr(atts, "hash"), n->snapshot_hash) < 0) {
			xml_fail(&np->b, "snapshot: bad or duplicate element");
			return;
		}
		n->snapshot_uri = xstrdup(uri);
		np->have_snapshot = true;
	} else if (strcmp(local, "delta") == 0) {
		static const char *const ok[] = { "serial", "uri", "hash", NULL };
		const char *uri = attr(atts, "uri");
		struct val_rrdp_delta_ref d;
		if (!attrs_only(atts, ok) || uri == NULL || val_uri_check(uri, VAL_URI_HTTPS) == NULL ||
		    parse_serial(attr(atts, "serial"), &d.serial) < 0 || parse_hash(attr(atts, "hash"), d.hash) < 0) {
			xml_fail(&np->b, "delta: bad element");
			return;
		}
		if (n->ndeltas >= 100000) {
			xml_fail(&np->b, "too many deltas");
			return;
		}
		if (n->ndeltas == np->dcap) {
			np->dcap = np->dcap ? np->dcap * 2 : 16;
			n->deltas = xrealloc(n->deltas, np->dcap * sizeof(*n->deltas));
		}
		d.uri = xstrdup(uri);
		n->deltas[n->ndeltas++] = d;
	} else {
		xml_fail(&np->b, "unexpected element %s", local);
	}
}

static void XMLCALL n_end(void *data, const XML_Char *name)
{
	struct nparse *np = data;
	(void)name;
	np->depth--;
}

static int delta_cmp(const void *a, const void *b)
{
	const struct val_rrdp_delta_ref *x = a, *y = b;
	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

int val_rrdp_parse_notification(const uint8_t *buf, size_t len, const char *fn,
				struct val_rrdp_notification *n)
{
	struct nparse np;

	memset(n, 0, sizeof(*n));
	memset(&np, 0, sizeof(np));
	np.b.fn = fn;
	np.n = n;
	xml_new(&np.b);
	XML_SetElementHandler(np.b.p, n_start, n_end);
	if (xml_feed(&np.b, buf, len, true) < 0 || !np.have_root || !np.have_snapshot) {
		val_warnx("%s: RFC 8182 section 3.5.1: bad notification file: %s", fn,
			  np.b.failed ? np.b.why : "no snapshot");
		XML_ParserFree(np.b.p);
		val_rrdp_notification_clear(n);
		return -1;
	}
	XML_ParserFree(np.b.p);
	if (n->ndeltas > 1)
		qsort(n->deltas, n->ndeltas, sizeof(*n->deltas), delta_cmp);
	for (size_t i = 1; i < n->ndeltas; i++)
		if (n->deltas[i].serial == n->deltas[i - 1].serial) {
			val_warnx("%s: RFC 8182 section 3.5.1: duplicate delta serial %" PRIu64, fn, n->deltas[i].serial);
			val_rrdp_notification_clear(n);
			return -1;
		}
	for (size_t i = 0; i < n->ndeltas; i++)
		if (n->deltas[i].serial > n->serial) {
			val_warnx("%s: RFC 8182 section 3.5.1: delta serial above the notification's", fn);
			val_rrdp_notification_clear(n);
			return -1;
		}
	return 0;
}

void val_rrdp_notification_clear(struct val_rrdp_notification *n)
{
	free(n->snapshot_uri);
	for (size_t i = 0; i < n->ndeltas; i++)
		free(n->deltas[i].uri);
	free(n->deltas);
	memset(n, 0, sizeof(*n));
}

/* ---- snapshots and deltas ------------------------------------------------------------ */

struct dop {
	char *path;		/* target file */
	char *tmp;		/* staged content (publish), NULL for withdraw */
	bool has_hash;
	uint8_t hash[32];
};

struct dparse {
	struct xml_base b;
	bool is_delta;
	const char *expect_session;
	uint64_t expect_serial;
	const char *dir;	/* NULL: parse only */
	int depth;
	bool have_root;
	/* the element being read */
	int elem;		/* 0, 1 publish, 2 withdraw */
	char *path;
	bool has_hash;
	uint8_t hash[32];
	char *text;
	size_t tlen, tcap;
	/* results */
	size_t published, withdrawn;
	struct dop *ops;
	size_t nops, opscap;
	char *lastdir;
	SHA256_CTX sha;
	size_t total;
};

/* DIR/host/path of a published rsync URI, or NULL. */
static char *uri_path(const char *dir, const char *uri)
{
	const char *rest = val_uri_check(uri, VAL_URI_RSYNC);
	size_t n;

	if (rest == NULL)
		return NULL;
	n = strlen(rest);
	if (n == 0 || rest[n - 1] == '/' || strchr(rest, '/') == NULL)
		return NULL;
	return xasprintf("%s/%s", dir ? dir : "", rest);
}

static int mkparent(struct dparse *dp, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = (size_t)(slash - path);

	if (dp->lastdir != NULL && strlen(dp->lastdir) == n && strncmp(dp->lastdir, path, n) == 0)
		return 0;
	free(dp->lastdir);
	dp->lastdir = xstrndup(path, n);
	if (val_mkdirs(dp->lastdir) < 0) {
		free(dp->lastdir);
		dp->lastdir = NULL;
		return -1;
	}
	return 0;
}

static int write_excl(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(path);
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return close(fd);
}

static void XMLCALL d_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct dparse *dp = data;
	const char *local = rrdp_name(name);

	dp->depth++;
	if (local == NULL) {
		xml_fail(&dp->b, "element %s outside the RRDP namespace", name);
		return;
	}
	if (dp->depth == 1) {
		static const char *const ok[] = { "version", "session_id", "serial", "xmlns", NULL };
		const char *v = attr(atts, "version");
		char session[64];
		uint64_t serial;
		if (strcmp(local, dp->is_delta ? "delta" : "snapshot") != 0) {
			xml_fail(&dp->b, "root element %s, want %s", local, dp->is_delta ? "delta" : "snapshot");
			return;
		}
		if (v == NULL || strcmp(v, "1") != 0 || !attrs_only(atts, ok) ||
		    parse_session(attr(atts, "session_id"), session) < 0 ||
		    parse_serial(attr(atts, "serial"), &serial) < 0) {
			xml_fail(&dp->b, "%s: want version 1, a session_id and a serial", local);
			return;
		}
		if (dp->expect_session != NULL && strcmp(session, dp->expect_session) != 0) {
			xml_fail(&dp->b, "session_id %s, the notification says %s", session, dp->expect_session);
			return;
		}
		if (dp->expect_serial != 0 && serial != dp->expect_serial) {
			xml_fail(&dp->b, "serial %" PRIu64 ", the notification says %" PRIu64, serial,
				 dp->expect_serial);
			return;
		}
		dp->have_root = true;
		return;
	}
	if (dp->depth != 2) {
		xml_fail(&dp->b, "unexpected nested element %s", local);
		return;
	}
	if (dp->published + dp->withdrawn >= MAX_OBJECTS) {
		xml_fail(&dp->b, "more than %d objects", MAX_OBJECTS);
		return;
	}
	const char *uri = attr(atts, "uri"), *hash = attr(atts, "hash");
	if (uri == NULL || (dp->path = uri_path(dp->dir, uri)) == NULL) {
		xml_fail(&dp->b, "%s: missing or unacceptable uri %.200s", local, uri ? uri : "");
		return;
	}
	dp->has_hash = hash != NULL;
	if (hash != NULL && parse_hash(hash, dp->hash) < 0) {
		xml_fail(&dp->b, "%s: bad hash for %s", local, uri);
		return;
	}
	if (strcmp(local, "publish") == 0) {
		static const char *const ok[] = { "uri", "hash", NULL };
		if (!attrs_only(atts, ok) || (!dp->is_delta && hash != NULL)) {
			xml_fail(&dp->b, "publish: unexpected attributes for %s", uri);
			return;
		}
		dp->elem = 1;
		dp->tlen = 0;
	} else if (strcmp(local, "withdraw") == 0) {
		static const char *const ok[] = { "uri", "hash", NULL };
		if (!dp->is_delta || !attrs_only(atts, ok) || hash == NULL) {
			xml_fail(&dp->b, "withdraw: only in deltas, with uri and hash (%s)", uri);
			return;
		}
		dp->elem = 2;
	} else {
		xml_fail(&dp->b, "unexpected element %s", local);
	}
}

static void XMLCALL d_text(void *data, const XML_Char *s, int len)
{
	struct dparse *dp = data;

	if (dp->elem != 1) {
		for (int i = 0; i < len; i++)
			if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
				xml_fail(&dp->b, "unexpected text");
				return;
			}
		return;
	}
	if (dp->tlen + (size_t)len > MAX_OBJECT_TEXT) {
		xml_fail(&dp->b, "published object larger than %u bytes", MAX_OBJECT);
		return;
	}
	if (dp->tlen + (size_t)len > dp->tcap) {
		size_t cap = dp->tcap ? dp->tcap : 8192;
		while (cap < dp->tlen + (size_t)len)
			cap *= 2;
		dp->text = xrealloc(dp->text, cap);
		dp->tcap = cap;
	}
	memcpy(dp->text + dp->tlen, s, (size_t)len);
	dp->tlen += (size_t)len;
}

static void add_op(struct dparse *dp, char *tmp)
{
	struct dop *op;

	if (dp->nops == dp->opscap) {
		dp->opscap = dp->opscap ? dp->opscap * 2 : 64;
		dp->ops = xrealloc(dp->ops, dp->opscap * sizeof(*dp->ops));
	}
	op = &dp->ops[dp->nops++];
	op->path = dp->path;
	dp->path = NULL;
	op->tmp = tmp;
	op->has_hash = dp->has_hash;
	memcpy(op->hash, dp->hash, 32);
}

static void XMLCALL d_end(void *data, const XML_Char *name)
{
	struct dparse *dp = data;
	uint8_t *obj;
	size_t olen;

	(void)name;
	dp->depth--;
	if (dp->depth != 1 || dp->elem == 0 || dp->b.failed)
		return;
	if (dp->elem == 2) {
		dp->withdrawn++;
		if (dp->dir != NULL)
			add_op(dp, NULL);
		free(dp->path);
		dp->path = NULL;
		dp->elem = 0;
		return;
	}
	dp->elem = 0;
	/* An empty publish is accepted (an empty file, rejected when parsed),
	 * as rpki-client does. */
	obj = val_base64_decode(dp->text, dp->tlen, &olen);
	if (obj == NULL) {
		xml_fail(&dp->b, "publish: bad base64 for %s", dp->path);
		return;
	}
	dp->published++;
	if (dp->dir != NULL) {
		if (!dp->is_delta) {
			if (mkparent(dp, dp->path) < 0 || write_excl(dp->path, obj, olen) < 0) {
				xml_fail(&dp->b, "%s: %s", dp->path,
					 errno == EEXIST ? "published twice in the snapshot" : strerror(errno));
				free(obj);
				return;
			}
		} else {
			char *tmp = xasprintf("%s/.tmp/%zu", dp->dir, dp->nops);
			if (write_excl(tmp, obj, olen) < 0) {
				xml_fail(&dp->b, "%s: %s", tmp, strerror(errno));
				free(tmp);
				free(obj);
				return;
			}
			add_op(dp, tmp);
		}
	}
	free(obj);
	free(dp->path);
	dp->path = NULL;
}

static void dparse_init(struct dparse *dp, const char *fn, bool is_delta, const char *dir,
			const char *session, uint64_t serial)
{
	memset(dp, 0, sizeof(*dp));
	dp->b.fn = fn;
	dp->is_delta = is_delta;
	dp->dir = dir;
	dp->expect_session = session;
	dp->expect_serial = serial;
	xml_new(&dp->b);
	XML_SetElementHandler(dp->b.p, d_start, d_end);
	XML_SetCharacterDataHandler(dp->b.p, d_text);
	SHA256_Init(&dp->sha);
}

static void dparse_free(struct dparse *dp)
{
	XML_ParserFree(dp->b.p);
	free(dp->path);
	free(dp->text);
	for (size_t i = 0; i < dp->nops; i++) {
		if (dp->ops[i].tmp != NULL) {
			unlink(dp->ops[i].tmp);
			free(dp->ops[i].tmp);
		}
		free(dp->ops[i].path);
	}
	free(dp->ops);
	free(dp->lastdir);
}

static int dparse_sink(void *arg, const uint8_t *buf, size_t len)
{
	struct dparse *dp = arg;

	dp->total += len;
	SHA256_Update(&dp->sha, buf, len);
	if (xml_feed(&dp->b, buf, len, false) < 0) {
		val_warnx("%s: RFC 8182: %s", dp->b.fn, dp->b.why);
		return -1;
	}
	return 0;
}

/* End of document: final parse step, completeness. */
static int dparse_finish(struct dparse *dp)
{
	if (xml_feed(&dp->b, NULL, 0, true) < 0) {
		val_warnx("%s: RFC 8182: %s", dp->b.fn, dp->b.why);
		return -1;
	}
	if (!dp->have_root) {
		val_warnx("%s: RFC 8182: empty document", dp->b.fn);
		return -1;
	}
	return 0;
}

static int file_hash(const char *path, uint8_t out[32])
{
	size_t len;
	uint8_t *buf = val_read_file(path, (size_t)1 << 31, &len);

	if (buf == NULL)
		return -1;
	val_sha256(buf, len, out);
	free(buf);
	return 0;
}

/* Check every operation of a parsed delta against dir, then apply them. */
static int delta_apply(struct dparse *dp)
{
	uint8_t h[32];

	for (size_t i = 0; i < dp->nops; i++) {
		struct dop *op = &dp->ops[i];
		bool earlier = false;
		for (size_t j = 0; j < i && !earlier; j++)
			earlier = strcmp(dp->ops[j].path, op->path) == 0;
		if (earlier)
			continue;	/* its state depends on this delta: checked when applied */
		if (op->has_hash) {
			int rc = file_hash(op->path, h);
			if (rc < 0 || memcmp(h, op->hash, 32) != 0) {
				val_warnx("%s: RFC 8182 section 3.4.2: %s %s: the file is %s", dp->b.fn,
					  op->tmp ? "replacing" : "withdrawing", op->path,
					  rc < 0 ? "missing" : "not the one with the given hash");
				return -1;
			}
		} else if (access(op->path, F_OK) == 0) {
			val_warnx("%s: RFC 8182 section 3.4.2: publishing %s without hash, but it exists", dp->b.fn,
				  op->path);
			return -1;
		}
	}
	for (size_t i = 0; i < dp->nops; i++) {
		struct dop *op = &dp->ops[i];
		if (op->tmp == NULL) {
			if (unlink(op->path) < 0 && errno != ENOENT) {
				val_warnx("%s: %s", op->path, strerror(errno));
				return -1;
			}
			continue;
		}
		if (mkparent(dp, op->path) < 0 || rename(op->tmp, op->path) < 0) {
			val_warnx("%s: %s", op->path, strerror(errno));
			return -1;
		}
		free(op->tmp);
		op->tmp = NULL;
	}
	return 0;
}

/* ---- state ------------------------------------------------------------------------------- */

static int state_read(const char *dir, char session[64], uint64_t *serial, const char *notify)
{
	char *path = xasprintf("%s/.state", dir), uri[1100], sess[100];
	unsigned long long s;
	FILE *f = fopen(path, "r");
	int rc = -1;

	free(path);
	if (f == NULL)
		return -1;
	if (fscanf(f, "%99s %llu %1099s", sess, &s, uri) == 3 && strcmp(uri, notify) == 0 &&
	    parse_session(sess, session) == 0 && s > 0) {
		*serial = s;
		rc = 0;
	}
	fclose(f);
	return rc;
}

static int state_write(const char *dir, const char *session, uint64_t serial, const char *notify)
{
	char *path = xasprintf("%s/.state", dir);
	char *text = xasprintf("%s %" PRIu64 " %s\n", session, serial, notify);
	int rc = val_write_file(path, text, strlen(text));

	if (rc < 0)
		val_warnx("%s: %s", path, strerror(errno));
	free(path);
	free(text);
	return rc;
}

/* ---- sync ---------------------------------------------------------------------------------- */

/* Same scheme, host and port as the notification. */
static bool same_origin(const char *a, const char *b)
{
	const char *ha = a + 8, *hb = b + 8;
	size_t na = strcspn(ha, "/"), nb = strcspn(hb, "/");

	return strncasecmp(a, b, 8) == 0 && na == nb && strncasecmp(ha, hb, na) == 0;
}

static size_t left_time(long deadline)
{
	long now = (long)time(NULL);
	return deadline > now ? (size_t)(deadline - now) : 1;
}

static int fetch_doc(const char *uri, const uint8_t want[32], struct dparse *dp, const struct val_http_opts *o,
		     long deadline)
{
	struct val_http_opts ho = *o;
	uint8_t got[32];

	ho.max_size = MAX_DOCUMENT;
	ho.timeout = (long)left_time(deadline);
	if (val_http_get(uri, &ho, dparse_sink, dp) <= 0)
		return -1;
	if (dparse_finish(dp) < 0)
		return -1;
	SHA256_Final(got, &dp->sha);
	if (memcmp(got, want, 32) != 0) {
		val_warnx("%s: RFC 8182 section 3.5.1.3: hash does not match the notification's", uri);
		return -1;
	}
	return 0;
}

static int sync_deltas(const char *notify, const char *dir, const struct val_rrdp_notification *n,
		       uint64_t serial, const struct val_http_opts *o, long deadline, struct val_rrdp_stats *st)
{
	size_t first = n->ndeltas;
	char *tmpdir = xasprintf("%s/.tmp", dir);
	int rc = -1;

	for (size_t i = 0; i < n->ndeltas; i++)
		if (n->deltas[i].serial == serial + 1) {
			first = i;
			break;
		}
	if (first == n->ndeltas || n->ndeltas - first != n->serial - serial || n->serial - serial > MAX_DELTAS) {
		val_info("%s: deltas from serial %" PRIu64 " to %" PRIu64 " not available, using the snapshot",
			 notify, serial, n->serial);
		goto out;
	}
	for (size_t i = first; i < n->ndeltas; i++) {
		const struct val_rrdp_delta_ref *d = &n->deltas[i];
		struct dparse dp;
		if (d->serial != serial + 1 || !same_origin(d->uri, notify)) {
			val_warnx("%s: RFC 8182: delta %s not usable (serial gap or other origin)", notify, d->uri);
			goto out;
		}
		val_rmtree(tmpdir);
		if (val_mkdirs(tmpdir) < 0) {
			val_warnx("%s: %s", tmpdir, strerror(errno));
			goto out;
		}
		dparse_init(&dp, d->uri, true, dir, n->session, d->serial);
		if (fetch_doc(d->uri, d->hash, &dp, o, deadline) < 0 || delta_apply(&dp) < 0) {
			dparse_free(&dp);
			goto out;
		}
		st->published += dp.published;
		st->withdrawn += dp.withdrawn;
		dparse_free(&dp);
		serial = d->serial;
		st->ndeltas++;
		if (state_write(dir, n->session, serial, notify) < 0)
			goto out;
	}
	st->delta = true;
	rc = 0;
out:
	val_rmtree(tmpdir);
	free(tmpdir);
	return rc;
}

static int sync_snapshot(const char *notify, const char *dir, const struct val_rrdp_notification *n,
			 const struct val_http_opts *o, long deadline, struct val_rrdp_stats *st)
{
	char *newdir = xasprintf("%s.new", dir), *olddir = xasprintf("%s.old", dir);
	struct dparse dp;
	int rc = -1;

	if (!same_origin(n->snapshot_uri, notify)) {
		val_warnx("%s: RFC 8182: snapshot %s is on another origin", notify, n->snapshot_uri);
		goto out;
	}
	val_rmtree(newdir);
	if (val_mkdirs(newdir) < 0) {
		val_warnx("%s: %s", newdir, strerror(errno));
		goto out;
	}
	dparse_init(&dp, n->snapshot_uri, false, newdir, n->session, n->serial);
	if (fetch_doc(n->snapshot_uri, n->snapshot_hash, &dp, o, deadline) < 0) {
		dparse_free(&dp);
		val_rmtree(newdir);
		goto out;
	}
	st->published += dp.published;
	dparse_free(&dp);
	if (state_write(newdir, n->session, n->serial, notify) < 0)
		goto out;
	val_rmtree(olddir);
	if ((rename(dir, olddir) < 0 && errno != ENOENT) || rename(newdir, dir) < 0) {
		val_warnx("%s: cannot replace the repository: %s", dir, strerror(errno));
		goto out;
	}
	val_rmtree(olddir);
	st->snapshot = true;
	rc = 0;
out:
	free(newdir);
	free(olddir);
	return rc;
}

int val_rrdp_sync(const char *notify_uri, const char *dir, const struct val_http_opts *o,
		  struct val_rrdp_stats *st)
{
	struct val_rrdp_notification n;
	struct val_http_opts ho = *o;
	long deadline = (long)time(NULL) + (o->timeout > 0 ? o->timeout : 300);
	char session[64];
	uint64_t serial = 0;
	bool have_state;
	uint8_t *buf;
	size_t len;
	int rc;

	memset(st, 0, sizeof(*st));
	have_state = state_read(dir, session, &serial, notify_uri) == 0;
	ho.max_size = MAX_NOTIFICATION;
	ho.timeout = (long)left_time(deadline);
	if (val_http_fetch(notify_uri, &ho, &buf, &len) < 0)
		return -1;
	rc = val_rrdp_parse_notification(buf, len, notify_uri, &n);
	free(buf);
	if (rc < 0)
		return -1;
	if (have_state && strcmp(session, n.session) == 0) {
		if (serial == n.serial) {
			val_debug("%s: serial %" PRIu64 " is current", notify_uri, serial);
			val_rrdp_notification_clear(&n);
			return 0;
		}
		if (serial < n.serial && sync_deltas(notify_uri, dir, &n, serial, o, deadline, st) == 0) {
			val_rrdp_notification_clear(&n);
			return 0;
		}
	}
	rc = sync_snapshot(notify_uri, dir, &n, o, deadline, st);
	val_rrdp_notification_clear(&n);
	return rc;
}

int val_rrdp_apply_buffer(const uint8_t *buf, size_t len, const char *fn, const char *dir,
			  bool is_delta, const char *expect_session, uint64_t expect_serial)
{
	struct dparse dp;
	char *tmpdir = NULL;
	int rc = -1;

	if (dir != NULL && is_delta) {
		tmpdir = xasprintf("%s/.tmp", dir);
		val_rmtree(tmpdir);
		if (val_mkdirs(tmpdir) < 0) {
			free(tmpdir);
			return -1;
		}
	}
	dparse_init(&dp, fn, is_delta, dir, expect_session, expect_serial);
	if (dparse_sink(&dp, buf, len) == 0 && dparse_finish(&dp) == 0 &&
	    (!is_delta || dir == NULL || delta_apply(&dp) == 0))
		rc = 0;
	dparse_free(&dp);
	if (tmpdir != NULL) {
		val_rmtree(tmpdir);
		free(tmpdir);
	}
	return rc;
}
