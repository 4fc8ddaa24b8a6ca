/*
 * importer.c - the ROA import cycle (importer.h).
 *
 * Memory: every route is kept as a few bytes of state (id, source index,
 * status) plus its prefix and origin for the validator, about 50 bytes a
 * route; object texts are read only for the routes whose notification
 * needs them, and journal texts never leave the server. roa_object is
 * brought up to date by difference (a re-import with 1% of the ROAs
 * changed writes 1% of the rows), and rewritten whole only when the table
 * does not hold a clean copy of a set (duplicates, a count mismatch).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpsl/log.h"
#include "rpki/importer.h"
#include "rpki/roa_int.h"
#include "sql/rpki_store.h"

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- options ------------------------------------------------------------------- */

void roa_import_opts_from_cfg(struct roa_import_opts *o, const struct cfg *cfg)
{
	struct roa_import_source *s;

	memset(o, 0, sizeof(*o));
	o->roa_url = cfg->roa_source;
	o->slurm_url = cfg->slurm_source;
	o->timeout = cfg->download_timeout > 0 ? (long)cfg->download_timeout * 6 : 0;
	s = xcalloc(cfg->nsources ? cfg->nsources : 1, sizeof(*s));
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct cfg_source *cs = &cfg->sources[i];

		s[i].name = cs->name;
		s[i].excluded = cs->rpki_excluded;
		s[i].journal = cs->keep_journal;
		s[i].notify = cfg->notify_invalid_enabled && cs->authoritative;
	}
	o->sources = s;
	o->nsources = cfg->nsources;
	if (cfg->notify_invalid_enabled) {
		o->notify_subject = cfg->notify_invalid_subject ? cfg->notify_invalid_subject : "";
		o->notify_header = cfg->notify_invalid_header ? cfg->notify_invalid_header : "";
	}
	o->threads = 2;
}

void roa_import_opts_free(struct roa_import_opts *o)
{
	free((void *)o->sources);
	o->sources = NULL;
	o->nsources = 0;
	roa_set_free(o->set);
	o->set = NULL;
}

void roa_import_result_free(struct roa_import_result *res)
{
	roa_set_free(res->set);
	free(res->error);
	for (size_t i = 0; i < res->nnotices; i++) {
		free(res->notices[i].to);
		free(res->notices[i].subject);
		free(res->notices[i].body);
	}
	free(res->notices);
	memset(res, 0, sizeof(*res));
}

/* ---- small helpers --------------------------------------------------------------- */

struct strvec {
	char **v;
	size_t n, cap;
};

static void sv_push(struct strvec *s, const char *str)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = xstrdup(str);
}

static void sv_free(struct strvec *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int str_qcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates. */
static void sv_uniq(struct strvec *s)
{
	size_t o = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), str_qcmp);
	for (size_t i = 0; i < s->n; i++) {
		if (o > 0 && strcmp(s->v[o - 1], s->v[i]) == 0) {
			free(s->v[i]);
			continue;
		}
		s->v[o++] = s->v[i];
	}
	s->n = o;
}

char *roa_notice_format(const char *tmpl, const char *sources_str, size_t object_count)
{
	size_t cap = strlen(tmpl) + 64, len = 0;
	char *out = xmalloc(cap), num[32];

	snprintf(num, sizeof(num), "%zu", object_count);
	for (const char *p = tmpl; *p;) {
		const char *rep = NULL;
		size_t skip = 1, rl;

		if (strncmp(p, "{sources_str}", 13) == 0) {
			rep = sources_str;
			skip = 13;
		} else if (strncmp(p, "{object_count}", 14) == 0) {
			rep = num;
			skip = 14;
		} else if (strncmp(p, "{{", 2) == 0) {
			rep = "{";
			skip = 2;
		} else if (strncmp(p, "}}", 2) == 0) {
			rep = "}";
			skip = 2;
		}
		if (rep == NULL) {
			rep = p;
			rl = 1;
		} else
			rl = strlen(rep);
		if (len + rl + 1 > cap) {
			while (len + rl + 1 > cap)
				cap *= 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, rep, rl);
		len += rl;
		p += skip;
	}
	out[len] = '\0';
	return out;
}

/* ---- reading and validating routes -------------------------------------------------- */

struct src_info {
	char *name;
	bool excluded, journal, notify, pseudo;
	size_t nroutes;
};

struct rt {
	int64_t id;
	uint16_t src;
	uint8_t old;
	uint8_t ok;		/* prefix and origin known */
};

struct reader {
	const struct roa_import_opts *o;
	struct src_info *srcs;
	size_t nsrcs;
	uint16_t last;
	struct rt *rt;
	struct roa_route *vr;
	size_t n, cap;
	bool too_many_sources;
};

static uint16_t src_index(struct reader *rd, const char *name)
{
	struct src_info *s;

	if (rd->nsrcs > 0 && strcmp(rd->srcs[rd->last].name, name) == 0)
		return rd->last;
	for (size_t i = 0; i < rd->nsrcs; i++) {
		if (strcmp(rd->srcs[i].name, name) == 0) {
			rd->last = (uint16_t)i;
			return rd->last;
		}
	}
	if (rd->nsrcs >= 0xffff) {
		rd->too_many_sources = true;
		return 0;
	}
	rd->srcs = xrealloc(rd->srcs, (rd->nsrcs + 1) * sizeof(*rd->srcs));
	s = &rd->srcs[rd->nsrcs];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->pseudo = strcmp(name, ROA_PSEUDO_SOURCE) == 0;
	for (size_t i = 0; i < rd->o->nsources; i++) {
		const struct roa_import_source *is = &rd->o->sources[i];

		if (is->name != NULL && strcmp(is->name, name) == 0) {
			s->excluded = is->excluded;
			s->journal = is->journal;
			s->notify = is->notify;
		}
	}
	rd->last = (uint16_t)rd->nsrcs++;
	return rd->last;
}

static int route_cb(void *arg, const struct sql_route *r)
{
	struct reader *rd = arg;
	struct rt *t;
	uint16_t si = src_index(rd, r->source);

	if (rd->too_many_sources)
		return -1;
	if (rd->srcs[si].pseudo)
		return 0;	/* pseudo-IRR objects are not validated */
	if (rd->n == rd->cap) {
		rd->cap = rd->cap ? rd->cap * 2 : 65536;
		rd->rt = xrealloc(rd->rt, rd->cap * sizeof(*rd->rt));
		rd->vr = xrealloc(rd->vr, rd->cap * sizeof(*rd->vr));
	}
	t = &rd->rt[rd->n];
	t->id = r->id;
	t->src = si;
	t->old = (uint8_t)r->rpki_status;
	t->ok = r->has_prefix && r->has_origin;
	if (t->ok) {
		rd->vr[rd->n].prefix = r->prefix;
		rd->vr[rd->n].origin = r->origin;
	} else
		memset(&rd->vr[rd->n], 0, sizeof(rd->vr[rd->n]));
	rd->srcs[si].nroutes++;
	rd->n++;
	return 0;
}

static void reader_free(struct reader *rd)
{
	for (size_t i = 0; i < rd->nsrcs; i++)
		free(rd->srcs[i].name);
	free(rd->srcs);
	free(rd->rt);
	free(rd->vr);
}

/* ---- roa_object -------------------------------------------------------------------- */

static int dbroa_cb(void *arg, const struct sql_roa *r)
{
	struct roa_vec *rv = arg;
	struct roa x;
	const char *ta = r->ta ? r->ta : "";

	x.prefix = r->prefix;
	x.maxlen = r->maxlen;
	x.asn = r->asn;
	x.ta = roa_vec_ta(rv, ta, strlen(ta));
	roa_vec_push(rv, &x);
	return 0;
}

struct roa_set *roa_load_db(struct sql_conn *c, char **err)
{
	struct roa_vec rv;
	struct roa_set *set;

	*err = NULL;
	roa_vec_init(&rv);
	if (sql_roa_load(c, dbroa_cb, &rv) < 0) {
		*err = xasprintf("roa_object: %s", sql_error(c));
		roa_vec_free(&rv);
		return NULL;
	}
	set = roa_set_build(&rv);
	roa_vec_free(&rv);
	return set;
}

int roa_load_for_source(struct sql_conn *c, const struct cfg *cfg, const char *source,
			struct roa_set **out, char **err)
{
	const struct cfg_source *cs = cfg_source_find(cfg, source);

	*out = NULL;
	*err = NULL;
	if (!cfg->rpki_enabled || (cs != NULL && cs->rpki_excluded) || strcmp(source, ROA_PSEUDO_SOURCE) == 0)
		return 0;
	*out = roa_load_db(c, err);
	return *out == NULL ? -1 : 0;
}

enum rpki_state roa_load_state(void *set, const struct ip_prefix *prefix, uint32_t origin)
{
	return roa_validate(set, prefix, origin);
}

static int roa_ta_qcmp(const void *a, const void *b)
{
	const struct roa *x = a, *y = b;
	int c = roa_cmp(x, y);

	if (c)
		return c;
	return x->ta < y->ta ? -1 : x->ta > y->ta;
}

static void to_sql(struct sql_roa *s, const struct roa *r, const char *ta)
{
	s->prefix = r->prefix;
	s->maxlen = r->maxlen;
	s->asn = r->asn;
	s->ta = ta;
}

/*
 * Bring roa_object to the new set: read what is stored, merge it with the
 * set (both in roa_cmp order) and write the difference. A table holding
 * one VRP twice is rewritten whole.
 */
static int roa_store(struct sql_conn *c, const struct roa_set *set, struct roa_import_result *res)
{
	struct roa_vec db;
	size_t n, i = 0, j = 0, ndel = 0, nadd = 0;
	const struct roa *nv = roa_set_roas(set, &n);
	struct sql_roa *del = NULL, *add = NULL;
	bool all = false;
	int rc = -1;
	long count;

	roa_vec_init(&db);
	if (sql_roa_load(c, dbroa_cb, &db) < 0)
		goto out;
	if (db.n > 0)
		qsort(db.v, db.n, sizeof(*db.v), roa_ta_qcmp);
	for (size_t k = 1; k < db.n && !all; k++)
		if (roa_cmp(&db.v[k - 1], &db.v[k]) == 0)
			all = true;
	if (db.n == 0 && n > 0)
		all = true;
	if (!all) {
		del = xcalloc(db.n ? db.n : 1, sizeof(*del));
		add = xcalloc(n ? n : 1, sizeof(*add));
		while (i < db.n || j < n) {
			int cmp = i == db.n ? 1 : j == n ? -1 : roa_cmp(&db.v[i], &nv[j]);

			if (cmp < 0) {
				to_sql(&del[ndel++], &db.v[i], db.tas[db.v[i].ta]);
				i++;
			} else if (cmp > 0) {
				to_sql(&add[nadd++], &nv[j], roa_set_ta(set, nv[j].ta));
				j++;
			} else {
				if (strcmp(db.tas[db.v[i].ta], roa_set_ta(set, nv[j].ta)) != 0) {
					to_sql(&del[ndel++], &db.v[i], db.tas[db.v[i].ta]);
					to_sql(&add[nadd++], &nv[j], roa_set_ta(set, nv[j].ta));
				}
				i++;
				j++;
			}
		}
		if (sql_roa_write(c, false, del, ndel, add, nadd) < 0)
			goto out;
		/* what the table holds must now be exactly the set */
		if ((count = sql_roa_count(c)) < 0)
			goto out;
		if ((size_t)count != n) {
			log_warnx("roa_object: %ld rows after the update, %zu expected: rewriting it", count, n);
			all = true;
		}
	}
	if (all) {
		free(add);
		add = xcalloc(n ? n : 1, sizeof(*add));
		for (j = 0; j < n; j++)
			to_sql(&add[j], &nv[j], roa_set_ta(set, nv[j].ta));
		if (sql_roa_write(c, true, NULL, 0, add, n) < 0)
			goto out;
		res->roa_rewritten = true;
		ndel = db.n;
		nadd = n;
	}
	res->roa_added = nadd;
	res->roa_removed = ndel;
	rc = 0;
out:
	free(del);
	free(add);
	roa_vec_free(&db);
	return rc;
}

/* ---- notifications ------------------------------------------------------------------ */

struct inv_obj {
	char *source, *pk, *text;
	struct strvec mnt_by;
};

struct inv_list {
	struct inv_obj *v;
	size_t n, cap;
};

static int invalid_cb(void *arg, const struct sql_rpki_changed *r)
{
	struct inv_list *l = arg;
	struct inv_obj *o;
	struct rpsl_object *obj;
	struct rpsl_values mb;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	o = &l->v[l->n++];
	memset(o, 0, sizeof(*o));
	o->source = xstrdup(r->source);
	o->pk = xstrdup(r->rpsl_pk);
	o->text = xstrndup(r->object_text, r->text_len);
	obj = rpsl_parse(r->object_text, r->text_len, RPSL_NONSTRICT, r->source);
	mb = rpsl_get(obj, "mnt-by");
	for (size_t i = 0; i < mb.n; i++)
		sv_push(&o->mnt_by, mb.v[i]);
	sv_uniq(&o->mnt_by);
	rpsl_object_free(obj);
	return 0;
}

static void inv_free(struct inv_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].source);
		free(l->v[i].pk);
		free(l->v[i].text);
		sv_free(&l->v[i].mnt_by);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* A key with the e-mail addresses it stands for. */
struct keymails {
	char *key;
	struct strvec handles;	/* mntners: tech-c and admin-c */
	struct strvec mails;
};

struct keymail_list {
	struct keymails *v;
	size_t n, cap;
};

static int keymail_cb(void *arg, const struct sql_object_row *row)
{
	struct keymail_list *l = arg;
	struct keymails *k;
	struct rpsl_object *obj = rpsl_parse(row->object_text, row->text_len, RPSL_NONSTRICT, row->source);
	bool mntner = strcmp(row->object_class, "mntner") == 0;
	struct rpsl_values v;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	k = &l->v[l->n++];
	memset(k, 0, sizeof(*k));
	k->key = xstrdup(row->rpsl_pk);
	if (mntner) {
		v = rpsl_get(obj, "mnt-nfy");
		for (size_t i = 0; i < v.n; i++)
			sv_push(&k->mails, v.v[i]);
		v = rpsl_get(obj, "tech-c");
		for (size_t i = 0; i < v.n; i++)
			sv_push(&k->handles, v.v[i]);
		v = rpsl_get(obj, "admin-c");
		for (size_t i = 0; i < v.n; i++)
			sv_push(&k->handles, v.v[i]);
		sv_uniq(&k->handles);
	} else {
		v = rpsl_get(obj, "e-mail");
		for (size_t i = 0; i < v.n; i++)
			sv_push(&k->mails, v.v[i]);
	}
	rpsl_object_free(obj);
	return 0;
}

static int keymails_qcmp(const void *a, const void *b)
{
	return strcmp(((const struct keymails *)a)->key, ((const struct keymails *)b)->key);
}

static struct keymails *keymail_find(struct keymail_list *l, const char *key)
{
	struct keymails k = { .key = (char *)key };

	return l->n ? bsearch(&k, l->v, l->n, sizeof(*l->v), keymails_qcmp) : NULL;
}

static void keymail_free(struct keymail_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		sv_free(&l->v[i].handles);
		sv_free(&l->v[i].mails);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Merge the entries with one key (a person and a role with the same
 * handle) after sorting. */
static void keymail_sort(struct keymail_list *l)
{
	size_t o = 0;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), keymails_qcmp);
	for (size_t i = 0; i < l->n; i++) {
		if (o > 0 && strcmp(l->v[o - 1].key, l->v[i].key) == 0) {
			for (size_t m = 0; m < l->v[i].mails.n; m++)
				sv_push(&l->v[o - 1].mails, l->v[i].mails.v[m]);
			free(l->v[i].key);
			sv_free(&l->v[i].handles);
			sv_free(&l->v[i].mails);
			continue;
		}
		l->v[o++] = l->v[i];
	}
	l->n = o;
}

struct pair {
	char *mail;
	size_t obj;
};

static int pair_qcmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->mail, y->mail);

	if (c)
		return c;
	return x->obj < y->obj ? -1 : x->obj > y->obj;
}

static const char tilde_line[] = "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~";

static void notice_add(struct roa_import_result *res, const struct roa_import_opts *o,
		       const struct inv_list *inv, const struct pair *p, size_t np)
{
	struct strvec srcs = { 0 };
	struct roa_notice *nt;
	char *sources_str, *subject, *header, *body;
	size_t len = 0, cap;

	for (size_t i = 0; i < np; i++)
		sv_push(&srcs, inv->v[p[i].obj].source);
	sv_uniq(&srcs);
	cap = 1;
	for (size_t i = 0; i < srcs.n; i++)
		cap += strlen(srcs.v[i]) + 2;
	sources_str = xmalloc(cap);
	sources_str[0] = '\0';
	for (size_t i = 0; i < srcs.n; i++) {
		if (i > 0)
			strcat(sources_str, ", ");
		strcat(sources_str, srcs.v[i]);
	}
	sv_free(&srcs);

	subject = roa_notice_format(o->notify_subject, sources_str, np);
	for (char *s = subject; *s; s++)
		if (*s == '\n')
			*s = ' ';
	header = roa_notice_format(o->notify_header ? o->notify_header : "", sources_str, np);
	cap = strlen(header) + 200;
	for (size_t i = 0; i < np; i++)
		cap += strlen(inv->v[p[i].obj].text) + 1;
	body = xmalloc(cap);
	len = (size_t)snprintf(body, cap, "%s\nThe following objects are affected:\n%s\n\n", header, tilde_line);
	for (size_t i = 0; i < np; i++) {
		const char *t = inv->v[p[i].obj].text;
		size_t tl = strlen(t);

		memcpy(body + len, t, tl);
		len += tl;
		body[len++] = '\n';
	}
	snprintf(body + len, cap - len, "%s", tilde_line);
	free(header);
	free(sources_str);

	res->notices = xrealloc(res->notices, (res->nnotices + 1) * sizeof(*res->notices));
	nt = &res->notices[res->nnotices++];
	nt->to = xstrdup(p[0].mail);
	nt->subject = subject;
	nt->body = body;
	nt->nobjects = np;
}

/*
 * Contacts as IRRd's notify_rpki_invalid_owners: per source, the mnt-by
 * maintainers of the objects, their mnt-nfy addresses and the e-mail
 * addresses of their tech-c and admin-c (person or role); one message per
 * address listing every object it is a contact for.
 */
static int notices_build(struct sql_conn *c, const struct roa_import_opts *o, struct inv_list *inv,
			 struct roa_import_result *res)
{
	static const char *const mntner_cls[] = { "mntner" };
	static const char *const contact_cls[] = { "person", "role" };
	struct pair *pairs = NULL;
	size_t npairs = 0, cap = 0, start = 0;
	int rc = -1;

	for (;;) {
		struct strvec mnts = { 0 }, handles = { 0 };
		struct keymail_list ml = { 0 }, cl = { 0 };
		const char *source;
		size_t end;

		if (start >= inv->n)
			break;
		source = inv->v[start].source;
		for (end = start; end < inv->n && strcmp(inv->v[end].source, source) == 0; end++)
			for (size_t m = 0; m < inv->v[end].mnt_by.n; m++)
				sv_push(&mnts, inv->v[end].mnt_by.v[m]);
		sv_uniq(&mnts);
		if (sql_objects_by_pks(c, source, mntner_cls, 1, (const char *const *)mnts.v, mnts.n,
				       keymail_cb, &ml) < 0)
			goto fail_source;
		keymail_sort(&ml);
		for (size_t k = 0; k < ml.n; k++)
			for (size_t h = 0; h < ml.v[k].handles.n; h++)
				sv_push(&handles, ml.v[k].handles.v[h]);
		sv_uniq(&handles);
		if (sql_objects_by_pks(c, source, contact_cls, 2, (const char *const *)handles.v, handles.n,
				       keymail_cb, &cl) < 0)
			goto fail_source;
		keymail_sort(&cl);
		/* every address of every maintainer, once */
		for (size_t k = 0; k < ml.n; k++) {
			for (size_t h = 0; h < ml.v[k].handles.n; h++) {
				struct keymails *ct = keymail_find(&cl, ml.v[k].handles.v[h]);
				for (size_t m = 0; ct != NULL && m < ct->mails.n; m++)
					sv_push(&ml.v[k].mails, ct->mails.v[m]);
			}
			sv_uniq(&ml.v[k].mails);
		}
		for (size_t i = start; i < end; i++) {
			for (size_t m = 0; m < inv->v[i].mnt_by.n; m++) {
				struct keymails *mk = keymail_find(&ml, inv->v[i].mnt_by.v[m]);
				for (size_t e = 0; mk != NULL && e < mk->mails.n; e++) {
					if (npairs == cap) {
						cap = cap ? cap * 2 : 64;
						pairs = xrealloc(pairs, cap * sizeof(*pairs));
					}
					pairs[npairs].mail = xstrdup(mk->mails.v[e]);
					pairs[npairs].obj = i;
					npairs++;
				}
			}
		}
		sv_free(&mnts);
		sv_free(&handles);
		keymail_free(&ml);
		keymail_free(&cl);
		start = end;
		continue;
fail_source:
		sv_free(&mnts);
		sv_free(&handles);
		keymail_free(&ml);
		keymail_free(&cl);
		goto out;
	}
	if (npairs > 0)
		qsort(pairs, npairs, sizeof(*pairs), pair_qcmp);
	/* one object once per address (it may be reached through two
	 * maintainers), then one message per address */
	for (size_t i = 0, j; i < npairs; i = j) {
		size_t keep = i + 1;

		for (j = i + 1; j < npairs && strcmp(pairs[j].mail, pairs[i].mail) == 0; j++) {
			if (pairs[j].obj == pairs[keep - 1].obj) {
				free(pairs[j].mail);
				pairs[j].mail = NULL;
				continue;
			}
			if (keep != j) {
				pairs[keep] = pairs[j];
				pairs[j].mail = NULL;
			}
			keep++;
		}
		notice_add(res, o, inv, pairs + i, keep - i);
	}
	rc = 0;
out:
	for (size_t i = 0; i < npairs; i++)
		free(pairs[i].mail);
	free(pairs);
	return rc;
}

/* ---- the cycle ------------------------------------------------------------------------- */

static bool stopping(const struct roa_import_opts *o, struct roa_import_result *res)
{
	if (o->stop == NULL || !__atomic_load_n(o->stop, __ATOMIC_RELAXED))
		return false;
	if (res->error == NULL)
		res->error = xstrdup("import stopped (the daemon is shutting down)");
	return true;
}

static int db_fail(struct sql_conn *c, struct roa_import_result *res)
{
	if (res->error == NULL)
		res->error = xasprintf("database: %s", sql_error(c));
	sql_rollback(c);
	return -1;
}

int roa_import_run(struct sql_conn *c, const struct roa_import_opts *o, struct roa_import_result *res)
{
	struct reader rd;
	struct roa_set *set;
	enum rpki_state *st = NULL;
	struct sql_rpki_change *ch = NULL;
	const char **jsrc = NULL, **nsrc = NULL;
	struct inv_list inv = { 0 };
	struct sql_rpki_write_opts wo;
	struct sql_rpki_write_stats ws;
	size_t nch = 0;
	double t0 = now_sec(), t;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&rd, 0, sizeof(rd));
	rd.o = o;

	/* 1. the new set; nothing is touched if this fails */
	if (o->set != NULL) {
		set = o->set;
		((struct roa_import_opts *)o)->set = NULL;
	} else {
		char *err = NULL;

		if (o->roa_url == NULL) {
			res->error = xstrdup("rpki.roa_source: not set");
			return -1;
		}
		set = roa_load(o->roa_url, o->slurm_url, o->timeout, &err);
		if (set == NULL) {
			res->error = err ? err : xasprintf("%s: cannot be loaded", o->roa_url);
			return -1;
		}
	}
	res->nroas = roa_set_count(set);
	t = now_sec();
	res->t_fetch = t - t0;
	if (stopping(o, res)) {
		roa_set_free(set);
		return -1;
	}

	/* 2. one transaction */
	if (sql_begin(c) < 0 || sql_roa_lock(c) < 0)
		goto dbfail;
	if (sql_routes_foreach(c, route_cb, &rd) < 0) {
		if (rd.too_many_sources)
			res->error = xstrdup("routes: more than 65535 sources");
		goto dbfail;
	}
	res->nroutes = rd.n;
	res->t_read = now_sec() - t;
	t = now_sec();
	if (stopping(o, res))
		goto dbfail;

	st = xcalloc(rd.n ? rd.n : 1, sizeof(*st));
	roa_validate_batch(set, rd.vr, rd.n, st, o->threads > 0 ? o->threads : 2);
	for (size_t i = 0; i < rd.n; i++) {
		const struct rt *r = &rd.rt[i];

		if (!r->ok || rd.srcs[r->src].excluded)
			st[i] = RPKI_NOT_FOUND;
		switch (st[i]) {
		case RPKI_VALID:
			res->nvalid++;
			break;
		case RPKI_INVALID:
			res->ninvalid++;
			break;
		default:
			res->nnot_found++;
			break;
		}
		if (st[i] != (enum rpki_state)r->old)
			nch++;
	}
	ch = xcalloc(nch ? nch : 1, sizeof(*ch));
	nch = 0;
	for (size_t i = 0; i < rd.n; i++) {
		const struct rt *r = &rd.rt[i];

		if (st[i] == (enum rpki_state)r->old)
			continue;
		ch[nch].id = r->id;
		ch[nch].source = rd.srcs[r->src].name;
		ch[nch].old_status = (enum rpki_state)r->old;
		ch[nch].new_status = st[i];
		nch++;
	}
	/* the validator's input is no longer needed */
	free(rd.vr);
	rd.vr = NULL;
	free(st);
	st = NULL;
	res->t_validate = now_sec() - t;
	t = now_sec();
	if (stopping(o, res))
		goto dbfail;

	jsrc = xcalloc(rd.nsrcs + 1, sizeof(*jsrc));
	nsrc = xcalloc(rd.nsrcs + 1, sizeof(*nsrc));
	for (size_t i = 0, nj = 0, nn = 0; i < rd.nsrcs; i++) {
		if (rd.srcs[i].journal)
			jsrc[nj++] = rd.srcs[i].name;
		if (rd.srcs[i].notify && o->notify_subject != NULL)
			nsrc[nn++] = rd.srcs[i].name;
	}
	wo.journal_sources = jsrc;
	wo.notify_sources = nsrc;
	wo.invalid_cb = invalid_cb;
	wo.arg = &inv;
	wo.rewrite_min = o->rewrite_min;
	if (sql_rpki_status_write(c, ch, nch, &wo, &ws) < 0)
		goto dbfail;
	for (size_t i = 0; i < nch; i++) {
		switch (ch[i].new_status) {
		case RPKI_VALID:
			res->now_valid++;
			break;
		case RPKI_INVALID:
			res->now_invalid++;
			break;
		default:
			res->now_not_found++;
			break;
		}
	}
	res->skipped = (size_t)ws.skipped;
	res->journal_add = (size_t)ws.journal_add;
	res->journal_del = (size_t)ws.journal_del;
	res->rewritten = (size_t)ws.rewritten;
	res->t_write = now_sec() - t;
	t = now_sec();
	if (stopping(o, res))
		goto dbfail;

	if (roa_store(c, set, res) < 0)
		goto dbfail;
	res->t_roa = now_sec() - t;
	t = now_sec();

	res->nnotify_objects = inv.n;
	if (inv.n > 0 && notices_build(c, o, &inv, res) < 0)
		goto dbfail;
	res->t_notify = now_sec() - t;
	t = now_sec();

	if (sql_commit(c) < 0)
		goto dbfail;
	res->t_commit = now_sec() - t;
	res->set = set;
	set = NULL;
	rc = 0;
	goto out;

dbfail:
	db_fail(c, res);
	for (size_t i = 0; i < res->nnotices; i++) {
		free(res->notices[i].to);
		free(res->notices[i].subject);
		free(res->notices[i].body);
	}
	free(res->notices);
	res->notices = NULL;
	res->nnotices = 0;
out:
	res->t_total = now_sec() - t0;
	roa_set_free(set);
	free(st);
	free(ch);
	free(jsrc);
	free(nsrc);
	inv_free(&inv);
	reader_free(&rd);
	return rc;
}
