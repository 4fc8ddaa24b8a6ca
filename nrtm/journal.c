/*
 * journal.c - the in-memory journal cache and the -g answer (nrtm.h).
 *
 * Why a cache: the whois engine answers on the daemon's event loop and its
 * NRTM hook returns the answer at once, so the journal must be readable
 * without SQL. A follower thread (nrtm_journal_follow) reads, in one
 * REPEATABLE READ snapshot, database_status and the journal entries newer
 * than the last serial_global it has seen (journal writers hold the
 * journal's EXCLUSIVE lock, so serial_global grows in commit order), and
 * then applies them under the write lock. Per source the entries are kept
 * in serial order; a source whose journal the database dropped or
 * rewrote (irrd_load_database, a mirror's full reload) is read again.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "nrtm/nrtm.h"
#include "rpsl/log.h"
#include "sql/change.h"
#include "sql/sql.h"

struct jent {
	int64_t serial, ts;
	bool add;
	char *cls, *pk, *text;
	size_t len;
};

struct jsrc {
	char *source;
	struct jent *v;
	size_t start, n, cap;		/* live entries are v[start..n) */
	size_t bytes;
	bool has_status;
	int64_t st_oldest, st_newest;	/* database_status journal serials, -1 if NULL */
};

struct nrtm_journal {
	pthread_rwlock_t lock;
	struct jsrc *src;
	size_t nsrc;
	int64_t last_global;
	size_t bytes, limit;
};

struct nrtm_journal *nrtm_journal_new(void)
{
	struct nrtm_journal *j = xcalloc(1, sizeof(*j));

	pthread_rwlock_init(&j->lock, NULL);
	j->last_global = 0;
	j->limit = (size_t)2 << 30;
	return j;
}

static void jent_free(struct jent *e)
{
	free(e->cls);
	free(e->pk);
	free(e->text);
}

static void jsrc_clear(struct nrtm_journal *j, struct jsrc *s)
{
	for (size_t i = s->start; i < s->n; i++)
		jent_free(&s->v[i]);
	j->bytes -= s->bytes;
	s->bytes = 0;
	s->start = s->n = 0;
}

void nrtm_journal_free(struct nrtm_journal *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->nsrc; i++) {
		jsrc_clear(j, &j->src[i]);
		free(j->src[i].v);
		free(j->src[i].source);
	}
	free(j->src);
	pthread_rwlock_destroy(&j->lock);
	free(j);
}

void nrtm_journal_set_limit(struct nrtm_journal *j, size_t bytes)
{
	pthread_rwlock_wrlock(&j->lock);
	j->limit = bytes;
	pthread_rwlock_unlock(&j->lock);
}

void nrtm_journal_stats(struct nrtm_journal *j, size_t *entries, size_t *bytes)
{
	size_t n = 0;

	pthread_rwlock_rdlock(&j->lock);
	for (size_t i = 0; i < j->nsrc; i++)
		n += j->src[i].n - j->src[i].start;
	if (bytes)
		*bytes = j->bytes;
	pthread_rwlock_unlock(&j->lock);
	if (entries)
		*entries = n;
}

static struct jsrc *src_find(struct nrtm_journal *j, const char *source, bool create)
{
	for (size_t i = 0; i < j->nsrc; i++)
		if (strcmp(j->src[i].source, source) == 0)
			return &j->src[i];
	if (!create)
		return NULL;
	j->src = xrealloc(j->src, (j->nsrc + 1) * sizeof(*j->src));
	memset(&j->src[j->nsrc], 0, sizeof(j->src[0]));
	j->src[j->nsrc].source = xstrdup(source);
	j->src[j->nsrc].st_oldest = j->src[j->nsrc].st_newest = -1;
	return &j->src[j->nsrc++];
}

static void jsrc_append(struct nrtm_journal *j, struct jsrc *s, struct jent *e)
{
	if (s->n == s->cap) {
		if (s->start > 0 && s->start >= s->n / 2) {
			memmove(s->v, s->v + s->start, (s->n - s->start) * sizeof(*s->v));
			s->n -= s->start;
			s->start = 0;
		} else {
			s->cap = s->cap ? s->cap * 2 : 256;
			s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
		}
	}
	s->v[s->n++] = *e;
	s->bytes += e->len;
	j->bytes += e->len;
}

static void jsrc_trim_below(struct nrtm_journal *j, struct jsrc *s, int64_t serial)
{
	while (s->start < s->n && s->v[s->start].serial < serial) {
		s->bytes -= s->v[s->start].len;
		j->bytes -= s->v[s->start].len;
		jent_free(&s->v[s->start]);
		s->start++;
	}
}

/* ---- follow ---- */

struct pending {
	char *source;
	int64_t global;
	struct jent e;
};

struct plist {
	struct pending *v;
	size_t n, cap;
	int64_t max_global;
};

struct stat_row {
	char *source;
	int64_t oldest, newest;
};

struct stats {
	struct stat_row *v;
	size_t n;
};

static int stat_cb(void *arg, const struct sql_source_status *st)
{
	struct stats *s = arg;

	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n].source = xstrdup(st->source);
	s->v[s->n].oldest = st->serial_oldest_journal;
	s->v[s->n].newest = st->serial_newest_journal;
	s->n++;
	return 0;
}

static int pend_cb(void *arg, const struct sql_journal_entry *e)
{
	struct plist *p = arg;
	struct pending *q;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	q = &p->v[p->n++];
	q->source = xstrdup(e->source);
	q->global = e->serial_global;
	q->e.serial = e->serial_nrtm;
	q->e.ts = e->timestamp;
	q->e.add = e->add;
	q->e.cls = xstrdup(e->object_class);
	q->e.pk = xstrdup(e->rpsl_pk);
	q->e.text = xmalloc(e->text_len + 1);
	memcpy(q->e.text, e->object_text, e->text_len);
	q->e.text[e->text_len] = '\0';
	q->e.len = e->text_len;
	if (e->serial_global > p->max_global)
		p->max_global = e->serial_global;
	return 0;
}

static void plist_free(struct plist *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].source);
		jent_free(&p->v[i].e);
	}
	free(p->v);
}

static const struct stat_row *stat_find(const struct stats *s, const char *source)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].source, source) == 0)
			return &s->v[i];
	return NULL;
}

static bool in_names(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* Drop the oldest entries of the largest sources until under the limit. */
static void enforce_limit(struct nrtm_journal *j)
{
	while (j->bytes > j->limit) {
		struct jsrc *big = NULL;

		for (size_t i = 0; i < j->nsrc; i++)
			if (j->src[i].n > j->src[i].start && (big == NULL || j->src[i].bytes > big->bytes))
				big = &j->src[i];
		if (big == NULL)
			break;
		jsrc_trim_below(j, big, big->v[big->start].serial + 1);
	}
}

int nrtm_journal_follow(struct nrtm_journal *j, struct sql_conn *c, char **err)
{
	struct stats st = { 0 };
	struct plist fresh = { 0 }, again = { 0 };
	char **reread = NULL;
	size_t nreread = 0;
	int64_t last_global;
	int rc = -1;

	*err = NULL;
	pthread_rwlock_rdlock(&j->lock);
	last_global = j->last_global;
	pthread_rwlock_unlock(&j->lock);

	if (sql_begin_snapshot(c) < 0)
		goto dberr;
	if (sql_status_foreach(c, stat_cb, &st) < 0)
		goto dberr;
	if (sql_journal_foreach(c, NULL, -1, -1, last_global, pend_cb, &fresh) < 0)
		goto dberr;

	/* Which cached sources no longer continue where the database does? */
	pthread_rwlock_rdlock(&j->lock);
	for (size_t i = 0; i < j->nsrc; i++) {
		struct jsrc *s = &j->src[i];
		const struct stat_row *r = stat_find(&st, s->source);
		int64_t last = s->n > s->start ? s->v[s->n - 1].serial : -1;
		bool bad = false;

		if (s->n == s->start)
			continue;
		if (r == NULL || r->newest < 0 || r->newest < last)
			bad = true;
		for (size_t k = 0; k < fresh.n && !bad; k++)
			if (strcmp(fresh.v[k].source, s->source) == 0) {
				if (fresh.v[k].e.serial <= last)
					bad = true;
				break;
			}
		if (bad) {
			reread = xrealloc(reread, (nreread + 1) * sizeof(char *));
			reread[nreread++] = xstrdup(s->source);
		}
	}
	pthread_rwlock_unlock(&j->lock);
	for (size_t i = 0; i < nreread; i++)
		if (sql_journal_foreach(c, reread[i], -1, -1, -1, pend_cb, &again) < 0)
			goto dberr;
	sql_commit(c);

	pthread_rwlock_wrlock(&j->lock);
	for (size_t i = 0; i < nreread; i++) {
		struct jsrc *s = src_find(j, reread[i], false);

		if (s != NULL)
			jsrc_clear(j, s);
	}
	for (size_t i = 0; i < again.n; i++) {
		struct jsrc *s = src_find(j, again.v[i].source, true);

		jsrc_append(j, s, &again.v[i].e);
		memset(&again.v[i].e, 0, sizeof(again.v[i].e));
	}
	for (size_t i = 0; i < fresh.n; i++) {
		struct jsrc *s;

		if (in_names(reread, nreread, fresh.v[i].source))
			continue;	/* already read whole */
		s = src_find(j, fresh.v[i].source, true);
		if (s->n > s->start && fresh.v[i].e.serial <= s->v[s->n - 1].serial)
			continue;	/* cannot happen after the checks above */
		jsrc_append(j, s, &fresh.v[i].e);
		memset(&fresh.v[i].e, 0, sizeof(fresh.v[i].e));
	}
	for (size_t i = 0; i < j->nsrc; i++) {
		struct jsrc *s = &j->src[i];
		const struct stat_row *r = stat_find(&st, s->source);

		s->has_status = r != NULL;
		s->st_oldest = r ? r->oldest : -1;
		s->st_newest = r ? r->newest : -1;
		if (r == NULL || r->oldest < 0)
			jsrc_clear(j, s);
		else
			jsrc_trim_below(j, s, r->oldest);
	}
	/* sources with a status row but no entries cached yet */
	for (size_t i = 0; i < st.n; i++) {
		struct jsrc *s = src_find(j, st.v[i].source, true);

		s->has_status = true;
		s->st_oldest = st.v[i].oldest;
		s->st_newest = st.v[i].newest;
	}
	if (fresh.max_global > j->last_global)
		j->last_global = fresh.max_global;
	if (again.max_global > j->last_global)
		j->last_global = again.max_global;
	enforce_limit(j);
	pthread_rwlock_unlock(&j->lock);
	rc = 0;
	goto out;

dberr:
	*err = xstrdup(sql_error(c));
	sql_rollback(c);
out:
	for (size_t i = 0; i < st.n; i++)
		free(st.v[i].source);
	free(st.v);
	plist_free(&fresh);
	plist_free(&again);
	for (size_t i = 0; i < nreread; i++)
		free(reread[i]);
	free(reread);
	return rc;
}

/* ---- the -g answer ---- */

struct obuf {
	char *d;
	size_t len, cap;
};

static void ob_put(struct obuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->d = xrealloc(b->d, b->cap);
	}
	memcpy(b->d + b->len, s, n);
	b->len += n;
	b->d[b->len] = '\0';
}

static void ob_puts(struct obuf *b, const char *s)
{
	ob_put(b, s, strlen(s));
}

static void ob_printf(struct obuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ob_printf(struct obuf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
	ob_puts(b, s);
	free(s);
}

/* textwrap.indent(text, prefix): prefix every line that is not blank. */
static void indent_into(struct obuf *b, const char *text, const char *prefix)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		bool blank = true;

		for (size_t i = 0; i < n; i++)
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
				blank = false;
		if (!blank)
			ob_puts(b, prefix);
		ob_put(b, p, n);
		p += n;
	}
}

static bool class_listed(const struct cfg_source *cs, const char *cls)
{
	for (size_t i = 0; i < cs->nnrtm_dummified_object_classes; i++)
		if (strcasecmp(cs->nrtm_dummified_object_classes[i], cls) == 0)
			return true;
	return false;
}

/* IRRd's dummify_object_text. Appends to b. */
static void dummify_into(struct obuf *b, const struct cfg_source *cs, const char *text, size_t len,
			 const char *cls, const char *pk)
{
	struct obuf o = { 0 };
	const char *p = text, *end = text + len;
	bool changed = false;

	if (cs == NULL || len == 0 || !class_listed(cs, cls) || cs->nnrtm_dummified_attributes == 0) {
		ob_put(b, text, len);
		return;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		bool done = false;

		for (size_t k = 0; k < cs->nnrtm_dummified_attributes && !done; k++) {
			const struct cfg_kv *kv = &cs->nrtm_dummified_attributes[k];
			size_t kl = strlen(kv->key);

			if (n > kl && memcmp(p, kv->key, kl) == 0 && p[kl] == ':') {
				char key[64];
				struct obuf v = { 0 };
				const char *q = kv->value;

				snprintf(key, sizeof(key), "%s:", kv->key);
				ob_printf(&o, "%-16s", key);
				while (*q) {
					const char *pc = strstr(q, "%s");

					if (pc == NULL) {
						ob_puts(&v, q);
						break;
					}
					ob_put(&v, q, (size_t)(pc - q));
					ob_puts(&v, pk);
					q = pc + 2;
				}
				if (v.d)
					ob_puts(&o, v.d);
				free(v.d);
				done = true;
			}
		}
		if (!done)
			ob_put(&o, p, n);
		ob_put(&o, "\n", 1);
		p = nl ? nl + 1 : end;
	}
	changed = o.len != len || memcmp(o.d, text, len) != 0;
	ob_put(b, o.d, o.len);
	if (changed && cs->nrtm_dummified_remarks != NULL && *cs->nrtm_dummified_remarks) {
		struct obuf r = { 0 };
		size_t s = 0, e;

		indent_into(&r, cs->nrtm_dummified_remarks, "remarks:        ");
		e = r.len;
		while (s < e && (r.d[s] == ' ' || r.d[s] == '\n' || r.d[s] == '\t' || r.d[s] == '\r'))
			s++;
		while (e > s && (r.d[e - 1] == ' ' || r.d[e - 1] == '\n' || r.d[e - 1] == '\t' || r.d[e - 1] == '\r'))
			e--;
		ob_put(b, r.d + s, e - s);
		ob_put(b, "\n", 1);
		free(r.d);
	}
	free(o.d);
}

char *nrtm_dummify(const struct cfg_source *cs, const char *text, size_t len, const char *object_class,
		   const char *pk, size_t *outlen)
{
	struct obuf b = { 0 };

	dummify_into(&b, cs, text, len, object_class, pk);
	if (b.d == NULL)
		b.d = xstrdup("");
	if (outlen)
		*outlen = b.len;
	return b.d;
}

static int gen_error(char **error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int gen_error(char **error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(error, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
	return -1;
}

static int gen_text(char **out, size_t *outlen, const char *text)
{
	*out = xstrdup(text);
	*outlen = strlen(text);
	return 0;
}

/* First live index with serial >= first. */
static size_t lower_bound(const struct jsrc *s, int64_t first)
{
	size_t lo = s->start, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].serial < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int generate_locked(struct nrtm_journal *j, const struct cfg *cfg, const char *source, int version,
			   int64_t first, int64_t last, bool to_last, char **out, size_t *outlen, char **error)
{
	const struct cfg_source *cs = cfg ? cfg_source_find(cfg, source) : NULL;
	struct jsrc *s = src_find(j, source, false);
	int64_t avail_first, avail_last, end_display;
	struct obuf b = { 0 };
	size_t i;

	if (cs == NULL || !cs->keep_journal)
		return gen_error(error, "No journal kept for this source, unable to serve NRTM queries");
	if (s == NULL || !s->has_status)
		return gen_error(error, "There are no journal entries for this source.");
	if (!to_last && last != 0 && last < first)
		return gen_error(error, "Start of the serial range (%" PRId64 ") must be lower or equal to "
				 "end of the serial range (%" PRId64 ")", first, last);
	if (s->st_oldest < 0 || s->st_newest < 0)
		return gen_text(out, outlen, "% Warning: there are no updates available");
	avail_first = s->st_oldest;
	avail_last = s->st_newest;
	/* entries dropped for the memory cap count as gone */
	if (s->n > s->start && s->v[s->start].serial > avail_first)
		avail_first = s->v[s->start].serial;
	if (first < avail_first)
		return gen_error(error, "Serials %" PRId64 " - %" PRId64 " do not exist", first, avail_first);
	if (!to_last && last > avail_last)
		return gen_error(error, "Serials %" PRId64 " - %" PRId64 " do not exist", avail_last, last);
	if (to_last) {
		if (first == avail_last + 1)
			return gen_text(out, outlen, "% Warning: there are no newer updates available");
		if (first > avail_last)
			return gen_error(error, "Serials %" PRId64 " - %" PRId64 " do not exist", avail_last, first);
	}
	end_display = to_last ? avail_last : last;
	if (cs->nrtm_query_serial_range_limit > 0 &&
	    (int64_t)cs->nrtm_query_serial_range_limit < end_display - first)
		return gen_error(error, "Serial range requested exceeds maximum range of %d",
				 cs->nrtm_query_serial_range_limit);
	i = lower_bound(s, first);
	if (cs->nrtm_query_serial_days_limit > 0) {
		if (i >= s->n)
			return gen_error(error, "There are no journal entries greater than or equal to this "
					 "serial %" PRId64 ".", first);
		if ((int64_t)time(NULL) - s->v[i].ts > (int64_t)cs->nrtm_query_serial_days_limit * 86400)
			return gen_error(error, "Requesting serials older than %d days will be rejected",
					 cs->nrtm_query_serial_days_limit);
	}
	if (cs->nrtm_response_header != NULL && *cs->nrtm_response_header) {
		indent_into(&b, cs->nrtm_response_header, "%");
		ob_put(&b, "\n", 1);
	}
	ob_printf(&b, "%%START Version: %d %s %" PRId64 "-%" PRId64 "\n", version, source, first, end_display);
	for (; i < s->n; i++) {
		const struct jent *e = &s->v[i];
		char opline[64];
		int ol;

		if (!to_last && e->serial > last)
			break;
		if (version == 3)
			ol = snprintf(opline, sizeof(opline), "\n%s %" PRId64 "\n\n", e->add ? "ADD" : "DEL", e->serial);
		else
			ol = snprintf(opline, sizeof(opline), "\n%s\n\n", e->add ? "ADD" : "DEL");
		ob_put(&b, opline, (size_t)ol);
		if (!nrtm_has_auth_hashes(e->text, e->len)) {
			dummify_into(&b, cs, e->text, e->len, e->cls, e->pk);
		} else {
			size_t clen;
			char *clean = nrtm_remove_auth_hashes(e->text, e->len, &clen);

			dummify_into(&b, cs, clean, clen, e->cls, e->pk);
			free(clean);
		}
	}
	ob_put(&b, "\n", 1);
	ob_printf(&b, "%%END %s", source);
	*out = b.d;
	*outlen = b.len;
	return 0;
}

int nrtm_generate(struct nrtm_journal *j, const struct cfg *cfg, const char *source, int version,
		  int64_t first, int64_t last, bool to_last, char **out, size_t *outlen, char **error)
{
	int rc;

	*out = NULL;
	*outlen = 0;
	*error = NULL;
	pthread_rwlock_rdlock(&j->lock);
	rc = generate_locked(j, cfg, source, version, first, last, to_last, out, outlen, error);
	pthread_rwlock_unlock(&j->lock);
	return rc;
}
