/*
 * rpsl_parse.c - rpsl_parse(): IRRd 4.5's RPSLObject (irrd/rpsl/parser.py)
 * in C. The steps and messages follow IRRd's:
 *
 *   1. the class from the text before the first ':' (unknown: error);
 *   2. attribute extraction with continuation lines (' ', '+', tab),
 *      rpki-ov-state dropped for route/route6;
 *   3. attribute counts: strict mode checks every attribute, non-strict
 *      mode only the primary key and source;
 *   4. every known attribute is parsed; errors count in strict mode and for
 *      primary / lookup keys and source; parsed values that differ from the
 *      normalised input are substituted into the object text;
 *   5. strict mode only: the class's clean() (mntner hashes, key-cert).
 *
 * Memory: one malloc holds the object, its private state and the first
 * arena chunk, sized from the input so that a typical object needs no
 * second allocation. The text is copied once and cut up in place.
 *
 * Where IRRd's behaviour is a crash or an accident, this differs:
 *   - a single-valued attribute given twice (non-strict mode): the last
 *     value counts; IRRd stores "\n" + value, or raises ValueError when the
 *     attribute carries resources (route:, origin:, ...);
 *   - NUL bytes and invalid UTF-8 become "\xNN" text, as the dump reader
 *     does (PostgreSQL cannot store them);
 *   - key-cert in strict mode: no gpg. The armour, CRC-24 and packets are
 *     checked, the v4 fingerprint computed and the user IDs listed as gpg
 *     lists them; signatures are not verified;
 *   - inputs on which Python itself fails (MemoryError on a huge prefix
 *     length, urlsplit's "Invalid IPv6 URL") give the field's error;
 *   - the few non-ASCII letters Python's case-insensitive regexes treat as
 *     ASCII letters (U+017F, U+0131, U+0130, U+212A) are not letters here;
 *   - inetnum ranges that are exactly one prefix also set has_prefix.
 * The rest was checked against IRRd 4.5's parser on 200,000+ mutated
 * objects (same errors, infos, keys, parsed values and rendered text).
 */
#include "rpsl/rpsl_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"

#define PASSWORD_HASH_DUMMY_VALUE "DummyValue"

const struct rpsl_options rpsl_options_default = {
	.hashers = { RPSL_HASHER_LEGACY, RPSL_HASHER_ENABLED, RPSL_HASHER_ENABLED },
};

struct attr_rec {
	int16_t id;		/* attribute id, -1 if no class knows the name */
	int16_t field;		/* field index in this class, -1 if none */
	const char **vals;
	size_t nvals;
	const char *one[1];	/* storage for a single value */
};

struct rpsl_priv {
	struct arena arena;
	const struct class_def *cd;
	struct attr_rec *recs;
	struct rpsl_values fvals[MAX_FIELDS];
	const char *source_one[1];
};

/* ---------------------------------------------------------------- input */

/* Replace invalid UTF-8 and NUL bytes by "\xNN", as the dump reader does
 * (Python's errors="backslashreplace"). NULL if the input is clean. */
static char *sanitise(struct arena *a, const char *text, size_t len, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t i = 0, bad = 0;
	char *out, *o;
	uint32_t cp;

	while (i < len) {
		size_t l;
		/* eight bytes at a time while all are ASCII and none is NUL */
		while (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, u + i, 8);
			if (((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) || (w & 0x8080808080808080ULL))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (u[i] != 0 && u[i] < 0x80) {
			i++;
			continue;
		}
		l = utf8_decode(u + i, len - i, &cp);
		if (cp == 0 || cp == 0x110000)
			bad++;
		i += l;
	}
	if (bad == 0)
		return NULL;
	out = arena_alloc(a, len + bad * 3 + 1);
	o = out;
	for (i = 0; i < len;) {
		size_t l = utf8_decode(u + i, len - i, &cp);
		if (cp == 0 || cp == 0x110000) {
			o += sprintf(o, "\\x%02x", u[i]);
		} else {
			memcpy(o, text + i, l);
			o += l;
		}
		i += l;
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

static struct rpsl_object *object_new(const char *text, size_t len, size_t *nlines_out)
{
	size_t nl = 0, size;
	const char *p = text, *e = text + len;
	struct rpsl_object *obj;
	struct rpsl_priv *priv;
	char *chunk;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		nl++;
		p++;
	}
	*nlines_out = nl + 1;
	size = sizeof(*obj) + sizeof(*priv) + 64 + 2 * len +
	       (nl + 2) * (sizeof(struct rpsl_attr) + sizeof(struct attr_rec) + 2) + 1024;
	chunk = xmalloc(size);
	obj = (struct rpsl_object *)chunk;
	memset(obj, 0, sizeof(*obj));
	priv = (struct rpsl_priv *)(chunk + ((sizeof(*obj) + 15) & ~(size_t)15));
	memset(priv, 0, sizeof(*priv));
	arena_init(&priv->arena, (char *)priv + sizeof(*priv), size - (size_t)((char *)priv - chunk) - sizeof(*priv));
	obj->priv = priv;
	obj->cls = RPSL_CLASS_UNKNOWN;
	obj->pk = "";
	return obj;
}

void rpsl_object_free(struct rpsl_object *obj)
{
	struct rpsl_priv *priv;

	if (obj == NULL)
		return;
	priv = obj->priv;
	arena_release(&priv->arena);
	free(obj);
}

/* ---------------------------------------------------------------- extraction */

static bool is_cont(char c)
{
	return c == ' ' || c == '+' || c == '\t';
}

static bool attr_name_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

struct extract {
	struct rpsl_object *obj;
	struct arena *arena;
	struct sink *s;
	const struct class_def *cd;
	char *contbuf;
	size_t cpos;
	/* the attribute being read */
	bool open, discard;
	int id;
	struct attr_rec *recs;
	char *name;
	char *vstart, *w;
	size_t cstart;
};

static void close_attr(struct extract *x)
{
	struct rpsl_attr *at;

	if (!x->open)
		return;
	x->open = false;
	*x->w = '\0';
	x->contbuf[x->cpos++] = '\0';
	if (x->discard)
		return;
	x->recs[x->obj->nattrs].id = (int16_t)x->id;
	x->recs[x->obj->nattrs].field = (int16_t)(x->id >= 0 ? x->cd->index[x->id] : -1);
	at = &x->obj->attrs[x->obj->nattrs++];
	at->name = x->name;
	at->value = x->vstart;
	at->cont = x->contbuf + x->cstart;
}

/* IRRd's _extract_attributes_values() over [b, e) of a writable copy. */
static void extract(struct extract *x, char *b, char *e)
{
	char *p = b;
	unsigned long line_no = 0;

	while (p <= e) {
		char *nlp = memchr(p, '\n', (size_t)(e - p));
		char *ls = p, *le = nlp ? nlp : e;

		p = le + 1;
		line_no++;
		while (ls < le && *ls == '\r')
			ls++;
		while (le > ls && le[-1] == '\r')
			le--;
		if (ls == le) {
			sink_error(x->s, "Line %lu: encountered empty line in the middle of object: []", line_no);
			return;
		}
		if (!is_cont(*ls)) {
			char *colon;
			const char *vs;
			size_t vn;

			close_attr(x);
			colon = memchr(ls, ':', (size_t)(le - ls));
			if (colon == NULL) {
				sink_error(x->s, "Line %lu: line is neither continuation nor valid attribute [%.*s]", line_no,
					   (int)(le - ls), ls);
				return;
			}
			*colon = '\0';
			x->name = ls;
			for (char *q = ls; q < colon; q++) {
				if ((unsigned char)*q >= 0x80) {
					/* Python's str.lower() beyond ASCII */
					x->name = py_lower(x->arena, ls);
					break;
				}
			}
			if (x->name == ls)
				str_lower_inplace(ls, (size_t)(colon - ls));
			if (!attr_name_ok(x->name, strlen(x->name))) {
				sink_error(x->s, "Line %lu: encountered malformed attribute name: [%s]", line_no, x->name);
				return;
			}
			vs = colon + 1;
			vn = (size_t)(le - vs);
			py_strip(&vs, &vn);
			x->vstart = (char *)vs;
			x->w = (char *)vs + vn;
			x->open = true;
			x->id = attr_lookup(x->name, strlen(x->name));
			x->discard = x->cd->discard_rpki && x->id == attr_rpki_ov_state();
			x->cstart = x->cpos;
		} else if (x->open) {
			const char *cs = ls + 1;
			size_t cn = (size_t)(le - cs);

			py_strip(&cs, &cn);
			x->contbuf[x->cpos++] = *ls;
			*x->w++ = '\n';
			memmove(x->w, cs, cn);
			x->w += cn;
		}
		if (nlp == NULL)
			break;
	}
	close_attr(x);
}

/* ---------------------------------------------------------------- counts */

/* Occurrence counts of attribute names, in linear time: known ids in an
 * array, other names in a small hash table (an object may have many). */
struct name_count {
	const char *name;
	size_t count;
};

static size_t name_slot(struct name_count *t, size_t mask, const char *name)
{
	uint32_t h = 2166136261u;
	size_t k;

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (k = h & mask; t[k].name != NULL && strcmp(t[k].name, name) != 0; k = (k + 1) & mask)
		;
	return k;
}

static void check_counts(struct rpsl_object *obj, struct arena *a, const struct class_def *cd,
			 struct attr_rec *recs, enum rpsl_mode mode, const char *default_source, struct sink *s)
{
	size_t fcount[MAX_FIELDS] = { 0 };
	size_t i;

	for (i = 0; i < obj->nattrs; i++)
		if (recs[i].field >= 0)
			fcount[recs[i].field]++;
	if (mode == RPSL_STRICT) {
		size_t idcount[128] = { 0 };
		bool idseen[128] = { false };
		size_t nunknown = 0, mask = 0;
		struct name_count *tab = NULL;

		for (i = 0; i < obj->nattrs; i++) {
			if (recs[i].id >= 0)
				idcount[recs[i].id]++;
			else
				nunknown++;
		}
		if (nunknown > 0) {
			size_t size = 8;
			while (size < 2 * nunknown)
				size *= 2;
			mask = size - 1;
			tab = arena_alloc(a, size * sizeof(*tab));
			memset(tab, 0, size * sizeof(*tab));
			for (i = 0; i < obj->nattrs; i++) {
				if (recs[i].id < 0) {
					size_t k = name_slot(tab, mask, obj->attrs[i].name);
					tab[k].name = obj->attrs[i].name;
					tab[k].count++;
				}
			}
		}
		for (i = 0; i < obj->nattrs; i++) {
			size_t count;

			if (recs[i].id == attr_last_modified())
				continue;
			/* report each name once, at its first occurrence */
			if (recs[i].id >= 0) {
				if (idseen[recs[i].id])
					continue;
				idseen[recs[i].id] = true;
				count = idcount[recs[i].id];
			} else {
				size_t k = name_slot(tab, mask, obj->attrs[i].name);
				if (tab[k].count == 0)
					continue;
				count = tab[k].count;
				tab[k].count = 0;	/* seen */
			}
			if (recs[i].field < 0)
				sink_error(s, "Unrecognised attribute %s on object %s", obj->attrs[i].name, cd->name);
			if (count > 1 && (recs[i].field < 0 || !(cd->fields[recs[i].field].flags & FF_MULTIPLE)))
				sink_error(s, "Attribute \"%s\" on object %s occurs multiple times, but is only allowed once",
					   obj->attrs[i].name, cd->name);
		}
		for (i = 0; i < cd->nfields; i++)
			if (!(cd->fields[i].flags & FF_OPTIONAL) && fcount[i] == 0)
				sink_error(s, "Mandatory attribute \"%s\" on object %s is missing",
					   attr_names[cd->fields[i].attr], cd->name);
	} else {
		for (i = 0; i < cd->npk; i++)
			if (fcount[cd->pk[i]] == 0)
				sink_error(s, "Primary key attribute \"%s\" on object %s is missing",
					   attr_names[cd->fields[cd->pk[i]].attr], cd->name);
		if (default_source == NULL && fcount[cd->source_field] == 0)
			sink_error(s, "Primary key attribute \"source\" on object %s is missing", cd->name);
	}
}

/* ---------------------------------------------------------------- values */

/* IRRd's _normalise_rpsl_value(): comments removed; several lines are
 * stripped of "\n\t, " and joined with ','. */
static const char *normalise(struct arena *a, const char *v, size_t *outlen)
{
	const char *nl = strchr(v, '\n');
	char *out, *o;
	const char *p;

	if (nl == NULL) {
		const char *hash = strchr(v, '#');
		size_t n;

		if (hash == NULL) {
			*outlen = strlen(v);
			return v;
		}
		n = (size_t)(hash - v);
		py_strip(&v, &n);
		*outlen = n;
		return arena_strndup(a, v, n);
	}
	out = arena_alloc(a, strlen(v) + 1);
	o = out;
	for (p = v;;) {
		const char *le = strchr(p, '\n'), *s = p, *e, *hash;

		if (le == NULL)
			le = p + strlen(p);
		e = le;
		while (s < e && *s == '\r')
			s++;
		while (e > s && e[-1] == '\r')
			e--;
		hash = memchr(s, '#', (size_t)(e - s));
		if (hash != NULL)
			e = hash;
		while (s < e && strchr("\n\t, ", *s) != NULL)
			s++;
		while (e > s && strchr("\n\t, ", e[-1]) != NULL)
			e--;
		if (e > s) {
			if (o != out)
				*o++ = ',';
			memcpy(o, s, (size_t)(e - s));
			o += e - s;
		}
		if (*le == '\0')
			break;
		p = le + 1;
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

static void parse_attrs(struct rpsl_object *obj, struct rpsl_priv *priv, enum rpsl_mode mode,
			const struct rpsl_options *opts, struct sink *s)
{
	const struct class_def *cd = priv->cd;
	struct arena *a = &priv->arena;
	struct sink quiet;
	struct fctx c = { .a = a, .strict = mode == RPSL_STRICT, .opts = opts };

	sink_init(&quiet, a, false);
	for (size_t i = 0; i < obj->nattrs; i++) {
		struct attr_rec *r = &priv->recs[i];
		const struct field_def *f;
		const char *norm;
		size_t nlen;
		struct fres res;
		bool keep;

		if (r->field < 0)
			continue;
		f = &cd->fields[r->field];
		c.s = (mode == RPSL_STRICT || (f->flags & (FF_PK | FF_LOOKUP)) || f->attr == cd->fields[cd->source_field].attr)
			      ? s : &quiet;
		norm = normalise(a, obj->attrs[i].value, &nlen);
		if (!field_parse(&c, f, norm, nlen, &res))
			continue;
		if (res.value != norm && strcmp(res.value, norm) != 0)
			obj->attrs[i].value = str_replace_all(a, obj->attrs[i].value, norm, res.value);
		keep = field_keep_case(f);
		if (res.list != NULL && res.nlist > 0) {
			r->vals = res.list;
			r->nvals = res.nlist;
			if (!keep)
				for (size_t k = 0; k < res.nlist; k++)
					res.list[k] = str_upper(a, res.list[k]);
		} else {
			r->one[0] = keep ? res.value : str_upper(a, res.value);
			r->vals = r->one;
			r->nvals = 1;
		}
		if (f->flags & (FF_PK | FF_LOOKUP)) {
			if (res.has_ip) {
				obj->has_ip = true;
				obj->ip_first = res.ip_first;
				obj->ip_last = res.ip_last;
			}
			if (res.has_prefix) {
				obj->has_prefix = true;
				obj->prefix = res.prefix;
			}
			if (res.has_asn) {
				obj->has_asn = true;
				obj->asn_first = res.asn_first;
				obj->asn_last = res.asn_last;
				if (attr_names[f->attr][0] == 'o' && strcmp(attr_names[f->attr], "origin") == 0) {
					obj->has_origin = true;
					obj->origin = res.asn_first;
				}
			}
		}
	}
}

/* Gather the values of every field over its occurrences. Single-valued
 * fields that occur more than once keep the last value. */
static void gather(struct rpsl_object *obj, struct rpsl_priv *priv)
{
	const struct class_def *cd = priv->cd;
	size_t total[MAX_FIELDS] = { 0 }, occ[MAX_FIELDS] = { 0 };
	long lastrec[MAX_FIELDS];
	size_t i;

	for (i = 0; i < MAX_FIELDS; i++)
		lastrec[i] = -1;
	for (i = 0; i < obj->nattrs; i++) {
		struct attr_rec *r = &priv->recs[i];
		if (r->field < 0 || r->nvals == 0)
			continue;
		total[r->field] += r->nvals;
		occ[r->field]++;
		lastrec[r->field] = (long)i;
	}
	for (i = 0; i < cd->nfields; i++) {
		if (occ[i] == 0)
			continue;
		if (occ[i] == 1 || !(cd->fields[i].flags & FF_MULTIPLE)) {
			struct attr_rec *r = &priv->recs[lastrec[i]];
			priv->fvals[i].v = r->vals;
			priv->fvals[i].n = r->nvals;
			continue;
		}
		{
			const char **v = arena_alloc(&priv->arena, total[i] * sizeof(char *));
			size_t k = 0;

			for (size_t j = 0; j < obj->nattrs; j++) {
				struct attr_rec *r = &priv->recs[j];
				if (r->field != (int)i)
					continue;
				for (size_t m = 0; m < r->nvals; m++)
					v[k++] = r->vals[m];
			}
			priv->fvals[i].v = v;
			priv->fvals[i].n = k;
		}
	}
}

static const struct rpsl_values *field_values(const struct rpsl_priv *priv, int attr_id)
{
	int f;

	if (attr_id < 0 || priv->cd == NULL)
		return NULL;
	f = priv->cd->index[attr_id];
	return f < 0 ? NULL : &priv->fvals[f];
}

/* ---------------------------------------------------------------- clean */

static void clean_mntner(struct rpsl_priv *priv, struct sink *s)
{
	const struct rpsl_values *v = field_values(priv, attr_lookup("auth", 4));
	size_t hashes = 0, dummies = 0;

	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		const char *sp = strchr(v->v[i], ' ');
		if (sp == NULL)
			continue;
		hashes++;
		if (strcmp(sp + 1, PASSWORD_HASH_DUMMY_VALUE) == 0)
			dummies++;
	}
	if (dummies > 0 && dummies != hashes)
		sink_error(s, "Either all password auth hashes in a submitted mntner must be dummy objects, or none.");
}

/* Replace every occurrence of an attribute by new values inserted from
 * the second line on (IRRd's _update_attribute_value). The parsed values
 * become exactly the new ones. */
static void update_attr(struct rpsl_object *obj, struct rpsl_priv *priv, const char *name, const char *const *vals,
			size_t n)
{
	struct arena *a = &priv->arena;
	struct rpsl_attr *na = arena_alloc(a, (obj->nattrs + n) * sizeof(*na));
	int id = attr_lookup(name, strlen(name));
	int field = priv->cd->index[id];
	const char **copy = arena_alloc(a, (n ? n : 1) * sizeof(char *));
	size_t i, o = 0, kept = 0;

	for (i = 0; i < n; i++)
		copy[i] = arena_strndup(a, vals[i], strlen(vals[i]));
	for (i = 0; i <= obj->nattrs; i++) {
		if (kept == 1 || (i == obj->nattrs && kept == 0)) {
			for (size_t k = 0; k < n; k++) {
				na[o].name = attr_names[id];
				na[o].value = copy[k];
				na[o].cont = "";
				o++;
			}
			kept++;
		}
		if (i == obj->nattrs)
			break;
		if (strcmp(obj->attrs[i].name, name) == 0)
			continue;
		na[o++] = obj->attrs[i];
		kept++;
	}
	obj->attrs = na;
	obj->nattrs = o;
	priv->recs = NULL;	/* no longer matches attrs; not used after clean() */
	priv->fvals[field].v = copy;
	priv->fvals[field].n = n;
}

static void format_fingerprint(const char *fp, char *out)
{
	size_t o = 0;

	for (int i = 0; i < 40; i += 4) {
		if (i)
			out[o++] = ' ';
		if (i == 20)
			out[o++] = ' ';
		memcpy(out + o, fp + i, 4);
		o += 4;
	}
	out[o] = '\0';
}

static void clean_key_cert(struct rpsl_object *obj, struct rpsl_priv *priv, struct sink *s)
{
	struct arena *a = &priv->arena;
	const struct rpsl_values *cv = field_values(priv, attr_lookup("certif", 6));
	const struct rpsl_values *kv = field_values(priv, attr_lookup("key-cert", 8));
	struct keycert_info info;
	const char *err = NULL;
	size_t total = 0, i;
	char *text, *t, fpf[64], expected[48];
	const char *actual;
	const char *method = "PGP";
	const char *fpp = fpf;

	/* "\n".join(certif values).replace(",", "\n") */
	for (i = 0; cv && i < cv->n; i++)
		total += strlen(cv->v[i]) + 1;
	text = arena_alloc(a, total + 1);
	t = text;
	for (i = 0; cv && i < cv->n; i++) {
		size_t l = strlen(cv->v[i]);
		if (i)
			*t++ = '\n';
		memcpy(t, cv->v[i], l);
		t += l;
	}
	*t = '\0';
	for (t = text; *t; t++)
		if (*t == ',')
			*t = '\n';
	if (!keycert_parse(a, text, strlen(text), &info, &err)) {
		if (err != NULL)
			sink_error(s, "Unable to read public PGP key: key corrupt or multiple keys provided: %s", err);
		else
			sink_error(s, "Unable to read public PGP key: key corrupt or multiple keys provided");
		return;
	}
	format_fingerprint(info.fingerprint, fpf);
	snprintf(expected, sizeof(expected), "PGPKEY-%s", info.fingerprint + 32);
	actual = (kv && kv->n) ? kv->v[0] : "";
	if (strcmp(expected, actual) != 0) {
		sink_error(s, "Invalid object name %s: does not match key fingerprint %s, expected object name %s", actual,
			   fpf, expected);
		return;
	}
	update_attr(obj, priv, "fingerpr", &fpp, 1);
	update_attr(obj, priv, "owner", (const char *const *)info.uids, info.nuids);
	update_attr(obj, priv, "method", &method, 1);
}

/* ---------------------------------------------------------------- parse */

static void finish_messages(struct rpsl_object *obj, struct arena *a, struct sink *s)
{
	struct msg *m;
	size_t e = 0, i = 0;

	obj->msgs.errors = arena_alloc(a, (s->nerr + 1) * sizeof(char *));
	obj->msgs.infos = arena_alloc(a, (s->ninfo + 1) * sizeof(char *));
	for (m = s->head; m != NULL; m = m->next) {
		if (m->error)
			obj->msgs.errors[e++] = m->text;
		else
			obj->msgs.infos[i++] = m->text;
	}
	obj->msgs.errors[e] = NULL;
	obj->msgs.infos[i] = NULL;
	obj->msgs.nerrors = e;
	obj->msgs.ninfos = i;
}

struct rpsl_object *rpsl_parse_ex(const char *text, size_t len, enum rpsl_mode mode, const char *default_source,
				  const struct rpsl_options *opts)
{
	size_t nlines;
	struct rpsl_object *obj;
	struct rpsl_priv *priv;
	struct arena *a;
	struct sink s;
	char *buf, *san;
	const char *b, *cn;
	size_t blen, cnl, slen;
	const char *colon;
	enum rpsl_class cls;
	const struct class_def *cd;
	struct extract x;
	char *dsrc = NULL;

	if (opts == NULL)
		opts = &rpsl_options_default;
	obj = object_new(text, len, &nlines);
	priv = obj->priv;
	a = &priv->arena;
	sink_init(&s, a, true);

	san = sanitise(a, text, len, &slen);
	if (san != NULL) {
		text = san;
		len = slen;
		buf = san;
	} else {
		buf = arena_strndup(a, text, len);
	}
	if (default_source != NULL) {
		const char *d = default_source;
		size_t dl = strlen(d);
		py_strip(&d, &dl);
		if (dl > 0) {
			dsrc = arena_strndup(a, d, dl);
			for (char *q = dsrc; *q; q++)
				if (*q >= 'a' && *q <= 'z')
					*q = (char)(*q - 32);
		}
	}

	/* The class: text.split(":", 1)[0].strip() */
	colon = memchr(buf, ':', len);
	cn = buf;
	cnl = colon ? (size_t)(colon - buf) : len;
	py_strip(&cn, &cnl);
	cls = class_lookup_exact(cn, cnl);
	if (cls == RPSL_CLASS_UNKNOWN) {
		sink_error(&s, "unknown object class: %.*s", (int)cnl, cn);
		goto out;
	}
	obj->cls = cls;
	cd = priv->cd = class_defs[cls];

	b = buf;
	blen = len;
	py_strip(&b, &blen);
	obj->attrs = arena_alloc(a, nlines * sizeof(struct rpsl_attr));
	memset(&x, 0, sizeof(x));
	x.obj = obj;
	x.arena = a;
	x.s = &s;
	x.cd = cd;
	x.contbuf = arena_alloc(a, 2 * nlines + 2);
	x.recs = priv->recs = arena_alloc(a, nlines * sizeof(struct attr_rec));
	memset(priv->recs, 0, nlines * sizeof(struct attr_rec));
	if (blen > 0)
		extract(&x, (char *)b, (char *)b + blen);
	if (s.nerr == 0)
		check_counts(obj, a, cd, priv->recs, mode, dsrc, &s);
	parse_attrs(obj, priv, mode, opts, &s);
	gather(obj, priv);
	if (priv->fvals[cd->source_field].n == 0 && dsrc != NULL) {
		priv->source_one[0] = dsrc;
		priv->fvals[cd->source_field].v = priv->source_one;
		priv->fvals[cd->source_field].n = 1;
	}
	if (mode == RPSL_STRICT && s.nerr == 0) {
		if (cls == RPSL_MNTNER)
			clean_mntner(priv, &s);
		else if (cls == RPSL_KEY_CERT)
			clean_key_cert(obj, priv, &s);
	}

	/* pk(): the primary key values joined, upper case */
	if (cd->npk == 1) {
		const struct rpsl_values *v = &priv->fvals[cd->pk[0]];
		obj->pk = v->n ? str_upper(a, v->v[0]) : "";
	} else {
		const struct rpsl_values *v1 = &priv->fvals[cd->pk[0]], *v2 = &priv->fvals[cd->pk[1]];
		const char *s1 = v1->n ? v1->v[0] : "", *s2 = v2->n ? v2->v[0] : "";
		size_t l1 = strlen(s1), l2 = strlen(s2);
		char *pk = arena_alloc(a, l1 + l2 + 1);

		memcpy(pk, s1, l1);
		memcpy(pk + l1, s2, l2 + 1);
		for (char *q = pk; *q; q++)
			if (*q >= 'a' && *q <= 'z')
				*q = (char)(*q - 32);
		obj->pk = pk;
	}
	if (priv->fvals[cd->source_field].n > 0)
		obj->source = priv->fvals[cd->source_field].v[0];
out:
	finish_messages(obj, a, &s);
	return obj;
}

struct rpsl_object *rpsl_parse(const char *text, size_t len, enum rpsl_mode mode, const char *default_source)
{
	return rpsl_parse_ex(text, len, mode, default_source, NULL);
}

struct rpsl_values rpsl_get(const struct rpsl_object *obj, const char *attr)
{
	struct rpsl_values none = { NULL, 0 };
	const struct rpsl_values *v;

	if (obj == NULL || attr == NULL)
		return none;
	v = field_values(obj->priv, attr_lookup(attr, strlen(attr)));
	return v ? *v : none;
}

const char *rpsl_get_first(const struct rpsl_object *obj, const char *attr)
{
	struct rpsl_values v = rpsl_get(obj, attr);

	return v.n ? v.v[0] : NULL;
}

struct arena *rpsl_object_arena(const struct rpsl_object *obj)
{
	return &((struct rpsl_priv *)obj->priv)->arena;
}
