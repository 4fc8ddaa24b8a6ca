/*
 * submit.c - one e-mail submission, as IRRd 4.5's handle_email_submission
 * with its ChangeSubmissionHandler, ChangeRequest, AuthValidator and
 * ReferenceValidator (irrd/updates/):
 *
 *   1. parse the message (mime.c); no usable From: nothing to do; a
 *      refused or empty message gets a FAILED reply saying why;
 *   2. a PGP/MIME or inline PGP signature that verifies against a key-cert
 *      in the database authenticates as PGPKEY-xxxxxxxx;
 *   3. split the text into change requests (changes.c) and parse each
 *      object strictly (non-strictly for deletions); reject unknown
 *      classes, syntax errors, non-authoritative sources, filtered
 *      classes, deletions of objects that do not exist;
 *   4. validate the rest in rounds until the set of valid requests is
 *      stable (objects may refer to each other within a message): set
 *      names, rules, authentication (maintainers of the new and the
 *      current version, of a new route's parent object or a new set's
 *      aut-num, the override password), references to and from other
 *      objects, RPKI conflicts;
 *   5. write the valid ones in the one transaction the checks ran in
 *      (sql_change_put/delete, journal for keep_journal sources);
 *   6. reply to the sender and notify notify:, mnt-nfy: and upd-to:
 *      addresses as IRRd's table in docs/users/database-changes.rst; all
 *      mail goes through the spool (spool.c).
 *
 * Not supported (no tables for them): suspensions, API keys, the
 * protected-name table (names of deleted mntner/person/role objects),
 * internal (web UI) authentication.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mail/mail.h"
#include "mail/mail_int.h"
#include "rpki/rpki.h"
#include "rpsl/log.h"
#include "sql/change.h"
#include "sql/lookup.h"
#include "sql/roa_store.h"
#include "sql/sql.h"

/* ---------------------------------------------------------------- small containers */

struct strlist {
	char **v;
	size_t n;
};

static void sl_add(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static bool sl_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* OrderedSet.add */
static void sl_add_unique(struct strlist *l, const char *s)
{
	if (!sl_has(l, s))
		sl_add(l, s);
}

static void sl_addf(struct strlist *l, bool unique, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sl_addf(struct strlist *l, bool unique, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
	if (unique)
		sl_add_unique(l, s);
	else
		sl_add(l, s);
	free(s);
}

static void sl_extend(struct strlist *l, const struct strlist *from)
{
	for (size_t i = 0; i < from->n; i++)
		sl_add(l, from->v[i]);
}

static void sl_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* A string-keyed hash map (open addressing). */
struct smap {
	char **keys;
	void **vals;
	size_t cap, n;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void **smap_slot(struct smap *m, const char *key, bool create)
{
	size_t i;

	if (create && (m->n + 1) * 2 > m->cap) {
		struct smap nm = { 0 };

		nm.cap = m->cap ? m->cap * 2 : 64;
		nm.keys = xcalloc(nm.cap, sizeof(char *));
		nm.vals = xcalloc(nm.cap, sizeof(void *));
		for (size_t k = 0; k < m->cap; k++) {
			if (m->keys[k] == NULL)
				continue;
			i = fnv(m->keys[k]) & (nm.cap - 1);
			while (nm.keys[i] != NULL)
				i = (i + 1) & (nm.cap - 1);
			nm.keys[i] = m->keys[k];
			nm.vals[i] = m->vals[k];
		}
		nm.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = nm;
	}
	if (m->cap == 0)
		return NULL;
	i = fnv(key) & (m->cap - 1);
	while (m->keys[i] != NULL) {
		if (strcmp(m->keys[i], key) == 0)
			return &m->vals[i];
		i = (i + 1) & (m->cap - 1);
	}
	if (!create)
		return NULL;
	m->keys[i] = xstrdup(key);
	m->n++;
	return &m->vals[i];
}

static bool smap_has(struct smap *m, const char *key)
{
	return smap_slot(m, key, false) != NULL;
}

static void smap_set(struct smap *m, const char *key, void *val)
{
	*smap_slot(m, key, true) = val;
}

static void *smap_get(struct smap *m, const char *key)
{
	void **s = smap_slot(m, key, false);

	return s ? *s : NULL;
}

static void smap_free(struct smap *m, void (*fr)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] == NULL)
			continue;
		free(m->keys[i]);
		if (fr != NULL)
			fr(m->vals[i]);
	}
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static void smap_clear(struct smap *m)
{
	smap_free(m, NULL);
}

static char *key3(const char *a, const char *b, const char *c)
{
	return xasprintf("%s\x1f%s\x1f%s", a, b, c ? c : "");
}

/* ---------------------------------------------------------------- requests */

enum req_type { T_NONE, T_CREATE, T_MODIFY, T_DELETE, T_SUSPEND, T_REACTIVATE };
enum req_status {
	S_PROCESSING, S_SAVED, S_ERR_UNKNOWN_CLASS, S_ERR_PARSING, S_ERR_AUTH, S_ERR_RULES,
	S_ERR_REFERENCE, S_ERR_PROTECTED_NAME, S_ERR_ROA, S_ERR_SCOPEFILTER, S_ERR_NON_AUTHORITIVE,
	S_ERR_OBJECT_FILTER
};

/* A parent object whose maintainers must also pass (route, set creation). */
struct related {
	bool looked;
	bool found;
	char *cls, *pk;
	struct strlist mntners;
};

struct req {
	const struct mail_request *in;
	enum req_type type;
	enum req_status status;
	struct rpsl_object *new_obj;	/* NULL: unknown class (or suspension parse) */
	struct rpsl_object *cur_obj;
	struct strlist errors, infos;
	bool non_strict;
	bool suspension;
	bool needs_lookup;		/* the current version is to be read */
	bool lookup_pending;		/* req_lookup() has work to do */
	/* authentication */
	bool auth_done, used_override;
	struct strlist notify_mntners;	/* pk of mntners whose mnt-nfy/upd-to apply */
	struct related related;
	char *pk_asn_segment;
	int roa_ok;			/* -1 not checked yet */
	enum rpki_state rpki_state;
};

struct mntner_entry {
	struct rpsl_object *obj;	/* NULL: no such mntner in the database */
	int auth;			/* -1 not checked, 0 failed, 1 password, 2 PGP key */
};

struct range_obj {
	struct ip_addr first, last;
	char *pk;
	uint32_t asn;
	bool has_asn;
	struct strlist mntners;
};

struct submit {
	const struct cfg *cfg;
	struct sql_conn *c;
	struct rpsl_options popts;
	struct mail_changes *ch;
	const char *keycert_pk;		/* PGPKEY-xxxxxxxx or NULL */
	int override_ok;		/* -1 not checked */
	struct req *reqs;
	size_t nreqs;
	bool db_failed;
	/* caches */
	struct smap mntners;		/* "SOURCE\x1fPK" -> struct mntner_entry */
	struct smap refs_found;		/* "class\x1fpk\x1fsource" known to exist */
	struct smap preload_new, preload_deleted;
	struct smap pre_approved;	/* mntner pks created in this message */
	struct smap unaligned;		/* "SOURCE\x1fclass" -> struct range_list */
	struct smap prefetch;		/* key3(class, pk, source) -> text, or NULL: absent */
	struct smap parents;		/* "SOURCE\x1fprefix" -> struct parent_rows */
	struct smap parents_loaded;	/* sources whose route parents were read */
	struct roa_set *roas;		/* RPKI-aware mode: the ROAs covering the routes */
};

struct range_list {
	struct range_obj *v;
	size_t n;
};

static const char *type_str(enum req_type t)
{
	switch (t) {
	case T_CREATE: return "create";
	case T_MODIFY: return "modify";
	case T_DELETE: return "delete";
	case T_SUSPEND: return "suspend";
	case T_REACTIVATE: return "reactivate";
	default: return "request";
	}
}

static bool req_valid(const struct req *r)
{
	return r->status == S_PROCESSING || r->status == S_SAVED;
}

static const char *req_class(const struct req *r)
{
	return r->new_obj ? rpsl_class_name(r->new_obj->cls) : "(unreadable object class)";
}

static const char *req_pk(const struct req *r)
{
	return r->new_obj ? r->new_obj->pk : "(unreadable object key)";
}

static const char *req_source(const struct req *r)
{
	return r->new_obj && r->new_obj->source ? r->new_obj->source : "None";
}

static bool db_error(struct submit *s, const char *what)
{
	if (!s->db_failed)
		log_errx("%s: %s", what, sql_error(s->c));
	s->db_failed = true;
	return false;
}

/* ---------------------------------------------------------------- database reads */

struct first_obj {
	struct rpsl_object *obj;
	char *text;
	const char *want_class;
};

static int keep_first_cb(void *arg, const struct sql_object_row *row)
{
	struct first_obj *f = arg;

	if (f->obj != NULL)
		return 0;
	if (f->want_class != NULL && strcmp(row->object_class, f->want_class) != 0)
		return 0;
	f->obj = rpsl_parse(row->object_text, row->text_len, RPSL_NONSTRICT, NULL);
	f->text = xstrndup(row->object_text, row->text_len);
	return 0;
}

/* One object by source, class and key, parsed non-strictly; NULL if
 * absent (or on a database error, with s->db_failed set). */
static struct rpsl_object *get_object(struct submit *s, const char *source, const char *cls, const char *pk)
{
	struct first_obj f = { NULL, NULL, cls };

	if (s->db_failed)
		return NULL;
	if (cls != NULL) {
		char *k = key3(cls, pk, source);
		void **slot = smap_slot(&s->prefetch, k, false);

		free(k);
		if (slot != NULL)
			return *slot ? rpsl_parse(*slot, strlen(*slot), RPSL_NONSTRICT, NULL) : NULL;
	}
	if (sql_object_get(s->c, source, cls, pk, keep_first_cb, &f) < 0) {
		db_error(s, "object lookup");
		rpsl_object_free(f.obj);
		free(f.text);
		return NULL;
	}
	free(f.text);
	return f.obj;
}

static struct mntner_entry *mntner_get(struct submit *s, const char *source, const char *pk)
{
	char *k = xasprintf("%s\x1f%s", source, pk);
	struct mntner_entry *e = smap_get(&s->mntners, k);

	if (e == NULL && !smap_has(&s->mntners, k)) {
		e = xcalloc(1, sizeof(*e));
		e->auth = -1;
		e->obj = get_object(s, source, "mntner", pk);
		if (s->db_failed) {
			free(e);
			free(k);
			return NULL;
		}
		smap_set(&s->mntners, k, e);
	}
	free(k);
	return e;
}

static void mntner_entry_free(void *p)
{
	struct mntner_entry *e = p;

	if (e == NULL)
		return;
	rpsl_object_free(e->obj);
	free(e);
}

/* ---------------------------------------------------------------- authentication */

static bool hasher_usable(const struct cfg *cfg, const char *scheme)
{
	int h;

	if (strcasecmp(scheme, "MD5-PW") == 0)
		h = CFG_HASH_MD5;
	else if (strcasecmp(scheme, "CRYPT-PW") == 0)
		h = CFG_HASH_CRYPT;
	else if (strcasecmp(scheme, "BCRYPT-PW") == 0)
		h = CFG_HASH_BCRYPT;
	else
		return false;
	/* enabled or legacy: legacy hashes may be used, not set */
	return cfg->password_hashers[h] != CFG_HASHER_DISABLED;
}

/* IRRd's verify_auth_lines: 0 failed, 1 a password matched, 2 the PGP key. */
static int verify_auth(struct submit *s, const struct rpsl_object *mntner)
{
	struct rpsl_values auth = rpsl_get(mntner, "auth");

	for (size_t i = 0; i < auth.n; i++) {
		const char *a = auth.v[i], *sp;
		char scheme[32];

		if (s->keycert_pk != NULL && strcasecmp(a, s->keycert_pk) == 0)
			return 2;
		if ((sp = strchr(a, ' ')) == NULL)
			continue;
		if ((size_t)(sp - a) >= sizeof(scheme))
			continue;
		memcpy(scheme, a, (size_t)(sp - a));
		scheme[sp - a] = '\0';
		if (!hasher_usable(s->cfg, scheme))
			continue;
		for (size_t p = 0; p < s->ch->npasswords; p++)
			if (mail_password_check(scheme, sp + 1, s->ch->passwords[p]))
				return 1;
	}
	return 0;
}

static bool override_valid(struct submit *s)
{
	if (s->override_ok >= 0)
		return s->override_ok == 1;
	s->override_ok = 0;
	if (s->cfg->override_password != NULL && s->cfg->override_password[0] != '\0') {
		for (size_t i = 0; i < s->ch->noverrides; i++) {
			if (mail_override_check(s->cfg->override_password, s->ch->overrides[i])) {
				s->override_ok = 1;
				log_info("Found valid override password.");
				break;
			}
			log_info("Found invalid override password, ignoring.");
		}
	} else if (s->ch->noverrides > 0)
		log_info("Ignoring override password, auth.override_password not set.");
	return s->override_ok == 1;
}

struct mntner_check {
	bool valid;
	struct strlist associated;	/* pks of the mntners found in the database */
};

/* IRRd's _check_mntners: one of the maintainers passes. */
static struct mntner_check check_mntners(struct submit *s, const struct rpsl_values *list, const char *source)
{
	struct mntner_check r = { false, { NULL, 0 } };

	for (size_t i = 0; i < list->n; i++) {
		struct mntner_entry *e = mntner_get(s, source, list->v[i]);

		if (e != NULL && e->obj != NULL)
			sl_add_unique(&r.associated, list->v[i]);
	}
	for (size_t i = 0; i < list->n; i++) {
		if (smap_has(&s->pre_approved, list->v[i])) {
			r.valid = true;
			return r;
		}
	}
	for (size_t i = 0; i < r.associated.n; i++) {
		struct mntner_entry *e = mntner_get(s, source, r.associated.v[i]);

		if (e == NULL)
			continue;
		/* cached per maintainer: passwords and key are the same for
		 * the whole message, and bcrypt is slow */
		if (e->auth < 0)
			e->auth = verify_auth(s, e->obj);
		if (e->auth > 0) {
			r.valid = true;
			break;
		}
	}
	return r;
}

static void failure_message(struct strlist *errs, const struct rpsl_values *mntners, const struct rpsl_object *obj,
			    const char *rel_class, const char *rel_pk)
{
	struct mail_buf b = { 0 };
	char *t;

	mail_buf_printf(&b, "Authorisation for %s %s failed: must be authenticated by one of: ",
			rpsl_class_name(obj->cls), obj->pk);
	for (size_t i = 0; i < mntners->n; i++)
		mail_buf_printf(&b, "%s%s", i ? ", " : "", mntners->v[i]);
	if (rel_class != NULL && rel_pk != NULL)
		mail_buf_printf(&b, " - from parent %s %s", rel_class, rel_pk);
	t = mail_buf_take(&b);
	sl_add_unique(errs, t);
	free(t);
}

/* ---- related objects ---- */

static void range_size(const struct ip_addr *f, const struct ip_addr *l, uint8_t out[16])
{
	int borrow = 0;

	for (int i = 15; i >= 0; i--) {
		int d = (int)l->a[i] - (int)f->a[i] - borrow;

		borrow = d < 0;
		out[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

/* IRRd's ordering of equal-sized candidates: ip_first, asn_first, rpsl_pk. */
static bool better(const struct range_obj *x, const struct range_obj *best)
{
	uint8_t sx[16], sb[16];
	int c;

	if (best == NULL)
		return true;
	range_size(&x->first, &x->last, sx);
	range_size(&best->first, &best->last, sb);
	if ((c = memcmp(sx, sb, 16)) != 0)
		return c < 0;
	if ((c = ip_addr_cmp(&x->first, &best->first)) != 0)
		return c < 0;
	if (x->has_asn != best->has_asn)
		return x->has_asn;
	if (x->has_asn && x->asn != best->asn)
		return x->asn < best->asn;
	return strcmp(x->pk, best->pk) < 0;
}

static void range_obj_from(struct range_obj *r, const struct rpsl_object *o)
{
	struct rpsl_values m = rpsl_get(o, "mnt-by");

	memset(r, 0, sizeof(*r));
	r->first = o->ip_first;
	r->last = o->ip_last;
	r->pk = xstrdup(o->pk);
	r->has_asn = o->has_asn || o->has_origin;
	r->asn = o->has_asn ? o->asn_first : o->origin;
	for (size_t i = 0; i < m.n; i++)
		sl_add(&r->mntners, m.v[i]);
}

static void range_obj_clear(struct range_obj *r)
{
	free(r->pk);
	sl_clear(&r->mntners);
}

static void range_list_free(void *p)
{
	struct range_list *l = p;

	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		range_obj_clear(&l->v[i]);
	free(l->v);
	free(l);
}

static int collect_ranges_cb(void *arg, const struct sql_object_row *row)
{
	struct range_list *l = arg;
	struct rpsl_object *o = rpsl_parse(row->object_text, row->text_len, RPSL_NONSTRICT, NULL);

	if (o->has_ip) {
		l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		range_obj_from(&l->v[l->n++], o);
	}
	rpsl_object_free(o);
	return 0;
}

/* inetnum ranges that are not one prefix, per source and class, once a message */
static struct range_list *unaligned(struct submit *s, const char *source, const char *cls)
{
	char *k = xasprintf("%s\x1f%s", source, cls);
	struct range_list *l = smap_get(&s->unaligned, k);

	if (l == NULL) {
		l = xcalloc(1, sizeof(*l));
		if (sql_objects_unaligned_ranges(s->c, source, cls, collect_ranges_cb, l) < 0)
			db_error(s, "address range lookup");
		smap_set(&s->unaligned, k, l);
	}
	free(k);
	return l;
}

struct parent_scan {
	const struct rpsl_object *route;
	const char *inet_class;
	struct range_obj exact_inet, best_inet, best_route;
	bool have_exact, have_inet, have_route;
};

static void candidate(struct range_obj *slot, bool *have, const struct rpsl_object *o)
{
	struct range_obj r;

	range_obj_from(&r, o);
	if (!*have || better(&r, slot)) {
		if (*have)
			range_obj_clear(slot);
		*slot = r;
		*have = true;
	} else
		range_obj_clear(&r);
}

static void parent_consider(struct parent_scan *ps, const char *cls, const struct rpsl_object *o)
{
	const struct rpsl_object *rt = ps->route;
	bool exact;

	if (!o->has_ip)
		return;
	exact = ip_addr_cmp(&o->ip_first, &rt->ip_first) == 0 && ip_addr_cmp(&o->ip_last, &rt->ip_last) == 0;
	if (strcmp(cls, ps->inet_class) == 0) {
		if (exact)
			candidate(&ps->exact_inet, &ps->have_exact, o);
		else
			candidate(&ps->best_inet, &ps->have_inet, o);
	} else if (!exact && o->cls == rt->cls) {
		candidate(&ps->best_route, &ps->have_route, o);
	}
}

static int parent_cb(void *arg, const struct sql_object_row *row)
{
	struct parent_scan *ps = arg;
	struct rpsl_object *o = rpsl_parse(row->object_text, row->text_len, RPSL_NONSTRICT, NULL);

	parent_consider(ps, row->object_class, o);
	rpsl_object_free(o);
	return 0;
}

/* The prefixes covering p, p itself first, as text (caller frees each). */
static size_t covering_prefixes(const struct ip_prefix *p, char **out)
{
	size_t n = 0;

	for (int l = p->len; l >= 0; l--) {
		struct ip_prefix q = *p;
		char buf[IP_PREFIX_STRLEN];

		q.len = (uint8_t)l;
		for (unsigned b = (unsigned)l; b < ip_maxlen(q.family); b++)
			q.a[b >> 3] &= (uint8_t)~(0x80u >> (b & 7));
		out[n++] = xstrdup(ip_prefix_format(&q, buf, sizeof(buf)));
	}
	return n;
}

struct parent_row {
	char *cls;
	struct rpsl_object *obj;
};

struct parent_rows {
	struct parent_row *v;
	size_t n;
};

static void parent_rows_free(void *p)
{
	struct parent_rows *l = p;

	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].cls);
		rpsl_object_free(l->v[i].obj);
	}
	free(l->v);
	free(l);
}

struct parents_cb {
	struct submit *s;
	const char *source;
};

static int parents_row_cb(void *arg, const struct sql_object_row *row)
{
	struct parents_cb *pc = arg;
	struct rpsl_object *o = rpsl_parse(row->object_text, row->text_len, RPSL_NONSTRICT, NULL);
	char buf[IP_PREFIX_STRLEN], *k;
	struct parent_rows *l;

	if (!o->has_prefix) {
		rpsl_object_free(o);
		return 0;
	}
	k = xasprintf("%s\x1f%s", pc->source, ip_prefix_format(&o->prefix, buf, sizeof(buf)));
	l = smap_get(&pc->s->parents, k);
	if (l == NULL) {
		l = xcalloc(1, sizeof(*l));
		smap_set(&pc->s->parents, k, l);
	}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n].cls = xstrdup(row->object_class);
	l->v[l->n].obj = o;
	l->n++;
	free(k);
	return 0;
}

static bool parent_wanted(const struct submit *s, const struct req *r)
{
	const struct rpsl_object *o = r->new_obj;

	return s->cfg->authenticate_parents_route_creation && req_valid(r) && r->type == T_CREATE && o != NULL &&
	       (o->cls == RPSL_ROUTE || o->cls == RPSL_ROUTE6) && o->has_prefix && o->has_ip && o->source != NULL;
}

/* The candidates for every new route's parent object, one query per
 * source: every inet(6)num and route(6) at a prefix covering one of them. */
static void prefetch_parents(struct submit *s)
{
	for (size_t i = 0; i < s->nreqs && !s->db_failed; i++) {
		const char *source;
		static const char *const classes[4] = { "inetnum", "inet6num", "route", "route6" };
		struct smap seen = { 0 };
		char **pfx = NULL, *cov[129];
		size_t np = 0;

		if (!parent_wanted(s, &s->reqs[i]))
			continue;
		source = s->reqs[i].new_obj->source;
		if (smap_has(&s->parents_loaded, source))
			continue;
		smap_set(&s->parents_loaded, source, NULL);
		for (size_t k = i; k < s->nreqs; k++) {
			const struct req *r = &s->reqs[k];
			size_t nc;

			if (!parent_wanted(s, r) || strcmp(r->new_obj->source, source) != 0)
				continue;
			nc = covering_prefixes(&r->new_obj->prefix, cov);
			for (size_t c = 0; c < nc; c++) {
				if (smap_has(&seen, cov[c])) {
					free(cov[c]);
					continue;
				}
				smap_set(&seen, cov[c], NULL);
				pfx = xrealloc(pfx, (np + 1) * sizeof(*pfx));
				pfx[np++] = cov[c];
			}
		}
		{
			struct parents_cb pc = { s, source };

			if (sql_objects_by_prefixes(s->c, source, classes, 4, (const char *const *)pfx, np,
						    parents_row_cb, &pc) < 0)
				db_error(s, "parent object lookup");
		}
		for (size_t k = 0; k < np; k++)
			free(pfx[k]);
		free(pfx);
		smap_clear(&seen);
	}
}

/* IRRd's _find_related_object_route: an exact inet(6)num, else the
 * smallest less specific inet(6)num, else the smallest less specific
 * route(6), all in the route's source. */
static void related_route(struct submit *s, struct req *r)
{
	const struct rpsl_object *rt = r->new_obj;
	struct parent_scan ps;
	const char *inet_class = rt->cls == RPSL_ROUTE ? "inetnum" : "inet6num";
	const char *classes[2] = { inet_class, rpsl_class_name(rt->cls) };
	char **pfx;
	size_t np = 0;
	struct range_obj *pick = NULL;
	const char *pick_class = NULL;

	if (!s->cfg->authenticate_parents_route_creation || !rt->has_prefix || !rt->has_ip)
		return;
	memset(&ps, 0, sizeof(ps));
	ps.route = rt;
	ps.inet_class = inet_class;
	pfx = xcalloc((size_t)rt->prefix.len + 1, sizeof(*pfx));
	np = covering_prefixes(&rt->prefix, pfx);
	if (smap_has(&s->parents_loaded, rt->source)) {
		for (size_t i = 0; i < np; i++) {
			char *k = xasprintf("%s\x1f%s", rt->source, pfx[i]);
			const struct parent_rows *l = smap_get(&s->parents, k);

			for (size_t j = 0; l != NULL && j < l->n; j++)
				parent_consider(&ps, l->v[j].cls, l->v[j].obj);
			free(k);
		}
	} else if (sql_objects_by_prefixes(s->c, rt->source, classes, 2, (const char *const *)pfx, np, parent_cb,
					   &ps) < 0)
		db_error(s, "parent object lookup");
	for (size_t i = 0; i < np; i++)
		free(pfx[i]);
	free(pfx);
	if (!ps.have_exact) {
		struct range_list *ul = unaligned(s, rt->source, inet_class);

		for (size_t i = 0; i < ul->n; i++) {
			const struct range_obj *u = &ul->v[i];

			if (u->first.family != rt->ip_first.family ||
			    ip_addr_cmp(&u->first, &rt->ip_first) > 0 || ip_addr_cmp(&u->last, &rt->ip_last) < 0)
				continue;
			if (!ps.have_inet || better(u, &ps.best_inet)) {
				if (ps.have_inet)
					range_obj_clear(&ps.best_inet);
				ps.best_inet = *u;
				ps.best_inet.pk = xstrdup(u->pk);
				memset(&ps.best_inet.mntners, 0, sizeof(ps.best_inet.mntners));
				sl_extend(&ps.best_inet.mntners, &u->mntners);
				ps.have_inet = true;
			}
		}
	}
	if (ps.have_exact) {
		pick = &ps.exact_inet;
		pick_class = inet_class;
	} else if (ps.have_inet) {
		pick = &ps.best_inet;
		pick_class = inet_class;
	} else if (ps.have_route) {
		pick = &ps.best_route;
		pick_class = rpsl_class_name(rt->cls);
	}
	if (pick != NULL) {
		r->related.found = true;
		r->related.cls = xstrdup(pick_class);
		r->related.pk = xstrdup(pick->pk);
		sl_extend(&r->related.mntners, &pick->mntners);
	}
	if (ps.have_exact)
		range_obj_clear(&ps.exact_inet);
	if (ps.have_inet)
		range_obj_clear(&ps.best_inet);
	if (ps.have_route)
		range_obj_clear(&ps.best_route);
}

static bool is_set_class(enum rpsl_class c)
{
	return c == RPSL_AS_SET || c == RPSL_FILTER_SET || c == RPSL_PEERING_SET || c == RPSL_ROUTE_SET ||
	       c == RPSL_RTR_SET;
}

static int set_class_index(enum rpsl_class c)
{
	switch (c) {
	case RPSL_AS_SET: return CFG_SET_AS;
	case RPSL_FILTER_SET: return CFG_SET_FILTER;
	case RPSL_PEERING_SET: return CFG_SET_PEERING;
	case RPSL_ROUTE_SET: return CFG_SET_ROUTE;
	case RPSL_RTR_SET: return CFG_SET_RTR;
	default: return CFG_SET_COMMON;
	}
}

/* IRRd's _find_related_object_set. Adds the "requires an aut-num" error. */
static void related_set(struct submit *s, struct req *r, struct strlist *errs)
{
	const struct rpsl_object *o = r->new_obj;
	int mode = s->cfg->set_creation[set_class_index(o->cls)].autnum_authentication;
	struct rpsl_object *an;

	if (r->pk_asn_segment == NULL)
		return;
	if (mode < 0)
		mode = s->cfg->set_creation[CFG_SET_COMMON].autnum_authentication;
	if (mode < 0)
		mode = CFG_AUTNUM_AUTH_OPPORTUNISTIC;
	if (mode == CFG_AUTNUM_AUTH_DISABLED)
		return;
	an = get_object(s, o->source, "aut-num", r->pk_asn_segment);
	if (an != NULL) {
		struct rpsl_values m = rpsl_get(an, "mnt-by");

		r->related.found = true;
		r->related.cls = xstrdup("aut-num");
		r->related.pk = xstrdup(an->pk);
		for (size_t i = 0; i < m.n; i++)
			sl_add(&r->related.mntners, m.v[i]);
		rpsl_object_free(an);
	} else if (mode == CFG_AUTNUM_AUTH_REQUIRED && !s->db_failed) {
		sl_addf(errs, true, "Creating this object requires an aut-num for %s to exist.", r->pk_asn_segment);
	}
}

static bool has_dummy_auth(const struct rpsl_object *o)
{
	struct rpsl_values a = rpsl_get(o, "auth");
	size_t hashes = 0, dummies = 0;

	for (size_t i = 0; i < a.n; i++) {
		const char *sp = strchr(a.v[i], ' ');

		if (sp == NULL)
			continue;
		hashes++;
		if (strcmp(sp + 1, "DummyValue") == 0)
			dummies++;
	}
	return hashes > 0 && dummies == hashes;
}

/* IRRd's force_single_new_password: every password hash replaced by one
 * BCRYPT-PW hash of password, the other auth lines (PGPKEY-...) kept, the
 * auth lines moved to the second line of the object. */
static bool force_single_password(struct submit *s, struct req *r, const char *password)
{
	const struct rpsl_object *o = r->new_obj;
	struct rpsl_values a = rpsl_get(o, "auth");
	struct mail_buf b = { 0 };
	struct rpsl_object *n;
	char *hash = mail_bcrypt_hash(password), *text;

	if (hash == NULL)
		return false;
	for (size_t i = 0; i < o->nattrs; i++) {
		const struct rpsl_attr *at = &o->attrs[i];
		const char *v = at->value;

		if (strcmp(at->name, "auth") == 0)
			continue;
		mail_buf_printf(&b, "%s: ", at->name);
		/* continuation lines as written ('+' for empty ones) */
		for (size_t line = 0; *v || line == 0; line++) {
			const char *nl = strchr(v, '\n');
			size_t len = nl ? (size_t)(nl - v) : strlen(v);

			if (line > 0) {
				char cc = at->cont && at->cont[line - 1] ? at->cont[line - 1] : ' ';

				if (len == 0)
					cc = '+';
				mail_buf_add(&b, &cc, 1);
				mail_buf_add(&b, "               ", 15);
			}
			mail_buf_add(&b, v, len);
			mail_buf_add(&b, "\n", 1);
			if (nl == NULL)
				break;
			v = nl + 1;
		}
		if (i == 0) {
			for (size_t k = 0; k < a.n; k++)
				if (strchr(a.v[k], ' ') == NULL)
					mail_buf_printf(&b, "auth: %s\n", a.v[k]);
			mail_buf_printf(&b, "auth: BCRYPT-PW %s\n", hash);
		}
	}
	free(hash);
	text = mail_buf_take(&b);
	n = rpsl_parse_ex(text, strlen(text), r->non_strict ? RPSL_NONSTRICT : RPSL_STRICT, NULL, &s->popts);
	free(text);
	if (n->msgs.nerrors > 0 || n->cls != o->cls) {
		rpsl_object_free(n);
		return false;
	}
	rpsl_object_free(r->new_obj);
	r->new_obj = n;
	return true;
}

struct auth_result {
	struct strlist errors, infos;	/* ordered sets */
	bool override;
	struct strlist notify;		/* mntners to notify */
};

static void auth_result_clear(struct auth_result *a)
{
	sl_clear(&a->errors);
	sl_clear(&a->infos);
	sl_clear(&a->notify);
}

/* IRRd's AuthValidator.process_auth */
static void process_auth(struct submit *s, struct req *r, struct auth_result *res)
{
	struct rpsl_object *new_obj = r->new_obj;
	const char *source = new_obj->source;
	struct rpsl_values mnew = rpsl_get(new_obj, "mnt-by");
	struct mntner_check nres, cres = { false, { NULL, 0 } }, rres = { false, { NULL, 0 } };

	memset(res, 0, sizeof(*res));
	if (override_valid(s)) {
		res->override = true;
		return;
	}
	nres = check_mntners(s, &mnew, source);
	if (!nres.valid)
		failure_message(&res->errors, &mnew, new_obj, NULL, NULL);
	if (r->cur_obj != NULL) {
		struct rpsl_values mcur = rpsl_get(r->cur_obj, "mnt-by");

		cres = check_mntners(s, &mcur, source);
		if (!cres.valid)
			failure_message(&res->errors, &mcur, new_obj, NULL, NULL);
		sl_extend(&res->notify, &cres.associated);
	} else {
		sl_extend(&res->notify, &nres.associated);
		if (!r->related.looked) {
			r->related.looked = true;
			if (new_obj->cls == RPSL_ROUTE || new_obj->cls == RPSL_ROUTE6)
				related_route(s, r);
		}
		/* the set lookup may add an error each time, as IRRd's does */
		if (is_set_class(new_obj->cls)) {
			free(r->related.cls);
			free(r->related.pk);
			r->related.cls = r->related.pk = NULL;
			sl_clear(&r->related.mntners);
			r->related.found = false;
			related_set(s, r, &res->errors);
		}
		if (r->related.found) {
			struct rpsl_values rm = { (const char *const *)r->related.mntners.v, r->related.mntners.n };

			rres = check_mntners(s, &rm, source);
			if (!rres.valid) {
				failure_message(&res->errors, &rm, new_obj, r->related.cls, r->related.pk);
				sl_clear(&res->notify);
				sl_extend(&res->notify, &rres.associated);
			}
		}
	}
	if (new_obj->cls == RPSL_MNTNER) {
		if (r->cur_obj == NULL) {
			sl_add_unique(&res->errors, "New mntner objects must be added by an administrator.");
			goto out;
		}
		if (has_dummy_auth(new_obj)) {
			if (s->ch->npasswords == 1) {
				if (force_single_password(s, r, s->ch->passwords[0]))
					sl_add_unique(&res->infos,
						      "As you submitted dummy hash values, all password hashes on this object "
						      "were replaced with a new BCRYPT-PW hash of the password you provided for "
						      "authentication.");
				else
					sl_add_unique(&res->errors, "Could not replace the password hashes of this object.");
			} else {
				sl_add_unique(&res->errors,
					      "Object submitted with dummy hash values, but multiple or no passwords "
					      "submitted. Either submit only full hashes, or a single password.");
			}
		} else if (verify_auth(s, r->new_obj) == 0) {
			sl_add_unique(&res->errors, "Authorisation failed for the auth methods on this mntner object.");
		}
	}
out:
	sl_clear(&nres.associated);
	sl_clear(&cres.associated);
	sl_clear(&rres.associated);
}

/* ---------------------------------------------------------------- references */

/* Field names under which other objects refer strongly to class cls
 * (IRRd's references_strong_inbound), e.g. admin-c, tech-c, zone-c. */
static void inbound_attrs(enum rpsl_class cls, struct strlist *out)
{
	for (int c = 0; c < RPSL_CLASS_COUNT; c++) {
		const char *const *attrs = rpsl_lookup_attrs((enum rpsl_class)c);

		for (size_t i = 0; attrs != NULL && attrs[i] != NULL; i++) {
			enum rpsl_class refs[2];
			bool strong = false;
			size_t n = rpsl_attr_referring((enum rpsl_class)c, attrs[i], refs, &strong);

			for (size_t k = 0; k < n; k++)
				if (strong && refs[k] == cls)
					sl_add_unique(out, attrs[i]);
		}
	}
}

static bool ref_exists(struct submit *s, const enum rpsl_class *classes, size_t ncls, const char *pk,
		       const char *source)
{
	struct first_obj f = { NULL, NULL, NULL };
	bool found = false;

	for (size_t i = 0; i < ncls; i++) {
		char *k = key3(rpsl_class_name(classes[i]), pk, source);
		int v = smap_has(&s->refs_found, k) || smap_has(&s->preload_new, k) ? 1 :
			smap_has(&s->preload_deleted, k) ? 0 : -1;

		free(k);
		if (v >= 0)
			return v == 1;
	}
	if (s->db_failed)
		return false;
	/* one query, any class; keep the ones asked for */
	{
		struct rpsl_object *o;

		for (size_t i = 0; i < ncls && !found; i++) {
			f.want_class = rpsl_class_name(classes[i]);
			if (sql_object_get(s->c, source, f.want_class, pk, keep_first_cb, &f) < 0) {
				db_error(s, "reference lookup");
				break;
			}
			o = f.obj;
			if (o != NULL) {
				char *k = key3(f.want_class, pk, source);

				smap_set(&s->refs_found, k, NULL);
				free(k);
				found = true;
			}
			rpsl_object_free(f.obj);
			free(f.text);
			f.obj = NULL;
			f.text = NULL;
		}
	}
	return found;
}

static void check_references_to_others(struct submit *s, const struct rpsl_object *o, struct strlist *errs)
{
	const char *const *attrs = rpsl_lookup_attrs(o->cls);
	const char *source = o->source ? o->source : "";

	for (size_t i = 0; attrs != NULL && attrs[i] != NULL; i++) {
		enum rpsl_class refs[2];
		bool strong = false;
		size_t n = rpsl_attr_referring(o->cls, attrs[i], refs, &strong);
		struct rpsl_values v;

		if (n == 0 || !strong)
			continue;
		v = rpsl_get(o, attrs[i]);
		for (size_t k = 0; k < v.n; k++) {
			if (ref_exists(s, refs, n, v.v[k], source))
				continue;
			if (n > 1)
				sl_addf(errs, true,
					"Object %s referenced in field %s not found in database %s - must reference one of %s, %s.",
					v.v[k], attrs[i], source, rpsl_class_name(refs[0]), rpsl_class_name(refs[1]));
			else
				sl_addf(errs, true,
					"Object %s referenced in field %s not found in database %s - must reference %s.",
					v.v[k], attrs[i], source, rpsl_class_name(refs[0]));
		}
	}
}

struct refscan {
	struct submit *s;
	const struct rpsl_object *target;
	struct strlist *out;
	int kind;		/* 0 deletion error, 1 deletion note, 2 creation error, 3 creation note */
};

static int refscan_cb(void *arg, const struct sql_object_row *row)
{
	struct refscan *rs = arg;
	char *k = key3(row->object_class, row->rpsl_pk, row->source);
	bool deleted = smap_has(&rs->s->preload_deleted, k);

	free(k);
	if (deleted)
		return 0;
	switch (rs->kind) {
	case 0:
		sl_addf(rs->out, true, "Object %s to be deleted, but still referenced by %s %s", rs->target->pk,
			row->object_class, row->rpsl_pk);
		break;
	case 1:
		sl_addf(rs->out, true,
			"NOTE: object %s still referenced by %s %s. Delete permitted due to override. This creates "
			"a broken reference.", rs->target->pk, row->object_class, row->rpsl_pk);
		break;
	case 2:
		sl_addf(rs->out, true, "Object %s to be created, but existing references exist from %s %s",
			rs->target->pk, row->object_class, row->rpsl_pk);
		break;
	default:
		sl_addf(rs->out, true, "NOTE: existing references to %s exist from %s %s, permitted due to override",
			rs->target->pk, row->object_class, row->rpsl_pk);
		break;
	}
	return 0;
}

/* IRRd's _check_references_from_others */
static void references_from_others(struct submit *s, const struct rpsl_object *o, int kind, struct strlist *out)
{
	struct strlist attrs = { NULL, 0 };
	struct refscan rs = { s, o, out, kind };
	char **lookups;

	if (s->db_failed || o->source == NULL)
		return;
	inbound_attrs(o->cls, &attrs);
	if (attrs.n == 0)
		return;
	lookups = xcalloc(attrs.n, sizeof(*lookups));
	for (size_t i = 0; i < attrs.n; i++)
		lookups[i] = xasprintf("%s=%s", attrs.v[i], o->pk);
	if (sql_objects_by_lookup(s->c, o->source, (const char *const *)lookups, attrs.n, refscan_cb, &rs) < 0)
		db_error(s, "reference lookup");
	for (size_t i = 0; i < attrs.n; i++)
		free(lookups[i]);
	free(lookups);
	sl_clear(&attrs);
}

static bool protected_class(enum rpsl_class c)
{
	return c == RPSL_PERSON || c == RPSL_ROLE || c == RPSL_MNTNER;
}

/* ---------------------------------------------------------------- one request */

static void req_init(struct submit *s, struct req *r, const struct mail_request *in)
{
	const struct cfg_source *src = NULL;
	struct rpsl_object *o;

	memset(r, 0, sizeof(*r));
	r->in = in;
	r->roa_ok = -1;
	r->status = S_PROCESSING;
	if (in->suspension != NULL) {
		/* IRRd's SuspensionRequest; suspensions are not supported here */
		r->suspension = true;
		if (strcasecmp(in->suspension, "suspend") == 0)
			r->type = T_SUSPEND;
		else if (strcasecmp(in->suspension, "reactivate") == 0)
			r->type = T_REACTIVATE;
		else {
			r->status = S_ERR_PARSING;
			sl_addf(&r->errors, false, "Unknown suspension type: %s", in->suspension);
			return;
		}
		o = rpsl_parse_ex(in->text, strlen(in->text), RPSL_NONSTRICT, NULL, &s->popts);
		if (o->cls == RPSL_CLASS_UNKNOWN) {
			r->status = S_ERR_UNKNOWN_CLASS;
			sl_add(&r->errors, o->msgs.errors[0]);
			rpsl_object_free(o);
			return;
		}
		r->new_obj = o;
		for (size_t i = 0; i < o->msgs.nerrors; i++)
			sl_add(&r->errors, o->msgs.errors[i]);
		if (o->msgs.nerrors > 0) {
			r->status = S_ERR_PARSING;
			return;
		}
		src = o->source ? cfg_source_find(s->cfg, o->source) : NULL;
		if (src == NULL || !src->suspension_enabled) {
			r->status = S_ERR_NON_AUTHORITIVE;
			sl_addf(&r->errors, false,
				"This instance is not authoritative for source %s or suspension is not enabled",
				req_source(r));
		} else if (o->cls != RPSL_MNTNER) {
			r->status = S_ERR_PARSING;
			sl_add(&r->errors, "Suspensions/reactivations can only be done on mntner objects");
		} else {
			r->status = S_ERR_RULES;
			sl_add(&r->errors, "Suspensions/reactivations are not supported by this server.");
		}
		return;
	}
	if (in->is_delete)
		r->type = T_DELETE;
	o = rpsl_parse_ex(in->text, strlen(in->text), RPSL_STRICT, NULL, &s->popts);
	if (o->cls == RPSL_CLASS_UNKNOWN) {
		r->type = T_NONE;
		r->status = S_ERR_UNKNOWN_CLASS;
		sl_add(&r->errors, o->msgs.nerrors ? o->msgs.errors[0] : "unknown object class");
		rpsl_object_free(o);
		return;
	}
	if (o->source != NULL && (src = cfg_source_find(s->cfg, o->source)) != NULL)
		r->non_strict = src->authoritative_non_strict_mode_dangerous;
	if (r->non_strict || r->type == T_DELETE) {
		rpsl_object_free(o);
		o = rpsl_parse_ex(in->text, strlen(in->text), RPSL_NONSTRICT, NULL, &s->popts);
	}
	r->new_obj = o;
	if (o->msgs.nerrors > 0)
		r->status = S_ERR_PARSING;
	for (size_t i = 0; i < o->msgs.nerrors; i++)
		sl_add(&r->errors, o->msgs.errors[i]);
	for (size_t i = 0; i < o->msgs.ninfos; i++)
		sl_add(&r->infos, o->msgs.infos[i]);

	if (req_valid(r)) {
		src = o->source ? cfg_source_find(s->cfg, o->source) : NULL;
		if (src == NULL || !src->authoritative) {
			sl_addf(&r->errors, false, "This instance is not authoritative for source %s", req_source(r));
			r->status = S_ERR_NON_AUTHORITIVE;
			return;
		}
		if (src->nobject_class_filter > 0) {
			bool ok = false;

			for (size_t i = 0; i < src->nobject_class_filter; i++)
				if (strcmp(src->object_class_filter[i], rpsl_class_name(o->cls)) == 0)
					ok = true;
			if (!ok) {
				sl_addf(&r->errors, false, "Can not make changes to %s objects in this database",
					rpsl_class_name(o->cls));
				r->status = S_ERR_OBJECT_FILTER;
				return;
			}
		}
		r->needs_lookup = true;
	}
	r->lookup_pending = true;
}

/* The rest of ChangeRequest.__init__, after prefetch_existing(): create or
 * modify, and deletions of objects that do not exist. */
static void req_lookup(struct submit *s, struct req *r)
{
	const struct rpsl_object *o = r->new_obj;

	if (!r->lookup_pending)
		return;
	if (r->needs_lookup) {
		r->cur_obj = get_object(s, o->source, rpsl_class_name(o->cls), o->pk);
		if (r->type != T_DELETE)
			r->type = r->cur_obj ? T_MODIFY : T_CREATE;
	}
	if (r->type == T_DELETE && r->cur_obj == NULL) {
		r->status = S_ERR_PARSING;
		sl_add(&r->errors, "Can not delete object: no object found for this key in this database.");
	}
}

struct prefetch_cb {
	struct submit *s;
	const char *source;
};

static int prefetch_cb(void *arg, const struct sql_object_row *row)
{
	struct prefetch_cb *pc = arg;
	char *k = key3(row->object_class, row->rpsl_pk, row->source);
	void **slot = smap_slot(&pc->s->prefetch, k, true);

	free(*slot);
	*slot = xstrndup(row->object_text, row->text_len);
	free(k);
	return 0;
}

/* The current versions of every object of the message, one query per
 * source instead of one per object. Keys looked for and not found are
 * remembered as absent. */
static void prefetch_existing(struct submit *s)
{
	for (size_t i = 0; i < s->nreqs && !s->db_failed; i++) {
		const char *source;
		const char **classes, **pks;
		size_t n = 0;
		bool done = false;

		if (!s->reqs[i].needs_lookup)
			continue;
		source = s->reqs[i].new_obj->source;
		for (size_t k = 0; k < i && !done; k++)
			if (s->reqs[k].needs_lookup && strcmp(s->reqs[k].new_obj->source, source) == 0)
				done = true;
		if (done)
			continue;
		classes = xcalloc(s->nreqs, sizeof(*classes));
		pks = xcalloc(s->nreqs, sizeof(*pks));
		for (size_t k = i; k < s->nreqs; k++) {
			const struct req *r = &s->reqs[k];
			char *key;

			if (!r->needs_lookup || strcmp(r->new_obj->source, source) != 0)
				continue;
			classes[n] = rpsl_class_name(r->new_obj->cls);
			pks[n] = r->new_obj->pk;
			n++;
			key = key3(rpsl_class_name(r->new_obj->cls), r->new_obj->pk, source);
			(void)smap_slot(&s->prefetch, key, true);
			free(key);
		}
		{
			struct prefetch_cb pc = { s, source };

			if (sql_objects_by_keys(s->c, source, classes, pks, n, prefetch_cb, &pc) < 0)
				db_error(s, "object lookup");
		}
		free(classes);
		free(pks);
	}
}

/* parse_as_number(value) of IRRd, for set names; NULL if fine, else the
 * error text (caller frees). */
static char *asn_error(const char *value)
{
	const char *p;
	unsigned long long v = 0;
	bool any = false, sep_ok = false;

	if (strncmp(value, "AS", 2) != 0)
		return xasprintf("Invalid AS number %s: must start with \"AS\"", value);
	p = value + 2;
	/* Python's int(): optional white space and sign, digits with single
	 * underscores between them */
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+')
		p++;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p - '0');
			if (v > 99999999999ull)
				v = 99999999999ull;
			any = true;
			sep_ok = true;
		} else if (*p == '_' && sep_ok && p[1] >= '0' && p[1] <= '9') {
			sep_ok = false;
		} else
			break;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (!any || *p != '\0')
		return xasprintf("Invalid AS number %s: number part is not numeric", value);
	if (v > 4294967295ull)
		return xasprintf("Invalid AS number %s: valid range is 0-4294967295", value);
	return NULL;
}

/* RPSLSet.clean_for_create */
static bool clean_for_create(struct submit *s, struct req *r)
{
	const struct rpsl_object *o = r->new_obj;
	const char *colon = strchr(o->pk, ':');
	char *seg = colon ? xstrndup(o->pk, (size_t)(colon - o->pk)) : xstrdup(o->pk);
	char *err = asn_error(seg);
	int pr_cls, pr_common;

	free(r->pk_asn_segment);
	r->pk_asn_segment = NULL;
	if (err == NULL) {
		r->pk_asn_segment = seg;
		return true;
	}
	free(seg);
	pr_cls = s->cfg->set_creation[set_class_index(o->cls)].prefix_required;
	pr_common = s->cfg->set_creation[CFG_SET_COMMON].prefix_required;
	if (pr_cls == 0 || pr_common == 0) {
		free(err);
		return true;
	}
	/* IRRd clears the segment before formatting, hence "None" */
	sl_addf(&r->errors, false,
		"%s names must be hierarchical and the first component must be an AS number, e.g. "
		"\"AS65537:None\": %s", rpsl_class_name(o->cls), err);
	free(err);
	return false;
}

static const char *blocked_route(const struct rpsl_object *o)
{
	static const uint8_t zero[16];

	if ((o->cls != RPSL_ROUTE && o->cls != RPSL_ROUTE6) || !o->has_prefix)
		return NULL;
	if (memcmp(o->prefix.a, zero, 16) != 0)
		return NULL;
	if (o->prefix.family == IP_AF4 && o->prefix.len == 0)
		return "0.0.0.0/0";
	if (o->prefix.family == IP_AF4 && o->prefix.len == 32)
		return "0.0.0.0";
	if (o->prefix.family == IP_AF6 && o->prefix.len == 0)
		return "::/0";
	if (o->prefix.family == IP_AF6 && o->prefix.len == 128)
		return "::";
	return NULL;
}

static bool has_internal_auth(const struct rpsl_object *o)
{
	struct rpsl_values a = rpsl_get(o, "auth");

	for (size_t i = 0; i < a.n; i++)
		if (strcasecmp(a.v[i], "IRRD-INTERNAL-AUTH") == 0)
			return true;
	return false;
}

static enum rpki_state route_state(struct submit *s, const struct rpsl_object *o)
{
	const struct cfg_source *src;

	if (!s->cfg->rpki_enabled || s->roas == NULL || (o->cls != RPSL_ROUTE && o->cls != RPSL_ROUTE6) ||
	    !o->has_prefix || !o->has_origin)
		return RPKI_NOT_FOUND;
	src = o->source ? cfg_source_find(s->cfg, o->source) : NULL;
	if (src != NULL && src->rpki_excluded)
		return RPKI_NOT_FOUND;
	return roa_validate(s->roas, &o->prefix, o->origin);
}

/* IRRd's ScopeFilterValidator.validate_rpsl_object for route, route6 and
 * aut-num: the reason ("prefix 192.0.2.0/24 is out of scope") or NULL. */
static char *out_of_scope(const struct cfg *cfg, const struct rpsl_object *o)
{
	const struct cfg_source *src;
	bool has_asn = false;
	uint32_t asn = 0;

	if (o->cls != RPSL_ROUTE && o->cls != RPSL_ROUTE6 && o->cls != RPSL_AUT_NUM)
		return NULL;
	src = o->source ? cfg_source_find(cfg, o->source) : NULL;
	if (src != NULL && src->scopefilter_excluded)
		return NULL;
	if (o->has_prefix) {
		for (size_t i = 0; i < cfg->nscopefilter_prefixes; i++) {
			const struct ip_prefix *f = &cfg->scopefilter_prefixes[i];

			if (f->family == o->prefix.family &&
			    (ip_prefix_covers(f, &o->prefix) || ip_prefix_covers(&o->prefix, f))) {
				char buf[IP_PREFIX_STRLEN];

				/* IPy prints a host prefix without its length */
				if (o->prefix.len == ip_maxlen(o->prefix.family)) {
					struct ip_addr a;

					ip_prefix_first(&o->prefix, &a);
					return xasprintf("prefix %s is out of scope", ip_addr_format(&a, buf, sizeof(buf)));
				}
				return xasprintf("prefix %s is out of scope", ip_prefix_format(&o->prefix, buf, sizeof(buf)));
			}
		}
	}
	if (o->has_asn) {
		has_asn = true;
		asn = o->asn_first;
	} else if (o->has_origin) {
		has_asn = true;
		asn = o->origin;
	}
	if (has_asn) {
		for (size_t i = 0; i < cfg->nscopefilter_asns; i++)
			if (cfg->scopefilter_asns[i].first <= asn && asn <= cfg->scopefilter_asns[i].last)
				return xasprintf("ASN %u is out of scope", asn);
	}
	return NULL;
}

/* ChangeRequest.validate */
static void validate(struct submit *s, struct req *r)
{
	struct auth_result ar;
	struct strlist msgs = { NULL, 0 };
	bool override;

	if (r->new_obj == NULL || r->suspension)
		return;
	if (r->type == T_CREATE && is_set_class(r->new_obj->cls)) {
		if (!clean_for_create(s, r)) {
			r->status = S_ERR_PARSING;
			return;
		}
	}
	if (r->type != T_NONE && r->type != T_DELETE) {
		const char *blocked = blocked_route(r->new_obj);
		bool bad = false;

		if (blocked != NULL) {
			sl_addf(&r->errors, false, "Route(6) objects for %s are not permitted.", blocked);
			bad = true;
		}
		if (r->new_obj->cls == RPSL_MNTNER && has_internal_auth(r->new_obj)) {
			sl_add(&r->errors, "This maintainer is not migrated, and therefore can not use the "
				  "IRRD-INTERNAL-AUTH method.");
			bad = true;
		}
		if (bad) {
			r->status = S_ERR_RULES;
			return;
		}
	}

	/* authentication */
	process_auth(s, r, &ar);
	r->auth_done = true;
	r->used_override = ar.override;
	sl_clear(&r->notify_mntners);
	sl_extend(&r->notify_mntners, &ar.notify);
	sl_extend(&r->infos, &ar.infos);
	if (ar.errors.n > 0) {
		r->status = S_ERR_AUTH;
		sl_extend(&r->errors, &ar.errors);
		auth_result_clear(&ar);
		return;
	}
	auth_result_clear(&ar);
	override = r->used_override;

	/* references (not in non-strict mode) */
	if (!r->non_strict) {
		struct strlist infos = { NULL, 0 };

		if (r->type == T_DELETE && r->cur_obj != NULL) {
			if (override && protected_class(r->cur_obj->cls))
				references_from_others(s, r->cur_obj, 1, &infos);
			else
				references_from_others(s, r->cur_obj, 0, &msgs);
		} else {
			check_references_to_others(s, r->new_obj, &msgs);
		}
		sl_extend(&r->infos, &infos);
		sl_clear(&infos);
		if (msgs.n > 0) {
			sl_extend(&r->errors, &msgs);
			if (req_valid(r))
				r->status = S_ERR_REFERENCE;
		}
		sl_clear(&msgs);
	}

	/* protected names: references to a name that does not exist yet */
	if (r->type == T_CREATE) {
		struct strlist infos = { NULL, 0 };

		if (override)
			references_from_others(s, r->new_obj, 3, &infos);
		else
			references_from_others(s, r->new_obj, 2, &msgs);
		sl_extend(&r->infos, &infos);
		sl_clear(&infos);
		if (msgs.n > 0) {
			sl_extend(&r->errors, &msgs);
			if (req_valid(r))
				r->status = S_ERR_PROTECTED_NAME;
		}
		sl_clear(&msgs);
	}

	/* RPKI: creations and changes of RPKI-invalid routes are refused */
	if (r->roa_ok < 0) {
		r->roa_ok = 1;
		r->rpki_state = route_state(s, r->new_obj);
		if (r->type != T_DELETE && r->rpki_state == RPKI_INVALID) {
			r->roa_ok = 0;
			if (req_valid(r))
				r->status = S_ERR_ROA;
			sl_addf(&r->errors, false,
				"RPKI ROAs were found that conflict with this object. (This IRRd refreshes ROAs every %d "
				"seconds.)", s->cfg->roa_import_timer);
		}
	}

	/* scope filter: out of scope creations are refused, changes noted */
	if (r->type == T_CREATE || r->type == T_MODIFY) {
		char *why = out_of_scope(s->cfg, r->new_obj);

		if (why != NULL && r->type == T_CREATE) {
			if (req_valid(r))
				r->status = S_ERR_SCOPEFILTER;
			sl_addf(&r->errors, false, "Contains out of scope information: %s", why);
		} else if (why != NULL)
			sl_addf(&r->infos, false, "Contains out of scope information: %s", why);
		free(why);
	}
}

/* ---------------------------------------------------------------- the rounds */

static void preload(struct submit *s)
{
	smap_clear(&s->preload_new);
	smap_clear(&s->preload_deleted);
	smap_clear(&s->pre_approved);
	for (size_t i = 0; i < s->nreqs; i++) {
		struct req *r = &s->reqs[i];
		char *k;

		if (!req_valid(r) || r->new_obj == NULL)
			continue;
		k = key3(rpsl_class_name(r->new_obj->cls), r->new_obj->pk, r->new_obj->source);
		if (r->type == T_DELETE)
			smap_set(&s->preload_deleted, k, NULL);
		else if (r->type == T_CREATE || r->type == T_MODIFY)
			smap_set(&s->preload_new, k, NULL);
		free(k);
		if (r->type == T_CREATE && r->new_obj->cls == RPSL_MNTNER)
			smap_set(&s->pre_approved, r->new_obj->pk, NULL);
	}
}

struct roa_rows {
	struct roa *v;
	size_t n;
	char **tas;
	size_t ntas;
};

static int roa_row_cb(void *arg, const struct sql_roa_row *row)
{
	struct roa_rows *rr = arg;
	struct roa r;
	size_t ta;

	memset(&r, 0, sizeof(r));
	if (ip_prefix_parse(row->prefix, strlen(row->prefix), &r.prefix, false) < 0 || row->max_length < 0 ||
	    row->max_length > (int)ip_maxlen(r.prefix.family) || row->max_length < r.prefix.len)
		return 0;
	for (ta = 0; ta < rr->ntas; ta++)
		if (strcmp(rr->tas[ta], row->trust_anchor) == 0)
			break;
	if (ta == rr->ntas) {
		rr->tas = xrealloc(rr->tas, (rr->ntas + 1) * sizeof(*rr->tas));
		rr->tas[rr->ntas++] = xstrdup(row->trust_anchor);
	}
	r.maxlen = (uint8_t)row->max_length;
	r.asn = row->asn;
	r.ta = (uint32_t)ta;
	rr->v = xrealloc(rr->v, (rr->n + 1) * sizeof(*rr->v));
	rr->v[rr->n++] = r;
	return 0;
}

/* The ROAs in force that cover a route of this message (one query). */
static void load_roas(struct submit *s)
{
	struct ip_prefix *pfx = NULL;
	size_t n = 0;
	struct roa_rows rr = { NULL, 0, NULL, 0 };

	if (!s->cfg->rpki_enabled)
		return;
	for (size_t i = 0; i < s->nreqs; i++) {
		const struct rpsl_object *o = s->reqs[i].new_obj;

		if (o == NULL || (o->cls != RPSL_ROUTE && o->cls != RPSL_ROUTE6) || !o->has_prefix)
			continue;
		pfx = xrealloc(pfx, (n + 1) * sizeof(*pfx));
		pfx[n++] = o->prefix;
	}
	if (n == 0)
		return;
	if (sql_roas_covering(s->c, pfx, n, roa_row_cb, &rr) < 0)
		db_error(s, "ROA lookup");
	else {
		s->roas = roa_set_new(rr.v, rr.n, (const char *const *)rr.tas, rr.ntas, NULL);
		if (s->roas == NULL) {
			log_errx("roa_object: the ROAs in the database do not form a valid set");
			s->roas = roa_set_new_empty();
		}
	}
	free(pfx);
	free(rr.v);
	for (size_t i = 0; i < rr.ntas; i++)
		free(rr.tas[i]);
	free(rr.tas);
}

/* ChangeSubmissionHandler._handle_change_requests, before the saves */
static void resolve(struct submit *s)
{
	bool *valid = xcalloc(s->nreqs + 1, sizeof(bool)), *prev = xcalloc(s->nreqs + 1, sizeof(bool));
	size_t loops = 0, max = s->nreqs + 10;

	for (size_t i = 0; i < s->nreqs; i++)
		valid[i] = req_valid(&s->reqs[i]);
	/* prev starts different from valid (IRRd starts from an empty list) */
	for (;;) {
		bool same = loops > 0;

		for (size_t i = 0; i < s->nreqs && same; i++)
			if (valid[i] != prev[i])
				same = false;
		if (loops > 0 && same)
			break;
		if (loops == 0) {
			bool any = false;

			for (size_t i = 0; i < s->nreqs; i++)
				any |= valid[i];
			if (!any)
				break;
		}
		memcpy(prev, valid, s->nreqs * sizeof(bool));
		preload(s);
		for (size_t i = 0; i < s->nreqs && !s->db_failed; i++)
			if (prev[i])
				validate(s, &s->reqs[i]);
		for (size_t i = 0; i < s->nreqs; i++)
			valid[i] = req_valid(&s->reqs[i]);
		if (s->db_failed)
			break;
		if (++loops > max) {
			log_errx("update validity resolver ran an excessive amount of loops, may be stuck; aborting");
			s->db_failed = true;
			break;
		}
	}
	free(valid);
	free(prev);
}

/* ---------------------------------------------------------------- saving */

/* The text without last-modified attributes (with their continuation lines). */
static char *without_last_modified(const char *t)
{
	struct mail_buf b = { 0 };
	bool skip = false;

	for (const char *p = t; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (*p != ' ' && *p != '\t' && *p != '+')
			skip = strncasecmp(p, "last-modified:", 14) == 0;
		if (!skip)
			mail_buf_add(&b, p, n);
		p += n;
	}
	return mail_buf_take(&b);
}

static char *render(const struct rpsl_object *o)
{
	size_t n;

	return rpsl_render(o, &n);
}

static bool save(struct submit *s, struct req *r, time_t now)
{
	const struct cfg_source *src = cfg_source_find(s->cfg, r->new_obj->source);
	struct sql_change_opts opts;
	int64_t serial = -1;

	memset(&opts, 0, sizeof(opts));
	opts.journal = src != NULL && src->keep_journal;
	opts.serial_nrtm = -1;
	opts.origin = SQL_ORIGIN_AUTH_CHANGE;
	if (r->type == T_DELETE) {
		log_info("Saving change for %s/%s/%s: deleting current object", rpsl_class_name(r->cur_obj->cls),
			 r->cur_obj->pk, r->new_obj->source);
		if (sql_change_delete(s->c, r->new_obj->source, rpsl_class_name(r->cur_obj->cls), r->cur_obj->pk,
				      &opts, &serial) < 0)
			return db_error(s, "delete");
	} else {
		char *nt = render(r->new_obj), *ct = r->cur_obj ? render(r->cur_obj) : NULL;
		char *n1 = without_last_modified(nt), *c1 = ct ? without_last_modified(ct) : NULL;
		bool same = c1 != NULL && strcmp(n1, c1) == 0;

		free(ct);
		free(c1);
		if (same) {
			sl_add(&r->infos, "Submitted object was identical to current object, no change recorded.");
			log_info("Not saving change for %s/%s/%s: identical to current object",
				 rpsl_class_name(r->new_obj->cls), r->new_obj->pk, r->new_obj->source);
			free(nt);
			free(n1);
			r->status = S_SAVED;
			return true;
		}
		if (src == NULL || !src->authoritative_retain_last_modified) {
			struct tm tm;
			char ts[64];

			gmtime_r(&now, &tm);
			strftime(ts, sizeof(ts), "last-modified:  %Y-%m-%dT%H:%M:%SZ\n", &tm);
			free(nt);
			nt = xasprintf("%s%s", n1, ts);
		}
		free(n1);
		log_info("Saving change for %s/%s/%s: inserting/updating current object",
			 rpsl_class_name(r->new_obj->cls), r->new_obj->pk, r->new_obj->source);
		if (sql_change_put(s->c, r->new_obj, nt, r->rpki_state, &opts, &serial) < 0) {
			free(nt);
			return db_error(s, "insert/update");
		}
		free(nt);
	}
	r->status = S_SAVED;
	return true;
}

/* After the commit: keys of saved key-certs go into the keyring, so that
 * messages signed with them verify. */
static void import_keycert(const struct cfg *cfg, const struct rpsl_object *o)
{
	struct rpsl_values cv = rpsl_get(o, "certif");
	struct mail_buf b = { 0 };
	char *text, *err = NULL;

	for (size_t i = 0; i < cv.n; i++) {
		if (i)
			mail_buf_add(&b, "\n", 1);
		mail_buf_puts(&b, cv.v[i]);
	}
	text = mail_buf_take(&b);
	for (char *p = text; *p; p++)
		if (*p == ',')
			*p = '\n';
	if (mail_pgp_import(cfg->gnupg_keyring, text, &err) < 0)
		log_warnx("key-cert %s: cannot import the key into %s: %s", o->pk, cfg->gnupg_keyring, err);
	free(err);
	free(text);
}

/* ---------------------------------------------------------------- reports */

static void meta_str(struct mail_buf *b, const struct mail_msg *m)
{
	const char *names[4] = { "Message-ID", "From", "Date", "Subject" };
	const char *vals[4] = { m->message_id, m->from, m->date, m->subject };
	bool first = true;

	for (int i = 0; i < 4; i++) {
		if (vals[i] == NULL || vals[i][0] == '\0')
			continue;
		mail_buf_printf(b, "\n> %s: %s", names[i], vals[i]);
		first = false;
	}
	if (!first)
		mail_buf_puts(b, "\n\n");
}

static void title(struct mail_buf *b, const char *s)
{
	char c = (char)toupper((unsigned char)s[0]);

	mail_buf_add(b, &c, 1);
	mail_buf_puts(b, s + 1);
}

/* ChangeRequest.submitter_report_human */
static void req_report(struct mail_buf *b, const struct req *r)
{
	title(b, type_str(r->type));
	mail_buf_printf(b, " %s: [%s] %s\n", req_valid(r) ? "succeeded" : "FAILED", req_class(r), req_pk(r));
	if (r->infos.n > 0 || r->errors.n > 0) {
		char *t, *clean;

		if (r->new_obj == NULL || r->errors.n > 0 || r->suspension)
			t = xstrdup(r->in->text);
		else
			t = render(r->new_obj);
		clean = r->suspension ? xstrdup(t) : mail_remove_auth_hashes(t);
		mail_buf_printf(b, "\n%s\n", clean);
		free(clean);
		free(t);
		/* parser errors may quote an auth: value; hashes never go out */
		for (size_t i = 0; i < r->errors.n; i++) {
			clean = mail_remove_auth_hashes(r->errors.v[i]);
			mail_buf_printf(b, "ERROR: %s\n", clean);
			free(clean);
		}
		for (size_t i = 0; i < r->infos.n; i++)
			mail_buf_printf(b, "INFO: %s\n", r->infos.v[i]);
	}
}

static char *submitter_report(const struct submit *s, const struct mail_msg *m)
{
	struct mail_buf b = { 0 };
	int ok = 0, okc = 0, okm = 0, okd = 0, bad = 0, badc = 0, badm = 0, badd = 0;

	for (size_t i = 0; i < s->nreqs; i++) {
		const struct req *r = &s->reqs[i];
		bool saved = r->status == S_SAVED;

		if (saved)
			ok++;
		else
			bad++;
		if (r->type == T_CREATE)
			saved ? okc++ : badc++;
		else if (r->type == T_MODIFY)
			saved ? okm++ : badm++;
		else if (r->type == T_DELETE)
			saved ? okd++ : badd++;
	}
	meta_str(&b, m);
	mail_buf_printf(&b,
			"\nSUMMARY OF UPDATE:\n\n"
			"Number of objects found:                  %3zu\n"
			"Number of objects processed successfully: %3d\n"
			"    Create:      %3d\n"
			"    Modify:      %3d\n"
			"    Delete:      %3d\n"
			"Number of objects processed with errors:  %3d\n"
			"    Create:      %3d\n"
			"    Modify:      %3d\n"
			"    Delete:      %3d\n"
			"\nDETAILED EXPLANATION:\n\n"
			"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n",
			s->nreqs, ok, okc, okm, okd, bad, badc, badm, badd);
	for (size_t i = 0; i < s->nreqs; i++) {
		mail_buf_puts(&b, "---\n");
		req_report(&b, &s->reqs[i]);
		mail_buf_puts(&b, "\n");
	}
	mail_buf_puts(&b, "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
	return mail_buf_take(&b);
}

/* ChangeRequest.notification_target_report */
static char *notification_report(const struct req *r)
{
	struct mail_buf b = { 0 };
	char *t, *clean;

	title(&b, type_str(r->type));
	mail_buf_printf(&b, " %s for object below: [%s] %s:\n\n", req_valid(r) ? "succeeded" : "FAILED AUTHORISATION",
			req_class(r), req_pk(r));
	if (r->type == T_MODIFY) {
		char *ct = render(r->cur_obj), *nt = render(r->new_obj), *d = mail_unified_diff(ct, nt);

		mail_buf_puts(&b, d);
		free(d);
		free(ct);
		free(nt);
		mail_buf_puts(&b, r->status == S_ERR_AUTH ? "\n\n*Rejected* new version of this object:\n\n"
						       : "\n\nNew version of this object:\n\n");
	}
	t = render(r->type == T_DELETE ? r->cur_obj : r->new_obj);
	mail_buf_puts(&b, t);
	free(t);
	t = mail_buf_take(&b);
	clean = mail_remove_auth_hashes(t);
	free(t);
	return clean;
}

/* ChangeRequest.notification_targets */
static void notification_targets(struct submit *s, const struct req *r, struct strlist *out)
{
	const char *attr;

	if (r->suspension || r->new_obj == NULL || r->used_override ||
	    !(req_valid(r) || r->status == S_ERR_AUTH))
		return;
	attr = r->status == S_ERR_AUTH ? "upd-to" : "mnt-nfy";
	for (size_t i = 0; i < r->notify_mntners.n; i++) {
		struct mntner_entry *e = mntner_get(s, r->new_obj->source, r->notify_mntners.v[i]);
		struct rpsl_values v;

		if (e == NULL || e->obj == NULL)
			continue;
		v = rpsl_get(e->obj, attr);
		for (size_t k = 0; k < v.n; k++)
			sl_add_unique(out, v.v[k]);
	}
	if (r->cur_obj != NULL) {
		struct rpsl_values v = rpsl_get(r->cur_obj, "notify");

		for (size_t k = 0; k < v.n; k++)
			sl_add_unique(out, v.v[k]);
	}
}

struct recipient {
	char *addr;
	struct strlist failed, saved;	/* ordered sets of reports */
};

/* ChangeSubmissionHandler.send_notification_target_reports */
static int queue_notifications(struct submit *s, const struct mail_msg *m, const char *dir, const char *version)
{
	struct recipient *rc = NULL;
	size_t nrc = 0;
	struct strlist sources = { NULL, 0 };
	int queued = 0;

	for (size_t i = 0; i < s->nreqs; i++) {
		const struct req *r = &s->reqs[i];
		struct strlist targets = { NULL, 0 };
		char *report = NULL;

		notification_targets(s, r, &targets);
		for (size_t t = 0; t < targets.n; t++) {
			struct recipient *p = NULL;

			for (size_t k = 0; k < nrc; k++)
				if (strcmp(rc[k].addr, targets.v[t]) == 0)
					p = &rc[k];
			if (p == NULL) {
				rc = xrealloc(rc, (nrc + 1) * sizeof(*rc));
				p = &rc[nrc++];
				memset(p, 0, sizeof(*p));
				p->addr = xstrdup(targets.v[t]);
			}
			if (report == NULL)
				report = notification_report(r);
			sl_add_unique(r->status == S_ERR_AUTH ? &p->failed : &p->saved, report);
			sl_add_unique(&sources, req_source(r));
		}
		free(report);
		sl_clear(&targets);
	}
	if (nrc > 0) {
		struct mail_buf sb = { 0 }, hb = { 0 };
		char *sources_str, *subject, *header;
		const char *tmpl = s->cfg->email_notification_header ? s->cfg->email_notification_header : "";

		for (size_t i = 0; i < sources.n; i++)
			mail_buf_printf(&sb, "%s%s", i ? "/" : "", sources.v[i]);
		sources_str = mail_buf_take(&sb);
		subject = xasprintf("Notification of %s database changes", sources_str);
		for (const char *p = tmpl; *p;) {
			if (strncmp(p, "{sources_str}", 13) == 0) {
				mail_buf_puts(&hb, sources_str);
				p += 13;
			} else
				mail_buf_add(&hb, p++, 1);
		}
		mail_buf_puts(&hb, "\nThis message is auto-generated.\nThe request was made with the following details:\n");
		header = mail_buf_take(&hb);
		for (size_t k = 0; k < nrc; k++) {
			struct mail_buf b = { 0 };
			char *body;

			mail_buf_puts(&b, header);
			meta_str(&b, m);
			if (rc[k].failed.n > 0) {
				mail_buf_puts(&b, "\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
						  "Some objects in which you are referenced were requested\n"
						  "to be created, deleted or changed, but *failed* the \n"
						  "proper authorisation for any of the referenced maintainers.\n\n");
				for (size_t i = 0; i < rc[k].failed.n; i++)
					mail_buf_printf(&b, "---\n%s\n", rc[k].failed.v[i]);
				mail_buf_puts(&b, "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n\n");
			}
			if (rc[k].saved.n > 0) {
				mail_buf_puts(&b, "\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
						  "Some objects in which you are referenced have been created,\n"
						  "deleted or changed.\n\n");
				for (size_t i = 0; i < rc[k].saved.n; i++)
					mail_buf_printf(&b, "---\n%s\n", rc[k].saved.v[i]);
				mail_buf_puts(&b, "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n\n");
			}
			body = mail_buf_take(&b);
			if (mail_queue_irrd(s->cfg, dir, version, rc[k].addr, subject, body) == 0)
				queued++;
			free(body);
		}
		free(header);
		free(subject);
		free(sources_str);
	}
	for (size_t k = 0; k < nrc; k++) {
		free(rc[k].addr);
		sl_clear(&rc[k].failed);
		sl_clear(&rc[k].saved);
	}
	free(rc);
	sl_clear(&sources);
	return queued;
}

/* ---------------------------------------------------------------- PGP */

static bool keycert_lookup(struct submit *s, const char *pk, struct rpsl_object **out)
{
	*out = NULL;
	for (size_t i = 0; i < s->cfg->nsources && *out == NULL && !s->db_failed; i++)
		*out = get_object(s, s->cfg->sources[i].name, "key-cert", pk);
	return *out != NULL;
}

/* A key the keyring lacks but a key-cert in the database has (loaded from
 * a dump, say): import it so that the signature can be checked. */
static bool import_missing(struct submit *s, const char *keyid)
{
	size_t n = strlen(keyid);
	struct rpsl_object *kc;
	char *pk;
	bool ok = false;

	if (n < 8)
		return false;
	pk = xasprintf("PGPKEY-%s", keyid + n - 8);
	for (char *p = pk; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (keycert_lookup(s, pk, &kc)) {
		log_info("PGP key %s is not in the keyring; importing it from key-cert %s", keyid, pk);
		import_keycert(s->cfg, kc);
		rpsl_object_free(kc);
		ok = true;
	}
	free(pk);
	return ok;
}

static int verify_once(struct submit *s, const char *data, size_t len, const char *sig, size_t siglen,
		       struct mail_pgp_result *res)
{
	char *err = NULL;

	if (mail_pgp_verify(s->cfg->gnupg_keyring, data, len, sig, siglen, res, &err) < 0) {
		log_errx("checking a PGP signature: %s", err);
		free(err);
		return -1;
	}
	if (res->missing_key != NULL && import_missing(s, res->missing_key)) {
		mail_pgp_result_clear(res);
		if (mail_pgp_verify(s->cfg->gnupg_keyring, data, len, sig, siglen, res, &err) < 0) {
			log_errx("checking a PGP signature: %s", err);
			free(err);
			return -1;
		}
	}
	return 0;
}

static char *to_crlf(const char *t, size_t n, size_t *outlen)
{
	struct mail_buf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (t[i] == '\n' && (i == 0 || t[i - 1] != '\r'))
			mail_buf_add(&b, "\r\n", 2);
		else
			mail_buf_add(&b, t + i, 1);
	}
	*outlen = b.len;
	return mail_buf_take(&b);
}

static size_t count_str(const char *h, const char *needle)
{
	size_t n = 0, l = strlen(needle);

	while ((h = strstr(h, needle)) != NULL) {
		n++;
		h += l;
	}
	return n;
}

/* Returns the fingerprint of a good signature (caller frees) or NULL; may
 * replace *body by the signed text of an inline signature. */
static char *check_signature(struct submit *s, struct mail_msg *m)
{
	struct mail_pgp_result res;
	char *fpr = NULL;

	memset(&res, 0, sizeof(res));
	if (m->signature != NULL) {
		size_t clen;
		char *crlf = to_crlf(m->signed_data, m->signed_len, &clen);

		/* RFC 3156: the signature covers the part in canonical CRLF
		 * form; some signers sign what they have */
		if (verify_once(s, crlf, clen, m->signature, m->signature_len, &res) == 0 && !res.valid &&
		    res.missing_key == NULL) {
			mail_pgp_result_clear(&res);
			(void)verify_once(s, m->signed_data, m->signed_len, m->signature, m->signature_len, &res);
		}
		free(crlf);
	} else if (count_str(m->body, "BEGIN PGP SIGNED MESSAGE") == 1) {
		if (verify_once(s, m->body, m->body_len, NULL, 0, &res) == 0 && res.valid && res.plaintext != NULL) {
			/* only the signed text counts (IRRd takes the text
			 * between the armour lines; gpg's output is what the
			 * signature covers) */
			free(m->body);
			m->body = res.plaintext;
			m->body_len = res.plaintext_len;
			res.plaintext = NULL;
		}
	} else
		return NULL;
	if (res.log != NULL)
		log_info("checked PGP signature, response: %s", res.log);
	if (res.valid)
		fpr = xstrdup(res.fingerprint);
	mail_pgp_result_clear(&res);
	return fpr;
}

/* ChangeSubmissionHandler._resolve_pgp_key_id */
static char *resolve_key_id(struct submit *s, const char *fpr, const char *msgid)
{
	size_t n = strlen(fpr);
	char *pk = xasprintf("PGPKEY-%s", n >= 8 ? fpr + n - 8 : fpr);
	struct rpsl_object *kc;
	bool ok = false;

	for (size_t i = 0; i < s->cfg->nsources && !ok && !s->db_failed; i++) {
		struct rpsl_values fp;
		char clean[128];
		size_t o = 0;

		kc = get_object(s, s->cfg->sources[i].name, "key-cert", pk);
		if (kc == NULL)
			continue;
		fp = rpsl_get(kc, "fingerpr");
		if (fp.n > 0) {
			for (const char *p = fp.v[0]; *p && o < sizeof(clean) - 1; p++)
				if (*p != ' ')
					clean[o++] = (char)toupper((unsigned char)*p);
			clean[o] = '\0';
			ok = strcmp(clean, fpr) == 0;
		}
		rpsl_object_free(kc);
	}
	if (!ok) {
		log_info("Message was signed with key %s, but key was not found in the database. Treating message "
			 "as unsigned. Message-ID: %s", pk, msgid ? msgid : "None");
		free(pk);
		return NULL;
	}
	return pk;
}

/* ---------------------------------------------------------------- the submission */

static void submit_free(struct submit *s)
{
	for (size_t i = 0; i < s->nreqs; i++) {
		struct req *r = &s->reqs[i];

		rpsl_object_free(r->new_obj);
		rpsl_object_free(r->cur_obj);
		sl_clear(&r->errors);
		sl_clear(&r->infos);
		sl_clear(&r->notify_mntners);
		free(r->related.cls);
		free(r->related.pk);
		sl_clear(&r->related.mntners);
		free(r->pk_asn_segment);
	}
	free(s->reqs);
	mail_changes_free(s->ch);
	smap_free(&s->mntners, mntner_entry_free);
	smap_clear(&s->refs_found);
	smap_clear(&s->preload_new);
	smap_clear(&s->preload_deleted);
	smap_clear(&s->pre_approved);
	smap_free(&s->unaligned, range_list_free);
	smap_free(&s->prefetch, free);
	smap_free(&s->parents, parent_rows_free);
	smap_clear(&s->parents_loaded);
	roa_set_free(s->roas);
}

static const char *none(const char *s)
{
	return s ? s : "None";
}

static void parse_options(const struct cfg *cfg, struct rpsl_options *po)
{
	*po = rpsl_options_default;
	po->hashers[RPSL_HASHER_MD5_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_MD5];
	po->hashers[RPSL_HASHER_CRYPT_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_CRYPT];
	po->hashers[RPSL_HASHER_BCRYPT_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_BCRYPT];
}

int mail_submit(const struct cfg *cfg, struct sql_conn *c, const char *version, const char *raw,
		size_t len, struct mail_outcome *out, char **err)
{
	struct mail_msg *m;
	struct submit s;
	char *dir = NULL, *subject = NULL, *reply = NULL, *keycert = NULL;
	int rc = 0;

	*err = NULL;
	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	m = mail_parse(raw, len);
	if (m->from == NULL) {
		*err = xasprintf("message %s: no From header: not processed", none(m->message_id));
		log_errx("%s", *err);
		rc = 1;
		goto out;
	}
	if (m->from_addr == NULL) {
		*err = xasprintf("message %s: From %s: no usable address: not processed", none(m->message_id), m->from);
		log_errx("%s", *err);
		rc = 1;
		goto out;
	}
	if (m->refusal != NULL) {
		log_warnx("Refused e-mail %s from %s: %s", none(m->message_id), m->from, m->refusal);
		subject = xasprintf("FAILED: %s", none(m->subject));
		reply = xasprintf("\nUnfortunately, your message with ID %s\ncould not be processed, as %s.\n",
				  none(m->message_id), m->refusal);
		goto reply;
	}
	if (m->body == NULL || m->body[0] == '\0') {
		log_warnx("Unable to extract message body from e-mail %s from %s", none(m->message_id), m->from);
		subject = xasprintf("FAILED: %s", none(m->subject));
		reply = xasprintf("\nUnfortunately, your message with ID %s\n"
				  "could not be processed, as no text/plain part could be found.\n\n"
				  "Please try to resend your message as plain text email.\n",
				  none(m->message_id));
		goto reply;
	}

	/* everything from here on runs in one transaction; one submission
	 * at a time, so that what was checked is what gets written */
	s.cfg = cfg;
	s.c = c;
	s.override_ok = -1;
	parse_options(cfg, &s.popts);
	if (sql_begin(c) < 0 ||
	    sql_exec(c, "SELECT pg_advisory_xact_lock(hashtext('irrd_submit_email'))", 0, NULL) < 0) {
		db_error(&s, "transaction");
		goto dbfail;
	}
	{
		char *fpr = check_signature(&s, m);

		if (fpr != NULL) {
			keycert = resolve_key_id(&s, fpr, m->message_id);
			free(fpr);
		}
	}
	s.keycert_pk = keycert;
	s.ch = mail_changes_parse(m->body, m->body_len);
	s.nreqs = s.ch->nreqs;
	s.reqs = xcalloc(s.nreqs + 1, sizeof(*s.reqs));
	for (size_t i = 0; i < s.nreqs && !s.db_failed; i++)
		req_init(&s, &s.reqs[i], &s.ch->reqs[i]);
	prefetch_existing(&s);
	for (size_t i = 0; i < s.nreqs && !s.db_failed; i++)
		req_lookup(&s, &s.reqs[i]);
	if (!s.db_failed)
		prefetch_parents(&s);
	if (!s.db_failed)
		load_roas(&s);
	if (!s.db_failed)
		resolve(&s);
	if (!s.db_failed) {
		time_t now = time(NULL);

		/* the writes go out in one libpq pipeline: no round trip each */
		if (sql_change_pipeline_begin(c) < 0) {
			db_error(&s, "pipeline");
		} else {
			for (size_t i = 0; i < s.nreqs && !s.db_failed; i++)
				if (req_valid(&s.reqs[i]) && s.reqs[i].new_obj != NULL && !s.reqs[i].suspension)
					save(&s, &s.reqs[i], now);
			if (sql_change_pipeline_end(c, NULL) < 0)
				db_error(&s, "saving the changes");
		}
	}
	if (s.db_failed)
		goto dbfail;
	if (sql_commit(c) < 0) {
		db_error(&s, "commit");
		goto dbfail;
	}
	for (size_t i = 0; i < s.nreqs; i++) {
		const struct req *r = &s.reqs[i];

		if (r->status == S_SAVED && r->type != T_DELETE && r->new_obj->cls == RPSL_KEY_CERT)
			import_keycert(cfg, r->new_obj);
	}
	out->nobjects = (int)s.nreqs;
	out->success = true;
	for (size_t i = 0; i < s.nreqs; i++) {
		if (s.reqs[i].status == S_SAVED)
			out->nsaved++;
		else {
			out->nfailed++;
			out->success = false;
		}
	}
	log_info("Processed e-mail %s from %s: %s", none(m->message_id), m->from,
		 out->success ? "SUCCESS" : "FAILED");
	subject = xasprintf("%s: %s", out->success ? "SUCCESS" : "FAILED", none(m->subject));
	reply = submitter_report(&s, m);
	log_debug("Report for e-mail %s from %s: %s", none(m->message_id), m->from, reply);

reply:
	dir = mail_spool_dir(cfg);
	if (mail_queue_irrd(cfg, dir, version, m->from_addr, subject, reply) == 0)
		out->nmails++;
	if (s.reqs != NULL)
		out->nmails += queue_notifications(&s, m, dir, version);
	out->nunsent = mail_flush_logged(cfg, dir);
	goto out;

dbfail:
	sql_rollback(c);
	*err = xasprintf("message %s from %s: database error (%s): nothing changed, not answered",
			 none(m->message_id), m->from, sql_error(c));
	log_errx("%s", *err);
	rc = 2;
out:
	submit_free(&s);
	free(keycert);
	free(dir);
	free(subject);
	free(reply);
	mail_msg_free(m);
	return rc;
}
