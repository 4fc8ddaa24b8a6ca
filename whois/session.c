/*
 * session.c - one whois connection's state and the query parser: IRRd
 * 4.5's WhoisQueryParser and WhoisQueryResponse, with its command set,
 * error texts and framing (see ../shared/CONTRACT.md "Whois").
 *
 * A query line is decoded as IRRd decodes it (UTF-8, invalid bytes become
 * the text "\xNN"), stripped of surrounding whitespace, and answered into
 * the session's scratch buffer; the framed answer goes to the caller's
 * evbuffer in one piece. Every answer has its password hashes masked,
 * except NRTM (-g), as IRRd's remove_auth_hashes() does.
 *
 * Deviations, as CONTRACT.md allows: the command letter of `!` queries is
 * case-insensitive (except !j / !J, which differ), and so are -i attribute
 * names, -T / -t / !m class names, set names and keys (IRRd upper-cases
 * most of these itself); !r...,o lists each origin once. !g, !6 and !a
 * list prefixes sorted by address (IRRd answers from an unordered set),
 * IPv4 before IPv6. The list of lookup attributes in -i's error is sorted
 * (IRRd prints a Python set, in no fixed order).
 */
#include "whois/whois_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>

#include "rpsl/log.h"

#define DEFAULT_TIMEOUT 30

enum wresp { R_SUCCESS, R_NOT_FOUND, R_ERROR, R_INTERNAL, R_NONE };
enum wmode { M_IRRD, M_RIPE };

struct whois_session {
	const struct whois_context *ctx;
	bool multi;			/* !! or -k */
	int timeout;
	bool rpki_filter;		/* leave RPKI-invalid out of !r, !m, !o, RIPE */
	bool key_fields_only;		/* -K, this query only */
	bool classes_set;		/* -T, until the next object query */
	uint32_t classes;
	char **sources;			/* !s / -s selection (upper case); NULL: default */
	size_t nsources;
	char **excluded;		/* !e, in the order given */
	size_t nexcluded;
	struct wstrset excluded_set;	/* the same, for lookups */
	char *user_agent;
	bool has_peer;
	struct ip_addr peer;

	struct wbuf line;		/* the decoded query */
	struct wbuf body;		/* answer text or error message */
	struct wbuf frame;		/* framed answer */
	struct warena arena;
	bool mask_auth;			/* mask password hashes in this answer */
};

/* ---------------------------------------------------------------- helpers */

static void strlist_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Python's s.upper().split(","). */
static char **split_upper(const char *s, size_t len, size_t *n)
{
	size_t cnt = 1;
	for (size_t i = 0; i < len; i++)
		if (s[i] == ',')
			cnt++;
	char **v = xcalloc(cnt, sizeof(*v));
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ',')
			continue;
		v[k] = xstrndup(s + start, i - start);
		w_upper(v[k], i - start);
		k++;
		start = i + 1;
	}
	*n = cnt;
	return v;
}

static bool streq_n(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

/* IRRd's all_valid_sources: configured sources, then RPKI in RPKI-aware
 * mode. Without a configuration (tests, benchmarks): every indexed source. */
static size_t valid_sources(const struct whois_session *s, const char **out)
{
	const struct cfg *cfg = s->ctx->cfg;
	size_t n = 0;
	if (cfg == NULL) {
		for (unsigned i = 0; i < s->ctx->idx->nsrc && n < WHOIS_MAX_SOURCES; i++)
			out[n++] = s->ctx->idx->srcnames[i];
		return n;
	}
	for (size_t i = 0; i < cfg->nsources && n < WHOIS_MAX_SOURCES - 1; i++)
		out[n++] = cfg->sources[i].name;
	if (cfg->rpki_enabled)
		out[n++] = "RPKI";
	return n;
}

static bool source_valid(const struct whois_session *s, const char *name)
{
	const char *v[WHOIS_MAX_SOURCES];
	size_t n = valid_sources(s, v);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

/* The selected source names: !s / -s, else sources_default, else all. */
static size_t selected_sources(const struct whois_session *s, const char **out)
{
	const struct cfg *cfg = s->ctx->cfg;
	if (s->sources != NULL) {
		size_t n = s->nsources < WHOIS_MAX_SOURCES ? s->nsources : WHOIS_MAX_SOURCES;
		for (size_t i = 0; i < n; i++)
			out[i] = s->sources[i];
		return n;
	}
	if (cfg != NULL && cfg->nsources_default > 0) {
		size_t n = cfg->nsources_default < WHOIS_MAX_SOURCES ? cfg->nsources_default : WHOIS_MAX_SOURCES;
		for (size_t i = 0; i < n; i++)
			out[i] = cfg->sources_default[i];
		return n;
	}
	return valid_sources(s, out);
}

static const struct cfg_source *cfg_source(const struct whois_session *s, const char *name)
{
	const struct cfg *cfg = s->ctx->cfg;
	if (cfg == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->nsources; i++)
		if (strcasecmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
	return NULL;
}

static const struct whois_source_status *source_status(const struct whois_session *s, const char *name)
{
	for (size_t i = 0; i < s->ctx->nstatus; i++)
		if (s->ctx->status[i].source && strcasecmp(s->ctx->status[i].source, name) == 0)
			return &s->ctx->status[i];
	return NULL;
}

/* Build the per-query view: resolved sources (unique, real, indexed) in
 * priority order. */
void wsession_prepare(struct whois_session *s, struct wquery *q)
{
	const char *sel[WHOIS_MAX_SOURCES];
	size_t n = selected_sources(s, sel);

	memset(q, 0, sizeof(*q));
	q->ctx = s->ctx;
	q->idx = s->ctx->idx;
	q->arena = &s->arena;
	q->excluded = s->nexcluded ? &s->excluded_set : NULL;
	q->default_sources = s->sources == NULL;
	for (size_t i = 0; i < n; i++) {
		if (!source_valid(s, sel[i]))
			continue;
		int id = widx_source_id(q->idx, sel[i]);
		if (id < 0 || wsrcmask_has(&q->mask, (unsigned)id))
			continue;
		wsrcmask_set(&q->mask, (unsigned)id);
		q->srcs[q->nsrcs++] = (unsigned)id;
	}
}

/* The filter of an object query; consumes -T as IRRd's _prepare_query. */
static struct wfilter take_filter(struct whois_session *s)
{
	struct wfilter f = { s->rpki_filter, s->classes_set, s->classes };
	s->classes_set = false;
	s->classes = 0;
	return f;
}

static bool addr_in_prefix(const struct ip_addr *a, const struct ip_prefix *p)
{
	if (a->family != p->family)
		return false;
	for (unsigned i = 0; i < p->len; i++)
		if (ip_bit(a->a, i) != ip_bit(p->a, i))
			return false;
	return true;
}

/* IRRd's is_client_permitted(ip, "sources.X.nrtm_access_list"): an unset
 * or empty list denies. IPv4-mapped IPv6 clients count as IPv4. */
static bool nrtm_permitted(const struct whois_session *s, const struct cfg_source *src)
{
	const struct cfg *cfg = s->ctx->cfg;
	if (!s->has_peer || cfg == NULL || src == NULL || src->nrtm_access_list == NULL)
		return false;
	struct ip_addr a = s->peer;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (a.family == IP_AF6 && memcmp(a.a, mapped, 12) == 0) {
		a.family = IP_AF4;
		memmove(a.a, a.a + 12, 4);
		memset(a.a + 4, 0, 12);
	}
	for (size_t i = 0; i < cfg->naccess_lists; i++) {
		const struct cfg_access_list *al = &cfg->access_lists[i];
		if (strcmp(al->name, src->nrtm_access_list) != 0)
			continue;
		for (size_t k = 0; k < al->nprefixes; k++)
			if (addr_in_prefix(&a, &al->prefixes[k]))
				return true;
		return false;
	}
	return false;
}

static void set_error(struct whois_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct whois_session *s, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("vasprintf");
	va_end(ap);
	wbuf_reset(&s->body);
	wbuf_adds(&s->body, msg);
	free(msg);
}

/* ---------------------------------------------------------------- ! commands */

static enum wresp cmd_timeout(struct whois_session *s, const char *p, size_t pl)
{
	bool neg, ovf;
	unsigned __int128 v;
	if (!w_py_int(p, pl, 10, &neg, &v, &ovf) || neg || ovf || v == 0 || v > 1000) {
		set_error(s, "Invalid value for timeout: %.*s", (int)pl, p);
		return R_ERROR;
	}
	s->timeout = (int)v;
	return R_SUCCESS;
}

static enum wresp cmd_origin(struct whois_session *s, const char *p, size_t pl, int fam)
{
	uint32_t asn;
	struct wquery q;

	wbuf_reset(&s->body);
	bool asdot = s->ctx->cfg != NULL && s->ctx->cfg->compat_asdot_queries;
	if (!w_parse_as_query(p, pl, asdot, &asn, &s->body))
		return R_ERROR;
	wsession_prepare(s, &q);
	struct worigin *or = widx_origin(q.idx, asn);
	if (or == NULL)
		return R_NOT_FOUND;
	size_t len;
	const char *str = wres_origin_prefix_str(&q, or, fam, &len);
	if (len == 0)
		return R_NOT_FOUND;
	wbuf_add(&s->body, str, len);
	return R_SUCCESS;
}

/*
 * Set queries that take long (a big as-set: tens of milliseconds) keep
 * their answer in the index until it changes (struct wanswer): filter
 * generators ask for the same big sets again and again. The key is the
 * command, the name and the resolved sources in order; queries with !e
 * exclusions are not cached.
 */
static size_t answer_key(const struct whois_session *s, const struct wquery *q, char cmd, int family,
			 const char *name, char *key, size_t keysz)
{
	size_t n = 0, nl = strlen(name);

	if (s->nexcluded > 0 || 3 + q->nsrcs * 2 + nl > keysz)
		return 0;
	key[n++] = cmd;
	key[n++] = (char)family;
	key[n++] = (char)q->nsrcs;
	for (unsigned i = 0; i < q->nsrcs; i++) {
		key[n++] = (char)(q->srcs[i] & 0xff);
		key[n++] = (char)(q->srcs[i] >> 8);
	}
	memcpy(key + n, name, nl);
	return n + nl;
}

static int64_t now_nsec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The cached answer into s->body: R_SUCCESS / R_NOT_FOUND, or R_NONE if
 * there is none. */
static enum wresp answer_cached(struct whois_session *s, const struct wquery *q, const char *key, size_t keylen)
{
	struct wanswer *a;
	enum wresp r;

	if (keylen == 0 || (a = wanswer_get(q->idx, key, keylen)) == NULL)
		return R_NONE;
	wbuf_add(&s->body, a->body, a->len);
	r = a->found ? R_SUCCESS : R_NOT_FOUND;
	wanswer_release(a);
	return r;
}

static void answer_keep(struct whois_session *s, const struct wquery *q, const char *key, size_t keylen,
			uint64_t gen, int64_t t0)
{
	if (keylen > 0 && q->idx->answers_min_nsec >= 0 && now_nsec() - t0 >= q->idx->answers_min_nsec)
		wanswer_put(q->idx, gen, key, keylen, s->body.len > 0, s->body.p ? s->body.p : "", s->body.len);
}

static enum wresp cmd_as_set(struct whois_session *s, const char *p, size_t pl)
{
	char key[512];
	size_t keylen;
	uint64_t gen;
	int64_t t0;
	enum wresp r;
	int family = 0;
	struct wquery q;

	if (pl > 0 && p[0] == '4') {
		family = 4;
		p++;
		pl--;
	} else if (pl > 0 && p[0] == '6') {
		family = 6;
		p++;
		pl--;
	}
	if (pl == 0) {
		set_error(s, "Missing required set name for A query");
		return R_ERROR;
	}
	char *name = warena_strndup(&s->arena, p, pl);
	w_upper(name, pl);
	wsession_prepare(s, &q);
	keylen = answer_key(s, &q, 'a', family, name, key, sizeof(key));
	if ((r = answer_cached(s, &q, key, keylen)) != R_NONE)
		return r;
	gen = atomic_load(&q.idx->generation);
	t0 = now_nsec();
	wres_as_set_prefixes(&q, name, family, &s->body);
	answer_keep(s, &q, key, keylen, gen, t0);
	return s->body.len ? R_SUCCESS : R_NOT_FOUND;
}

static enum wresp cmd_set_members(struct whois_session *s, const char *p, size_t pl)
{
	bool recursive = false;
	struct wquery q;

	if (pl >= 2 && p[pl - 2] == ',' && p[pl - 1] == '1') {
		recursive = true;
		pl -= 2;
	}
	char *name = warena_strndup(&s->arena, p, pl);
	w_upper(name, pl);
	wsession_prepare(s, &q);
	if (!recursive) {
		wres_set_members(&q, name, false, &s->body);
		return s->body.len ? R_SUCCESS : R_NOT_FOUND;
	}
	/* The "family" slot of the key: compatibility.ipv4_only_route_set_members
	 * changes the answer, and a SIGHUP may change it. */
	bool v4only = s->ctx->cfg != NULL && s->ctx->cfg->compat_ipv4_only_route_set_members;
	char key[512];
	size_t keylen = answer_key(s, &q, 'i', v4only ? 4 : 0, name, key, sizeof(key));
	enum wresp r = answer_cached(s, &q, key, keylen);
	if (r != R_NONE)
		return r;
	uint64_t gen = atomic_load(&q.idx->generation);
	int64_t t0 = now_nsec();
	wres_set_members(&q, name, true, &s->body);
	answer_keep(s, &q, key, keylen, gen, t0);
	return s->body.len ? R_SUCCESS : R_NOT_FOUND;
}

static enum wresp cmd_serial_range(struct whois_session *s, const char *p, size_t pl)
{
	const char *valid[WHOIS_MAX_SOURCES];
	size_t nvalid = valid_sources(s, valid);
	char **req;
	size_t nreq;

	/* IRRd's all_valid_real_sources for "-*". */
	if (streq_n(p, pl, "-*")) {
		req = xcalloc(nvalid ? nvalid : 1, sizeof(*req));
		for (size_t i = 0; i < nvalid; i++)
			req[i] = xstrdup(valid[i]);
		nreq = nvalid;
	} else {
		req = split_upper(p, pl, &nreq);
	}
	struct wbuf *b = &s->body;
	struct wstrset seen = { 0 };
	for (size_t i = 0; i < nreq; i++) {
		bool dup = !wstrset_add(&seen, req[i]);
		const struct whois_source_status *st = dup ? NULL : source_status(s, req[i]);
		if (st == NULL)
			continue;
		const struct cfg_source *cs = cfg_source(s, req[i]);
		wbuf_printf(b, "%s:%s:", req[i], cs && cs->keep_journal ? "Y" : "N");
		if (st->serial_newest_mirror > 0)
			wbuf_printf(b, "0-%" PRId64, st->serial_newest_mirror);
		else
			wbuf_adds(b, "-");
		if (st->serial_last_export > 0)
			wbuf_printf(b, ":%" PRId64, st->serial_last_export);
		wbuf_addc(b, '\n');
	}
	for (size_t i = 0; i < nreq; i++)
		if (!source_valid(s, req[i]))
			wbuf_printf(b, "%s:X:Database unknown\n", req[i]);
	wstrset_free(&seen);
	strlist_free(req, nreq);
	/* Python's str.strip() of the whole text */
	if (b->len) {
		const char *t = b->p;
		size_t tl = b->len;
		w_strip(&t, &tl);
		memmove(b->p, t, tl);
		b->len = tl;
		b->p[tl] = '\0';
	}
	return R_SUCCESS;
}

/* JSON as ujson.dumps(..., indent=4) writes it. */
static void json_str(struct wbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	wbuf_addc(b, '"');
	while (*u) {
		unsigned c = *u;
		if (c == '"' || c == '\\' || c == '/') {
			wbuf_addc(b, '\\');
			wbuf_addc(b, (char)c);
			u++;
		} else if (c < 0x20) {
			const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" :
					c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;

			if (e != NULL)
				wbuf_adds(b, e);
			else
				wbuf_printf(b, "\\u%04x", c);
			u++;
		} else if (c < 0x80) {
			wbuf_addc(b, (char)c);
			u++;
		} else {
			/* The text is valid UTF-8 here (decoded query). */
			unsigned cp, n;
			if (c >= 0xf0) {
				cp = c & 0x07;
				n = 3;
			} else if (c >= 0xe0) {
				cp = c & 0x0f;
				n = 2;
			} else {
				cp = c & 0x1f;
				n = 1;
			}
			u++;
			for (unsigned k = 0; k < n && (*u & 0xc0) == 0x80; k++)
				cp = (cp << 6) | (*u++ & 0x3f);
			if (cp >= 0x10000) {
				cp -= 0x10000;
				wbuf_printf(b, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
			} else {
				wbuf_printf(b, "\\u%04x", cp);
			}
		}
	}
	wbuf_addc(b, '"');
}

static void json_key(struct wbuf *b, int indent, const char *key, bool first)
{
	if (!first)
		wbuf_addc(b, ',');
	wbuf_addc(b, '\n');
	for (int i = 0; i < indent; i++)
		wbuf_addc(b, ' ');
	json_str(b, key);
	wbuf_adds(b, ": ");
}

static void json_serial(struct wbuf *b, int64_t v)
{
	if (v < 0)
		wbuf_adds(b, "null");
	else
		wbuf_printf(b, "%" PRId64, v);
}

static enum wresp cmd_database_status(struct whois_session *s, const char *p, size_t pl)
{
	const char *valid[WHOIS_MAX_SOURCES];
	size_t nvalid = valid_sources(s, valid);
	char **req;
	size_t nreq;
	const struct cfg *cfg = s->ctx->cfg;

	if (streq_n(p, pl, "-*")) {
		req = xcalloc(nvalid ? nvalid : 1, sizeof(*req));
		for (size_t i = 0; i < nvalid; i++)
			req[i] = xstrdup(valid[i]);
		nreq = nvalid;
	} else {
		req = split_upper(p, pl, &nreq);
	}
	struct wbuf *b = &s->body;
	bool first = true;
	struct wstrset seen = { 0 };
	wbuf_addc(b, '{');
	for (size_t i = 0; i < nreq; i++) {
		bool dup = !wstrset_add(&seen, req[i]);
		const struct whois_source_status *st = dup ? NULL : source_status(s, req[i]);
		if (st == NULL)
			continue;
		const struct cfg_source *cs = cfg_source(s, req[i]);
		json_key(b, 4, req[i], first);
		first = false;
		wbuf_addc(b, '{');
		json_key(b, 8, "source_type", true);
		json_str(b, "regular");
		json_key(b, 8, "authoritative", false);
		wbuf_adds(b, cs && cs->authoritative ? "true" : "false");
		json_key(b, 8, "object_class_filter", false);
		wbuf_adds(b, "null");
		json_key(b, 8, "rpki_rov_filter", false);
		wbuf_adds(b, cfg && cfg->rpki_enabled && !(cs && cs->rpki_excluded) ? "true" : "false");
		json_key(b, 8, "scopefilter_enabled", false);
		wbuf_adds(b, "false");
		json_key(b, 8, "route_preference", false);
		wbuf_adds(b, "null");
		json_key(b, 8, "local_journal_kept", false);
		wbuf_adds(b, cs && cs->keep_journal ? "true" : "false");
		json_key(b, 8, "serial_oldest_journal", false);
		json_serial(b, st->serial_oldest_journal);
		json_key(b, 8, "serial_newest_journal", false);
		json_serial(b, st->serial_newest_journal);
		json_key(b, 8, "serial_last_export", false);
		json_serial(b, st->serial_last_export);
		json_key(b, 8, "serial_newest_mirror", false);
		json_serial(b, st->serial_newest_mirror);
		static const char *const nulls[] = {
			"nrtm4_client_session_id", "nrtm4_client_version", "nrtm4_server_session_id",
			"nrtm4_server_version", "nrtm4_server_last_update_notification_file_update",
			"nrtm4_server_last_snapshot_version",
		};
		for (size_t k = 0; k < sizeof(nulls) / sizeof(nulls[0]); k++) {
			json_key(b, 8, nulls[k], false);
			wbuf_adds(b, "null");
		}
		json_key(b, 8, "rpsl_data_updated", false);
		if (st->rpsl_data_updated)
			json_str(b, st->rpsl_data_updated);
		else
			wbuf_adds(b, "null");
		json_key(b, 8, "last_update", false);
		if (st->last_update)
			json_str(b, st->last_update);
		else
			wbuf_adds(b, "null");
		json_key(b, 8, "synchronised_serials", false);
		wbuf_adds(b, st->synchronised_serials ? "true" : "false");
		wbuf_adds(b, "\n    }");
	}
	/* Unknown sources, each once (keys of IRRd's dict). */
	struct wstrset unknown = { 0 };
	for (size_t i = 0; i < nreq; i++) {
		if (source_valid(s, req[i]) || !wstrset_add(&unknown, req[i]))
			continue;
		json_key(b, 4, req[i], first);
		first = false;
		wbuf_addc(b, '{');
		json_key(b, 8, "error", true);
		json_str(b, "Unknown source");
		wbuf_adds(b, "\n    }");
	}
	wbuf_adds(b, first ? "}" : "\n}");
	wstrset_free(&unknown);
	wstrset_free(&seen);
	strlist_free(req, nreq);
	return R_SUCCESS;
}

static enum wresp cmd_exact_key(struct whois_session *s, const char *p, size_t pl)
{
	const char *comma = memchr(p, ',', pl);
	struct wquery q;

	if (comma == NULL) {
		set_error(s, "Invalid argument for object lookup: %.*s", (int)pl, p);
		return R_ERROR;
	}
	size_t cl = (size_t)(comma - p);
	enum rpsl_class cls = rpsl_class_lookup(p, cl);
	const char *k = comma + 1;
	size_t kl = pl - cl - 1;
	char *pk = warena_alloc(&s->arena, kl + 1);
	size_t n = 0;
	for (size_t i = 0; i < kl; i++) {
		if ((cls == RPSL_ROUTE || cls == RPSL_ROUTE6) && (k[i] == ' ' || k[i] == '-'))
			continue;
		pk[n++] = k[i];
	}
	pk[n] = '\0';
	w_upper(pk, n);
	const char *t = pk;
	w_strip(&t, &n);

	struct wfilter f = take_filter(s);
	if (cls == RPSL_CLASS_UNKNOWN)
		return R_NOT_FOUND;
	wsession_prepare(s, &q);
	struct wobj *o = wsearch_key(&q, &f, cls, t, n);
	if (o == NULL)
		return R_NOT_FOUND;
	struct wresult r = { 0 };
	struct wobj *one[1] = { o };
	r.v = one;
	r.n = 1;
	wrender_objects(&q, &r, s->key_fields_only, &s->body);
	return R_SUCCESS;
}

static enum wresp inverse_search(struct whois_session *s, const char *attr, size_t al, const char *value,
				 size_t vl)
{
	int a = wattr_lookup(attr, al);
	struct wquery q;

	if (a < 0) {
		wbuf_reset(&s->body);
		wbuf_printf(&s->body, "Inverse attribute search not supported for %.*s,only supported for attributes: ",
			    (int)al, attr);
		for (int i = 0; i < WA_COUNT; i++)
			wbuf_printf(&s->body, "%s%s", i ? ", " : "", wattr_names[i]);
		return R_ERROR;
	}
	struct wfilter f = take_filter(s);
	wsession_prepare(s, &q);
	struct wresult r = { 0 };
	char *v = warena_strndup(&s->arena, value, vl);
	wsearch_inverse(&q, &f, (enum wattr)a, v, &r);
	wrender_objects(&q, &r, s->key_fields_only, &s->body);
	wresult_free(&r);
	return s->body.len ? R_SUCCESS : R_NOT_FOUND;
}

static enum wresp cmd_route_search(struct whois_session *s, const char *p, size_t pl)
{
	const char *comma = memchr(p, ',', pl);
	const char *addr = p, *opt = NULL;
	size_t addrl = pl, optl = 0;
	struct wprefix pfx;
	struct wquery q;

	if (comma) {
		if (memchr(comma + 1, ',', pl - (size_t)(comma - p) - 1))
			return R_INTERNAL;	/* IRRd: "too many values to unpack" */
		addrl = (size_t)(comma - p);
		opt = comma + 1;
		optl = pl - addrl - 1;
	}
	if (!w_ipy_parse(addr, addrl, &pfx)) {
		set_error(s, "Invalid input for route search: %.*s", (int)pl, p);
		return R_ERROR;
	}
	enum wroute_lookup how;
	bool origins = false;
	if (opt == NULL || streq_n(opt, optl, "o")) {
		how = WR_EXACT;
		origins = opt != NULL;
	} else if (streq_n(opt, optl, "l")) {
		how = WR_LESS_ONE;
	} else if (streq_n(opt, optl, "L")) {
		how = WR_LESS_WITH_EXACT;
	} else if (streq_n(opt, optl, "M")) {
		how = WR_MORE;
	} else {
		set_error(s, "Invalid route search option: %.*s", (int)optl, opt);
		return R_ERROR;
	}
	struct wfilter f = take_filter(s);
	wsession_prepare(s, &q);
	struct wresult r = { 0 };
	wsearch_route(&q, &f, &pfx, how, &r);
	if (origins) {
		/* Each origin once (CONTRACT.md deviation), in result order. */
		for (size_t i = 0; i < r.n; i++) {
			bool dup = false;
			for (size_t k = 0; k < i && !dup; k++)
				dup = r.v[k]->origin == r.v[i]->origin;
			if (!dup)
				wbuf_printf(&s->body, "%sAS%u", s->body.len ? " " : "", r.v[i]->origin);
		}
	} else {
		wrender_objects(&q, &r, s->key_fields_only, &s->body);
	}
	wresult_free(&r);
	return s->body.len ? R_SUCCESS : R_NOT_FOUND;
}

static enum wresp set_sources(struct whois_session *s, const char *p, size_t pl)
{
	size_t n;
	char **v = split_upper(p, pl, &n);
	for (size_t i = 0; i < n; i++) {
		if (!source_valid(s, v[i])) {
			strlist_free(v, n);
			set_error(s, "One or more selected sources are unavailable.");
			return R_ERROR;
		}
	}
	strlist_free(s->sources, s->nsources);
	s->sources = v;
	s->nsources = n;
	return R_SUCCESS;
}

static enum wresp cmd_sources(struct whois_session *s, const char *p, size_t pl)
{
	if (streq_n(p, pl, "-*"))
		return R_SUCCESS;
	if (streq_n(p, pl, "-lc")) {
		const char *sel[WHOIS_MAX_SOURCES];
		size_t n = selected_sources(s, sel);
		if (s->sources != NULL) {
			/* as given, however long */
			for (size_t i = 0; i < s->nsources; i++)
				wbuf_printf(&s->body, "%s%s", i ? "," : "", s->sources[i]);
			return R_SUCCESS;
		}
		for (size_t i = 0; i < n; i++)
			wbuf_printf(&s->body, "%s%s", i ? "," : "", sel[i]);
		return R_SUCCESS;
	}
	return set_sources(s, p, pl);
}

static enum wresp cmd_exclude(struct whois_session *s, const char *p, size_t pl)
{
	if (streq_n(p, pl, "-lc")) {
		for (size_t i = 0; i < s->nexcluded; i++)
			wbuf_printf(&s->body, "%s%s", i ? "," : "", s->excluded[i]);
		return R_SUCCESS;
	}
	strlist_free(s->excluded, s->nexcluded);
	wstrset_free(&s->excluded_set);
	s->excluded = NULL;
	s->nexcluded = 0;
	if (pl > 0)
		s->excluded = split_upper(p, pl, &s->nexcluded);
	for (size_t i = 0; i < s->nexcluded; i++)
		wstrset_add(&s->excluded_set, s->excluded[i]);
	return R_SUCCESS;
}

static void set_user_agent(struct whois_session *s, const char *p, size_t pl)
{
	free(s->user_agent);
	s->user_agent = xstrndup(p, pl);
}

static enum wresp handle_irrd(struct whois_session *s, const char *fc, size_t fcl)
{
	if (fcl == 0) {
		set_error(s, "Missing IRRD command");
		return R_ERROR;
	}
	size_t cl = 1;
	unsigned char c0 = (unsigned char)fc[0];
	if (c0 >= 0x80)
		cl = c0 >= 0xf0 ? 4 : c0 >= 0xe0 ? 3 : 2;
	if (cl > fcl)
		cl = fcl;
	const char *p = fc + cl;
	size_t pl = fcl - cl;
	char cmd = cl == 1 ? (char)c0 : '\0';
	/* Command letters are case-insensitive, except !j / !J. */
	if (cmd >= 'A' && cmd <= 'Z' && cmd != 'J')
		cmd = (char)(cmd + 32);

	if (cmd && strchr("tg6ijmnors", cmd) && pl == 0) {
		set_error(s, "Missing parameter for %.*s query", (int)cl, fc);
		return R_ERROR;
	}
	if (cmd == '!') {
		s->multi = true;
		return R_NONE;
	}
	if (w_ieq(fc, fcl, "fno-rpki-filter")) {
		s->rpki_filter = false;
		wbuf_adds(&s->body, "Filtering out RPKI invalids is disabled for !r and RIPE style "
				    "queries for the rest of this connection.");
		return R_SUCCESS;
	}
	if (w_ieq(fc, fcl, "fno-scope-filter")) {
		wbuf_adds(&s->body, "Filtering out out-of-scope objects is disabled for !r and RIPE style "
				    "queries for the rest of this connection.");
		return R_SUCCESS;
	}
	if (w_ieq(fc, fcl, "fno-route-preference-filter")) {
		wbuf_adds(&s->body, "Filtering out objects suppressed due to route preference is disabled for "
				    "!r and RIPE style queries for the rest of this connection.");
		return R_SUCCESS;
	}
	switch (cmd) {
	case 'v':
		wbuf_printf(&s->body, "IRRd -- version %s", s->ctx->version ? s->ctx->version : "4.5");
		return R_SUCCESS;
	case 't':
		return cmd_timeout(s, p, pl);
	case 'g':
		return cmd_origin(s, p, pl, 0);
	case '6':
		return cmd_origin(s, p, pl, 1);
	case 'a':
		return cmd_as_set(s, p, pl);
	case 'i':
		return cmd_set_members(s, p, pl);
	case 'j':
		return cmd_serial_range(s, p, pl);
	case 'J':
		return cmd_database_status(s, p, pl);
	case 'm':
		return cmd_exact_key(s, p, pl);
	case 'n':
		set_user_agent(s, p, pl);
		return R_SUCCESS;
	case 'o':
		return inverse_search(s, "mnt-by", 6, p, pl);
	case 'r':
		return cmd_route_search(s, p, pl);
	case 's':
		return cmd_sources(s, p, pl);
	case 'e':
		return cmd_exclude(s, p, pl);
	default:
		set_error(s, "Unrecognised command: %.*s", (int)cl, fc);
		return R_ERROR;
	}
}

/* ---------------------------------------------------------------- RIPE */

static enum wresp ripe_sources_info(struct whois_session *s)
{
	const struct cfg *cfg = s->ctx->cfg;
	struct wbuf *b = &s->body;

	wbuf_reset(b);
	for (size_t i = 0; cfg && i < cfg->nsources; i++) {
		const struct cfg_source *cs = &cfg->sources[i];
		const struct whois_source_status *st = source_status(s, cs->name);
		if (st == NULL)
			continue;
		wbuf_printf(b, "%s:3:%s:", cs->name, nrtm_permitted(s, cs) ? "X" : "N");
		if (st->serial_oldest_journal > 0 && st->serial_newest_journal > 0)
			wbuf_printf(b, "%" PRId64 "-%" PRId64 "\n", st->serial_oldest_journal,
				    st->serial_newest_journal);
		else
			wbuf_adds(b, "Unknown\n");
	}
	while (b->len > 0 && (b->p[b->len - 1] == '\n'))
		b->p[--b->len] = '\0';
	return R_SUCCESS;
}

static bool w_py_int64(const char *p, size_t pl, int64_t *out)
{
	bool neg, ovf;
	unsigned __int128 v;
	if (!w_py_int(p, pl, 10, &neg, &v, &ovf))
		return false;
	if (ovf || v > (unsigned __int128)INT64_MAX)
		v = INT64_MAX;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static enum wresp ripe_nrtm(struct whois_session *s, const char *p, size_t pl)
{
	const char *c1 = memchr(p, ':', pl), *c2 = c1 ? memchr(c1 + 1, ':', pl - (size_t)(c1 - p) - 1) : NULL;
	if (c1 == NULL || c2 == NULL || memchr(c2 + 1, ':', pl - (size_t)(c2 - p) - 1)) {
		set_error(s, "Invalid parameter: must contain three elements");
		return R_ERROR;
	}
	const char *src = p, *ver = c1 + 1, *range = c2 + 1;
	size_t srcl = (size_t)(c1 - p), verl = (size_t)(c2 - ver), rangel = pl - (size_t)(range - p);
	const char *dash = memchr(range, '-', rangel);
	int64_t first, last = 0;
	bool to_last = false;
	if (dash == NULL || memchr(dash + 1, '-', rangel - (size_t)(dash - range) - 1) ||
	    !w_py_int64(range, (size_t)(dash - range), &first) ||
	    (!(to_last = streq_n(dash + 1, rangel - (size_t)(dash - range) - 1, "LAST")) &&
	     !w_py_int64(dash + 1, rangel - (size_t)(dash - range) - 1, &last))) {
		set_error(s, "Invalid serial range: %.*s", (int)rangel, range);
		return R_ERROR;
	}
	if (!streq_n(ver, verl, "1") && !streq_n(ver, verl, "3")) {
		set_error(s, "Invalid NRTM version: %.*s", (int)verl, ver);
		return R_ERROR;
	}
	char *source = warena_strndup(&s->arena, src, srcl);
	w_upper(source, srcl);
	if (!source_valid(s, source)) {
		set_error(s, "Unknown source: %s", source);
		return R_ERROR;
	}
	const struct cfg_source *cs = cfg_source(s, source);
	if (!nrtm_permitted(s, cs)) {
		set_error(s, "Access denied");
		return R_ERROR;
	}
	if (cs == NULL || !cs->keep_journal || s->ctx->nrtm == NULL) {
		set_error(s, "No journal kept for this source, unable to serve NRTM queries");
		return R_ERROR;
	}
	char *out = NULL, *err = NULL;
	size_t outlen = 0;
	if (s->ctx->nrtm(s->ctx->nrtm_arg, source, ver[0] - '0', first, last, to_last, &out, &outlen, &err) < 0) {
		set_error(s, "%s", err ? err : "An internal error occurred while processing this query.");
		free(err);
		free(out);
		return R_ERROR;
	}
	wbuf_reset(&s->body);
	wbuf_add(&s->body, out, outlen);
	free(out);
	free(err);
	s->mask_auth = false;
	return R_SUCCESS;
}

/* The next space-separated component of a RIPE query. */
struct comps {
	const char *p;
	size_t len, pos;
};

static bool comp_next(struct comps *c, const char **s, size_t *l)
{
	if (c->pos > c->len)
		return false;
	const char *start = c->p + c->pos;
	const char *sp = memchr(start, ' ', c->len - c->pos);
	size_t n = sp ? (size_t)(sp - start) : c->len - c->pos;
	*s = start;
	*l = n;
	c->pos += n + 1;
	return true;
}

/*
 * The position (1-based, in components) of the last component whose
 * result would be the answer: IRRd runs every free-text search of a line,
 * but each result replaces the one before, so only the last one needs the
 * work (the others still use up a -T). This walks the line as handle_ripe()
 * does, arguments and the flags that end it included.
 */
static size_t last_result_component(const char *t, size_t n)
{
	struct comps c = { t, n, 0 };
	const char *comp, *a;
	size_t cl, al, index = 0, last = 0;

	while (comp_next(&c, &comp, &cl)) {
		index++;
		if (cl == 0 || comp[0] != '-') {
			last = index;
			continue;
		}
		const char *cmd = comp + 1;
		size_t cmdl = cl - 1;
		if (streq_n(cmd, cmdl, "l") || streq_n(cmd, cmdl, "L") || streq_n(cmd, cmdl, "M") ||
		    streq_n(cmd, cmdl, "x") || streq_n(cmd, cmdl, "t"))
			return index;
		if (streq_n(cmd, cmdl, "i"))
			return index;
		if (streq_n(cmd, cmdl, "q") || streq_n(cmd, cmdl, "g")) {
			last = index;
			if (!comp_next(&c, &a, &al))
				break;
			index++;
		} else if (streq_n(cmd, cmdl, "s") || streq_n(cmd, cmdl, "T") || streq_n(cmd, cmdl, "V")) {
			if (!comp_next(&c, &a, &al))
				break;
			index++;
		}
	}
	return last;
}

static enum wresp handle_ripe(struct whois_session *s, const char *query, size_t qlen)
{
	/* re.sub(" +", " ", q).strip().split(" ") */
	char *q = warena_alloc(&s->arena, qlen + 1);
	size_t n = 0;
	for (size_t i = 0; i < qlen; i++) {
		if (query[i] == ' ' && n > 0 && q[n - 1] == ' ')
			continue;
		q[n++] = query[i];
	}
	q[n] = '\0';
	const char *t = q;
	w_strip(&t, &n);

	struct comps c = { t, n, 0 };
	const char *comp, *arg, *arg2;
	size_t cl, al, al2;
	enum wresp resp = R_SUCCESS;
	bool have_result = false;
	size_t last_producer = last_result_component(t, n), index = 0;

	wbuf_reset(&s->body);
	while (comp_next(&c, &comp, &cl)) {
		index++;
		if (cl == 0 || comp[0] != '-') {
			/* free text */
			struct wquery qq;
			struct wfilter f = take_filter(s);
			struct wresult r = { 0 };
			if (index != last_producer)
				continue;	/* a later component replaces its result */
			wsession_prepare(s, &qq);
			wsearch_text(&qq, &f, comp, cl, &r);
			wbuf_reset(&s->body);
			wrender_objects(&qq, &r, s->key_fields_only, &s->body);
			wresult_free(&r);
			have_result = true;
			resp = R_SUCCESS;
			continue;
		}
		const char *cmd = comp + 1;
		size_t cmdl = cl - 1;
#define NEED_ARG(a, l) \
	do { \
		if (!comp_next(&c, &(a), &(l))) { \
			set_error(s, "Missing argument for flag/search: %.*s", (int)cmdl, cmd); \
			return R_ERROR; \
		} \
		index++; \
	} while (0)
		if (streq_n(cmd, cmdl, "k")) {
			s->multi = true;
		} else if (streq_n(cmd, cmdl, "l") || streq_n(cmd, cmdl, "L") || streq_n(cmd, cmdl, "M") ||
			   streq_n(cmd, cmdl, "x")) {
			NEED_ARG(arg, al);
			struct wprefix pfx;
			if (!w_ipy_parse(arg, al, &pfx)) {
				set_error(s, "Invalid input for route search: %.*s", (int)al, arg);
				return R_ERROR;
			}
			enum wroute_lookup how = cmd[0] == 'x' ? WR_EXACT : cmd[0] == 'l' ? WR_LESS_ONE
					       : cmd[0] == 'L' ? WR_LESS_WITH_EXACT : WR_MORE;
			struct wquery qq;
			struct wfilter f = take_filter(s);
			struct wresult r = { 0 };
			wsession_prepare(s, &qq);
			wsearch_route(&qq, &f, &pfx, how, &r);
			wbuf_reset(&s->body);
			wrender_objects(&qq, &r, s->key_fields_only, &s->body);
			wresult_free(&r);
			have_result = true;
			resp = s->body.len ? R_SUCCESS : R_NOT_FOUND;
			break;
		} else if (streq_n(cmd, cmdl, "i")) {
			NEED_ARG(arg, al);
			NEED_ARG(arg2, al2);
			wbuf_reset(&s->body);
			resp = inverse_search(s, arg, al, arg2, al2);
			if (resp == R_ERROR)
				return resp;
			have_result = true;
			break;
		} else if (streq_n(cmd, cmdl, "s")) {
			NEED_ARG(arg, al);
			if (set_sources(s, arg, al) == R_ERROR)
				return R_ERROR;
		} else if (streq_n(cmd, cmdl, "a")) {
			strlist_free(s->sources, s->nsources);
			s->sources = NULL;
			s->nsources = 0;
		} else if (streq_n(cmd, cmdl, "T")) {
			NEED_ARG(arg, al);
			s->classes_set = true;
			s->classes = 0;
			size_t start = 0;
			for (size_t i = 0; i <= al; i++) {
				if (i < al && arg[i] != ',')
					continue;
				enum rpsl_class k = rpsl_class_lookup(arg + start, i - start);
				if (k != RPSL_CLASS_UNKNOWN)
					s->classes |= 1u << k;
				start = i + 1;
			}
		} else if (streq_n(cmd, cmdl, "t")) {
			NEED_ARG(arg, al);
			enum rpsl_class k = rpsl_class_lookup(arg, al);
			const char *tpl = k != RPSL_CLASS_UNKNOWN ? rpsl_template(k) : NULL;
			if (tpl == NULL) {
				set_error(s, "Unknown object class: %.*s", (int)al, arg);
				return R_ERROR;
			}
			wbuf_reset(&s->body);
			wbuf_adds(&s->body, tpl);
			have_result = true;
			resp = R_SUCCESS;
			break;
		} else if (streq_n(cmd, cmdl, "K")) {
			s->key_fields_only = true;
		} else if (streq_n(cmd, cmdl, "V")) {
			NEED_ARG(arg, al);
			set_user_agent(s, arg, al);
		} else if (streq_n(cmd, cmdl, "q")) {
			NEED_ARG(arg, al);
			if (!streq_n(arg, al, "sources")) {
				set_error(s, "Unrecognised parameter: %.*s", (int)al, arg);
				return R_ERROR;
			}
			resp = ripe_sources_info(s);
			have_result = true;
		} else if (streq_n(cmd, cmdl, "g")) {
			NEED_ARG(arg, al);
			resp = ripe_nrtm(s, arg, al);
			if (resp == R_ERROR)
				return resp;
			have_result = true;
		} else if (streq_n(cmd, cmdl, "F") || streq_n(cmd, cmdl, "r")) {
			continue;
		} else {
			set_error(s, "Unrecognised flag/search: %.*s", (int)cmdl, cmd);
			return R_ERROR;
		}
#undef NEED_ARG
	}
	if (!have_result)
		wbuf_reset(&s->body);
	return resp;
}

/* ---------------------------------------------------------------- session */

struct whois_session *whois_session_new(const struct whois_context *ctx)
{
	struct whois_session *s = xcalloc(1, sizeof(*s));
	s->ctx = ctx;
	s->timeout = DEFAULT_TIMEOUT;
	s->rpki_filter = ctx->cfg != NULL && ctx->cfg->rpki_enabled;
	return s;
}

void whois_session_free(struct whois_session *s)
{
	if (s == NULL)
		return;
	strlist_free(s->sources, s->nsources);
	strlist_free(s->excluded, s->nexcluded);
	wstrset_free(&s->excluded_set);
	free(s->user_agent);
	wbuf_free(&s->line);
	wbuf_free(&s->body);
	wbuf_free(&s->frame);
	warena_free(&s->arena);
	free(s);
}

int whois_session_timeout(const struct whois_session *s)
{
	return s->timeout;
}

void whois_session_set_peer(struct whois_session *s, const struct ip_addr *addr)
{
	s->has_peer = addr != NULL;
	if (addr)
		s->peer = *addr;
}

const char *whois_session_user_agent(const struct whois_session *s)
{
	return s->user_agent;
}

static enum wresp handle_query(struct whois_session *s, const char *q, size_t ql, enum wmode *mode)
{
	*mode = M_IRRD;
	if (memchr(q, '\0', ql)) {
		set_error(s, "Queries may not contain null bytes");
		return R_ERROR;
	}
	/* "-V <agent> !<query>": the agent, then the ! query (IRRd #985). */
	if (ql > 3 && memcmp(q, "-V ", 3) == 0) {
		const char *sp = memchr(q + 3, ' ', ql - 3);
		if (sp && sp + 1 < q + ql && sp[1] == '!') {
			set_user_agent(s, q + 3, (size_t)(sp - (q + 3)));
			ql -= (size_t)(sp + 1 - q);
			q = sp + 1;
		}
	}
	if (q[0] == '!')
		return handle_irrd(s, q + 1, ql - 1);
	*mode = M_RIPE;
	return handle_ripe(s, q, ql);
}

/* Bodies at least this big go to the evbuffer without a copy. */
#define HANDOVER_MIN (256u * 1024)

static void free_body(const void *data, size_t len, void *extra)
{
	(void)len;
	(void)extra;
	free((void *)data);
}

/* Frame the answer in s->body (IRRd's WhoisQueryResponse) into out. */
static void frame_answer(struct whois_session *s, enum wresp r, enum wmode mode, struct evbuffer *out)
{
	struct wbuf masked = { 0 };
	struct wbuf *owner = &s->body;
	const char *text = s->body.p ? s->body.p : "";
	size_t len = s->body.len;
	char pre[32];
	const char *post = "";
	size_t prelen = 0;

	if (r == R_INTERNAL) {
		text = "An internal error occurred while processing this query.";
		len = strlen(text);
		owner = NULL;
		r = R_ERROR;
	}
	if (s->mask_auth && len && w_mask_auth(text, len, &masked)) {
		text = masked.p;
		len = masked.len;
		owner = &masked;
	}
	if (mode == M_IRRD) {
		switch (r) {
		case R_SUCCESS:
			if (len) {
				prelen = (size_t)snprintf(pre, sizeof(pre), "A%zu\n", len + 1);
				post = "\nC\n";
			} else {
				post = "C\n";
			}
			break;
		case R_NOT_FOUND:
			post = "D\n";
			len = 0;
			break;
		case R_ERROR:
		case R_INTERNAL:
			memcpy(pre, "F ", 2);
			prelen = 2;
			post = "\n";
			break;
		case R_NONE:
			len = 0;
			break;
		}
	} else {
		if (r == R_ERROR || r == R_INTERNAL) {
			memcpy(pre, "%% ERROR: ", 10);
			prelen = 10;
			post = "\n\n\n";
		} else if (r == R_SUCCESS && len) {
			post = "\n\n\n";
		} else {
			post = "%  No entries found for the selected source(s).\n\n\n";
			len = 0;
		}
	}
	size_t postlen = strlen(post);
	if (len >= HANDOVER_MIN && owner != NULL && text == owner->p) {
		/* Hand the buffer over: no copy of a big answer. */
		evbuffer_add(out, pre, prelen);
		char *p = owner->p;
		owner->p = NULL;
		owner->len = owner->cap = 0;
		if (evbuffer_add_reference(out, p, len, free_body, NULL) < 0)
			free(p);
		evbuffer_add(out, post, postlen);
	} else if (prelen + len + postlen > 0) {
		struct wbuf *f = &s->frame;
		wbuf_reset(f);
		wbuf_reserve(f, prelen + len + postlen);
		wbuf_add(f, pre, prelen);
		wbuf_add(f, text, len);
		wbuf_add(f, post, postlen);
		evbuffer_add(out, f->p, f->len);
	}
	wbuf_free(&masked);
}

/* Answer one line into out. true: close afterwards. */
static bool session_answer(struct whois_session *s, const char *line, size_t len, struct evbuffer *out)
{
	wbuf_reset(&s->line);
	w_sanitize_utf8(line, len, &s->line);
	const char *q = s->line.p ? s->line.p : "";
	size_t ql = s->line.len;
	w_strip(&q, &ql);
	if (ql == 0)
		return false;
	if (ql == 2 && q[0] == '!' && (q[1] == 'q' || q[1] == 'Q'))
		return true;

	enum wmode mode;
	s->key_fields_only = false;
	s->mask_auth = true;
	wbuf_reset(&s->body);
	enum wresp r = handle_query(s, q, ql, &mode);
	frame_answer(s, r, mode, out);
	warena_reset(&s->arena);
	return !s->multi;
}

enum whois_result whois_session_query(struct whois_session *s, const char *line, size_t len,
				      struct evbuffer *out)
{
	struct whois_index *idx = s->ctx->idx;
	bool close;

	if (idx != NULL)
		pthread_rwlock_rdlock(&idx->lock);
	close = session_answer(s, line, len, out);
	if (idx != NULL)
		pthread_rwlock_unlock(&idx->lock);
	return close ? WHOIS_CLOSE : WHOIS_KEEP_OPEN;
}
