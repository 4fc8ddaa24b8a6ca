/*
 * whois_util_test.c - the whois layer's building blocks: pointer sets
 * through every representation change, prefix trees against a brute-force
 * model, IPy-compatible address parsing, Python int(), parse_as_number(),
 * password hash masking, query line decoding and stripping.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "rpsl/rpsl.h"
#include "tests/unit/testlib.h"
#include "whois/whois_int.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool set_has(const struct wptrset *s, void *p)
{
	void *x;
	WPTRSET_FOREACH(s, i, x)
		if (x == p)
			return true;
	return false;
}

static void test_ptrset(void)
{
	enum { N = 2000 };
	static char items[N];
	static bool in[N];
	struct wptrset s = { 0 };
	int errors = 0;

	/* Grow and shrink through inline, array and hash forms, twice. */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			wptrset_add(&s, &items[i]);
			in[i] = true;
			if ((i < 20 || i % 97 == 0) && (s.n != (uint32_t)i + 1 || !set_has(&s, &items[i])))
				errors++;
		}
		for (int k = 0; k < N; k++) {
			int i = (int)(rnd() % N);
			bool was = in[i];
			if (wptrset_del(&s, &items[i]) != was)
				errors++;
			in[i] = false;
		}
		/* Check the rest exactly. */
		uint32_t want = 0;
		for (int i = 0; i < N; i++) {
			want += in[i];
			if (set_has(&s, &items[i]) != in[i])
				errors++;
		}
		CHECK_INT(s.n, want);
		for (int i = 0; i < N; i++)
			if (in[i] && !wptrset_del(&s, &items[i]))
				errors++;
		CHECK_INT(s.n, 0);
		CHECK(s.v == NULL);
		memset(in, 0, sizeof(in));
	}
	CHECK_INT(errors, 0);
	/* One element lives inline and comes back to inline from an array. */
	wptrset_add(&s, &items[1]);
	CHECK_INT(s.cap, 0);
	CHECK(set_has(&s, &items[1]));
	wptrset_add(&s, &items[2]);
	CHECK_INT(s.cap, 2);
	CHECK(wptrset_del(&s, &items[1]));
	CHECK_INT(s.cap, 0);
	CHECK(set_has(&s, &items[2]) && !set_has(&s, &items[1]));
	CHECK(!wptrset_del(&s, &items[1]));
	wptrset_free(&s);
}

/* ---------------------------------------------------------------- radix */

struct pfx {
	uint8_t a[16];
	uint8_t len;
	struct wobj *tag;
};

static bool covers(const struct pfx *o, const uint8_t *a, unsigned len)
{
	if (o->len > len)
		return false;
	for (unsigned i = 0; i < o->len; i++)
		if (ip_bit(o->a, i) != ip_bit(a, i))
			return false;
	return true;
}

struct collect {
	struct wobj *got[4096];
	size_t n;
};

static bool collect_cb(const struct wptrset *objs, uint8_t len, void *arg)
{
	struct collect *c = arg;
	struct wobj *o;
	(void)len;
	WPTRSET_FOREACH(objs, i, o)
		if (c->n < 4096)
			c->got[c->n++] = o;
	return true;
}

static int cmp_ptr(const void *x, const void *y)
{
	uintptr_t a = (uintptr_t) * (void *const *)x, b = (uintptr_t) * (void *const *)y;
	return a < b ? -1 : a > b;
}

static void test_radix(void)
{
	enum { N = 3000 };
	static struct pfx p[N];
	static struct wobj *tags[N];
	struct wradix *r = wradix_new(4);
	int errors = 0;
	bool alive[N];

	for (int i = 0; i < N; i++) {
		/* Clustered addresses so that prefixes nest. */
		uint32_t v = (uint32_t)(rnd() & 0x0f0f00ff) | 0xc0000000u;
		memset(p[i].a, 0, 16);
		p[i].len = (uint8_t)(8 + rnd() % 25);
		for (unsigned b = p[i].len; b < 32; b++)
			v &= ~(1u << (31 - b));
		p[i].a[0] = (uint8_t)(v >> 24);
		p[i].a[1] = (uint8_t)(v >> 16);
		p[i].a[2] = (uint8_t)(v >> 8);
		p[i].a[3] = (uint8_t)v;
		tags[i] = (struct wobj *)(uintptr_t)(0x1000 + 16 * (uintptr_t)i);
		wradix_add(r, p[i].a, p[i].len, tags[i]);
		alive[i] = true;
	}
	for (int phase = 0; phase < 2; phase++) {
		for (int k = 0; k < 300; k++) {
			const struct pfx *q = &p[rnd() % N];
			uint8_t qa[16];
			memcpy(qa, q->a, 16);
			unsigned qlen = q->len;
			if (k % 3 == 0 && qlen < 32)
				qlen++;	/* a prefix that may not be in the tree */
			struct collect c = { .n = 0 };
			static struct wobj *want[N];
			size_t nw = 0;
			/* covering, with exact */
			wradix_covering(r, qa, (uint8_t)qlen, true, collect_cb, &c);
			for (int i = 0; i < N; i++)
				if (alive[i] && covers(&p[i], qa, qlen))
					want[nw++] = tags[i];
			qsort(c.got, c.n, sizeof(void *), cmp_ptr);
			qsort(want, nw, sizeof(void *), cmp_ptr);
			if (c.n != nw || memcmp(c.got, want, nw * sizeof(void *)) != 0)
				errors++;
			/* more specific, without exact */
			c.n = 0;
			nw = 0;
			wradix_more(r, qa, (uint8_t)qlen, false, collect_cb, &c);
			struct pfx qp;
			memcpy(qp.a, qa, 16);
			qp.len = (uint8_t)qlen;
			for (int i = 0; i < N; i++)
				if (alive[i] && p[i].len > qlen && covers(&qp, p[i].a, p[i].len))
					want[nw++] = tags[i];
			qsort(c.got, c.n, sizeof(void *), cmp_ptr);
			qsort(want, nw, sizeof(void *), cmp_ptr);
			if (c.n != nw || memcmp(c.got, want, nw * sizeof(void *)) != 0)
				errors++;
			/* exact */
			c.n = 0;
			nw = 0;
			wradix_exact(r, qa, (uint8_t)qlen, collect_cb, &c);
			for (int i = 0; i < N; i++)
				if (alive[i] && p[i].len == qlen && covers(&p[i], qa, qlen))
					nw++;
			if (c.n != nw)
				errors++;
		}
		/* Delete two thirds and check again. */
		if (phase == 0)
			for (int i = 0; i < N; i++)
				if (i % 3 != 0) {
					wradix_del(r, p[i].a, p[i].len, tags[i]);
					alive[i] = false;
				}
	}
	CHECK_INT(errors, 0);
	size_t distinct = 0;
	for (int i = 0; i < N; i++)
		if (alive[i])
			distinct++;
	CHECK(wradix_nodes(r) <= 2 * distinct);
	for (int i = 0; i < N; i++)
		if (alive[i])
			wradix_del(r, p[i].a, p[i].len, tags[i]);
	CHECK_INT(wradix_nodes(r), 0);
	wradix_free(r);
}

/* ---------------------------------------------------------------- IPy */

static const char *ipy(const char *s)
{
	static char buf[64];
	struct wprefix p;
	if (!w_ipy_parse(s, strlen(s), &p))
		return "error";
	wprefix_format(p.family, p.a, p.len, buf);
	return buf;
}

static void test_ipy(void)
{
	CHECK_STR(ipy("192.0.2.0/24"), "192.0.2.0/24");
	CHECK_STR(ipy("192.0.2.1"), "192.0.2.1/32");
	CHECK_STR(ipy("192.0.2.1/24"), "error");
	CHECK_STR(ipy("192.0.2.0/255.255.255.0"), "192.0.2.0/24");
	CHECK_STR(ipy("192.0.2.0/255.255.0.255"), "error");
	CHECK_STR(ipy("10.0.0.0/0.255.255.255"), "10.0.0.0/24");
	CHECK_STR(ipy("0.0.0.0/0.255.255.255"), "0.0.0.0/24");	/* IPy: a reversed mask counts its ones */
	CHECK_STR(ipy("192.0.2.0-192.0.2.127"), "192.0.2.0/25");
	CHECK_STR(ipy("192.0.2.0-192.0.2.126"), "error");
	CHECK_STR(ipy("192.0.2.0-192.0.1.0"), "error");
	CHECK_STR(ipy("192.0.2"), "192.0.2.0/32");
	CHECK_STR(ipy("10"), "10.0.0.0/32");
	CHECK_STR(ipy("10/8"), "10.0.0.0/8");
	CHECK_STR(ipy("256"), "0.0.1.0/32");
	CHECK_STR(ipy("4294967296"), "::1:0:0/128");
	CHECK_STR(ipy("0x0a000000/8"), "10.0.0.0/8");
	CHECK_STR(ipy("0X0a000000/8"), "error");
	CHECK_STR(ipy(" 192.0.2.0 /24"), "192.0.2.0/24");
	CHECK_STR(ipy("1.2.3.4.5"), "error");
	CHECK_STR(ipy("1.2.3.256"), "error");
	CHECK_STR(ipy("-1.2.3.4"), "error");
	CHECK_STR(ipy("1..2"), "error");
	CHECK_STR(ipy(""), "error");
	CHECK_STR(ipy("abc"), "error");
	CHECK_STR(ipy("2001:db8::/32"), "2001:db8::/32");
	CHECK_STR(ipy("2001:DB8:0:0::/64"), "2001:db8::/64");
	CHECK_STR(ipy("2001:db8::1/32"), "error");
	CHECK_STR(ipy("2001:db8:::/32"), "error");
	CHECK_STR(ipy("2001::db8::/32"), "error");
	CHECK_STR(ipy("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8/128");
	CHECK_STR(ipy("1:2:3:4:5:6:7:8::"), "error");
	CHECK_STR(ipy("1:2:3:4:5:6:7"), "error");
	CHECK_STR(ipy("1::2:"), "error");
	CHECK_STR(ipy(":1::2"), "error");
	CHECK_STR(ipy("::"), "::/128");
	CHECK_STR(ipy("::/0"), "::/0");
	CHECK_STR(ipy("::ffff:192.0.2.1"), "::ffff:c000:201/128");
	CHECK_STR(ipy("::192.0.2.1/128"), "::c000:201/128");
	CHECK_STR(ipy("1:2:3:4:5:6:192.0.2.1"), "1:2:3:4:5:6:c000:201/128");
	CHECK_STR(ipy("0001:0002::/32"), "1:2::/32");
	CHECK_STR(ipy("00001::/16"), "1::/16");
	CHECK_STR(ipy("10000::"), "error");
	CHECK_STR(ipy("20010db8000000000000000000000000/32"), "2001:db8::/32");
	CHECK_STR(ipy("2001:db8::/129"), "error");
	CHECK_STR(ipy("192.0.2.0/-0"), "error");
	CHECK_STR(ipy("0.0.0.0/-0"), "error");	/* IPy splits on "-" first */
	CHECK_STR(ipy("192.0.2.0/2_4"), "192.0.2.0/24");
	CHECK_STR(ipy("1-2-3"), "error");
	CHECK_STR(ipy("2001:db8::-2001:db8::1"), "error");
	/* formatting: RFC 5952 */
	CHECK_STR(ipy("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1/128");
	CHECK_STR(ipy("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1/128");
	CHECK_STR(ipy("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4/128");
	CHECK_STR(ipy("fe80::"), "fe80::/128");
}

static void test_numbers(void)
{
	bool neg, ovf;
	unsigned __int128 v;
	CHECK(w_py_int(" 42 ", 4, 10, &neg, &v, &ovf) && v == 42 && !neg);
	CHECK(w_py_int("+4_2", 4, 10, &neg, &v, &ovf) && v == 42);
	CHECK(w_py_int("-7", 2, 10, &neg, &v, &ovf) && neg && v == 7);
	CHECK(w_py_int("-0", 2, 10, &neg, &v, &ovf) && !neg && v == 0);
	CHECK(!w_py_int("4__2", 4, 10, &neg, &v, &ovf));
	CHECK(!w_py_int("_42", 3, 10, &neg, &v, &ovf));
	CHECK(!w_py_int("42_", 3, 10, &neg, &v, &ovf));
	CHECK(!w_py_int("", 0, 10, &neg, &v, &ovf));
	CHECK(!w_py_int(" ", 1, 10, &neg, &v, &ovf));
	CHECK(!w_py_int("- 1", 3, 10, &neg, &v, &ovf));
	CHECK(w_py_int("0x_ff", 5, 16, &neg, &v, &ovf) && v == 255);
	CHECK(w_py_int("FF", 2, 16, &neg, &v, &ovf) && v == 255);
	CHECK(!w_py_int("0x", 2, 16, &neg, &v, &ovf));
	CHECK(!w_py_int("0x10", 4, 10, &neg, &v, &ovf));
	CHECK(w_py_int("999999999999999999999999999999999999999999", 42, 10, &neg, &v, &ovf) && ovf);

	struct wbuf err = { 0 };
	uint32_t asn;
	CHECK(w_parse_as_number("as65537", 7, &asn, &err) && asn == 65537);
	CHECK(w_parse_as_number("AS0", 3, &asn, &err) && asn == 0);
	CHECK(w_parse_as_number("AS4294967295", 12, &asn, &err) && asn == 4294967295u);
	CHECK(!w_parse_as_number("AS4294967296", 12, &asn, &err));
	CHECK_STR(err.p, "Invalid AS number AS4294967296: valid range is 0-4294967295");
	wbuf_reset(&err);
	CHECK(!w_parse_as_number("65537", 5, &asn, &err));
	CHECK_STR(err.p, "Invalid AS number 65537: must start with \"AS\"");
	wbuf_reset(&err);
	CHECK(!w_parse_as_number("as-foo", 6, &asn, &err));
	CHECK_STR(err.p, "Invalid AS number AS-FOO: number part is not numeric");
	CHECK(!w_parse_as_number("AS1.1", 5, &asn, NULL));
	wbuf_free(&err);
}

static const char *mask(const char *in)
{
	static struct wbuf out;
	wbuf_free(&out);
	if (!w_mask_auth(in, strlen(in), &out))
		return in;
	return out.p;
}

static void test_mask_auth(void)
{
	CHECK_STR(mask("auth: MD5-PW $1$abc\n"), "auth: MD5-PW DummyValue  # Filtered for security\n");
	CHECK_STR(mask("auth: bcrypt-pw $2b$x\nmnt-by: X"), "auth: bcrypt-pw DummyValue  # Filtered for security\nmnt-by: X");
	CHECK_STR(mask("auth: Crypt-PW abc"), "auth: Crypt-PW DummyValue  # Filtered for security");
	CHECK_STR(mask("auth: MD5-PW\nx"), "auth: MD5-PW\nx");
	CHECK_STR(mask("MD5-PW\nMD5-PW x"), "MD5-PW\nMD5-PW DummyValue  # Filtered for security");
	CHECK_STR(mask("remarks: md5-pwned\n"), "remarks: md5-pw DummyValue  # Filtered for security\n");
	CHECK_STR(mask("a MD5-PW 1 CRYPT-PW 2\nb"), "a MD5-PW DummyValue  # Filtered for security\nb");
	CHECK_STR(mask("no hashes - here -pw"), "no hashes - here -pw");
	CHECK_STR(mask("AS-MD5-PW1 AS1"), "AS-MD5-PW DummyValue  # Filtered for security");
	CHECK_STR(mask("x\r\nauth: MD5-PW y\r\n"), "x\r\nauth: MD5-PW DummyValue  # Filtered for security\n");
}

static void test_text(void)
{
	struct wbuf b = { 0 };
	w_sanitize_utf8("a\xff\xc3\xa9\xe2\x82z\xf0\x9f\x98\x80\xed\xa0\x80", 14, &b);
	CHECK_STR(b.p, "a\\xff\xc3\xa9\\xe2\\x82z\xf0\x9f\x98\x80\\xed\\xa0\\x80");
	wbuf_free(&b);
	w_sanitize_utf8("\xc0\xaf\xf5\x80", 4, &b);
	CHECK_STR(b.p, "\\xc0\\xaf\\xf5\\x80");
	wbuf_free(&b);

	const char *s = "\xe3\x80\x80 \t!gAS1\xc2\xa0\r\x1f";
	size_t l = strlen(s);
	w_strip(&s, &l);
	CHECK_INT(l, 5);
	CHECK(strncmp(s, "!gAS1", 5) == 0);
	s = " \xe2\x80\x8b ";	/* a zero-width space is not whitespace */
	l = strlen(s);
	w_strip(&s, &l);
	CHECK_INT(l, 3);
	CHECK(w_ieq("MNT-BY", 6, "mnt-by"));
	CHECK(!w_ieq("MNT-B", 5, "mnt-by"));
	CHECK_INT(wattr_lookup("Member-Of", 9), WA_MEMBER_OF);
	CHECK_INT(wattr_lookup("nic-hdl", 7), -1);
}

/* The set directory under random adds, replacements and deletes. */
static void test_setdir(void)
{
	enum { N = 3000 };
	struct whois_index *idx = whois_index_new();
	static bool live[N];
	int errors = 0;

	for (int round = 0; round < 6 * N; round++) {
		int i = (int)(rnd() % N);
		char name[32], text[128];
		snprintf(name, sizeof(name), "AS-S%d", i);
		const char *src = i % 3 ? "ONE" : "TWO";
		if (!live[i] || rnd() % 2) {
			snprintf(text, sizeof(text), "as-set: %s\nmembers: AS%d\nsource: %s\n", name, round, src);
			struct rpsl_object *o = rpsl_parse(text, strlen(text), RPSL_NONSTRICT, NULL);
			whois_index_put(idx, o, text, strlen(text), RPKI_NOT_FOUND);
			rpsl_object_free(o);
			live[i] = true;
		} else {
			if (whois_index_del(idx, src, RPSL_AS_SET, name) != 0)
				errors++;
			live[i] = false;
		}
		if (round % 97 == 0 || round == 6 * N - 1) {
			for (int k = 0; k < N; k++) {
				snprintf(name, sizeof(name), "as-s%d", k);
				/* looked up in lower case, hashed in upper case */
				int sid = widx_source_id(idx, k % 3 ? "ONE" : "TWO");
				char up[32];
				snprintf(up, sizeof(up), "AS-S%d", k);
				uint64_t kh = widx_key_hash(up, strlen(up));
				struct wobj *o = sid < 0 ? NULL
					: widx_set(idx, widx_hash_mix(kh, (unsigned)sid, RPSL_AS_SET), (unsigned)sid,
						   RPSL_AS_SET, name, strlen(name));
				if ((o != NULL) != live[k])
					errors++;
			}
		}
	}
	size_t n = 0;
	for (int k = 0; k < N; k++)
		n += live[k];
	CHECK_INT(idx->setdir_n, n);
	CHECK_INT(whois_index_count(idx), n);
	CHECK_INT(errors, 0);
	whois_index_free(idx);
}

/* Queries on several threads while the index changes under its write
 * lock: set expansion (no marks left in shared objects), !g from the
 * shared per-origin cache, and !s selections with lists of their own. */
struct conc_arg {
	struct whois_context *ctx;
	int id;
	int errors;
};

static char *conc_answer(struct whois_session *s, const char *q, struct evbuffer *out)
{
	whois_session_query(s, q, strlen(q), out);
	size_t n = evbuffer_get_length(out);
	char *got = calloc(1, n + 1);
	evbuffer_remove(out, got, n);
	return got;
}

static void *conc_main(void *arg)
{
	struct conc_arg *a = arg;
	struct whois_session *s = whois_session_new(a->ctx);
	struct evbuffer *out = evbuffer_new();
	free(conc_answer(s, "!!", out));
	if (a->id % 2)
		free(conc_answer(s, "!sONE,TWO", out));
	for (int i = 0; i < 3000; i++) {
		char *got = conc_answer(s, "!iAS-A,1", out);
		if (strcmp(got, "A8\nAS1 AS2\nC\n") != 0 && a->errors++ == 0)
			fprintf(stderr, "!i: %s\n", got);
		free(got);
		got = conc_answer(s, "!gAS1", out);
		if (strcmp(got, "A13\n192.0.2.0/24\nC\n") != 0 && a->errors++ == 0)
			fprintf(stderr, "!g: %s\n", got);
		free(got);
		got = conc_answer(s, "!gAS2", out);
		/* AS2's route comes and goes */
		if (strcmp(got, "D\n") != 0 && strcmp(got, "A16\n198.51.100.0/24\nC\n") != 0 && a->errors++ == 0)
			fprintf(stderr, "!g2: %s\n", got);
		free(got);
	}
	evbuffer_free(out);
	whois_session_free(s);
	return NULL;
}

static void put_text(struct whois_index *idx, const char *text, const char *source)
{
	struct rpsl_object *o = rpsl_parse(text, strlen(text), RPSL_NONSTRICT, source);
	whois_index_put(idx, o, text, strlen(text), RPKI_NOT_FOUND);
	rpsl_object_free(o);
}

static void test_concurrent(void)
{
	static const char *const objs[] = {
		"as-set: AS-A\nmembers: AS1, AS-B\nsource: ONE\n",
		"as-set: AS-B\nmembers: AS2, AS-A\nsource: ONE\n",
		"route: 192.0.2.0/24\norigin: AS1\nsource: ONE\n",
		"route: 192.0.2.0/24\norigin: AS1\nsource: TWO\n",
	};
	static const char *route2 = "route: 198.51.100.0/24\norigin: AS2\nsource: ONE\n";
	struct whois_index *idx = whois_index_new();
	idx->answers_min_nsec = 0;	/* cached set answers too */
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		put_text(idx, objs[i], NULL);
	struct whois_context ctx = { .idx = idx };
	pthread_t th[4];
	struct conc_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct conc_arg){ &ctx, i, 0 };
		CHECK(pthread_create(&th[i], NULL, conc_main, &args[i]) == 0);
	}
	for (int i = 0; i < 500; i++) {
		whois_index_write_lock(idx);
		if (i % 2 == 0)
			put_text(idx, route2, NULL);
		else
			whois_index_del(idx, "ONE", RPSL_ROUTE, "198.51.100.0/24AS2");
		whois_index_write_unlock(idx);
		usleep(100);
	}
	int errors = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		errors += args[i].errors;
	}
	CHECK_INT(errors, 0);
	whois_index_free(idx);
}

/* Cached answers of set queries: served again, and never after a change. */
static char *answer(struct whois_session *s, const char *q, struct evbuffer *out)
{
	return conc_answer(s, q, out);
}

static void test_answer_cache(void)
{
	struct whois_index *idx = whois_index_new();
	idx->answers_min_nsec = 0;	/* cache every set answer */
	put_text(idx, "as-set: AS-A\nmembers: AS1, AS-B\nsource: ONE\n", NULL);
	put_text(idx, "as-set: AS-B\nmembers: AS2\nsource: ONE\n", NULL);
	put_text(idx, "route: 192.0.2.0/24\norigin: AS1\nsource: ONE\n", NULL);
	struct whois_context ctx = { .idx = idx };
	struct whois_session *s = whois_session_new(&ctx);
	struct evbuffer *out = evbuffer_new();
	free(answer(s, "!!", out));
	char *got = answer(s, "!iAS-A,1", out);
	CHECK_STR(got, "A8\nAS1 AS2\nC\n");
	free(got);
	CHECK(idx->answers_bytes > 0);
	got = answer(s, "!iAS-A,1", out);
	CHECK_STR(got, "A8\nAS1 AS2\nC\n");
	free(got);
	got = answer(s, "!a4AS-A", out);
	CHECK_STR(got, "A13\n192.0.2.0/24\nC\n");
	free(got);
	got = answer(s, "!iAS-NONE,1", out);
	CHECK_STR(got, "D\n");
	free(got);
	got = answer(s, "!iAS-NONE,1", out);
	CHECK_STR(got, "D\n");
	free(got);
	/* a change: the next answers are made anew */
	put_text(idx, "as-set: AS-B\nmembers: AS2, AS3\nsource: ONE\n", NULL);
	put_text(idx, "route: 198.51.100.0/24\norigin: AS3\nsource: ONE\n", NULL);
	got = answer(s, "!iAS-A,1", out);
	CHECK_STR(got, "A12\nAS1 AS2 AS3\nC\n");
	free(got);
	got = answer(s, "!a4AS-A", out);
	CHECK_STR(got, "A29\n192.0.2.0/24 198.51.100.0/24\nC\n");
	free(got);
	/* !e and other sources are answered for themselves */
	free(answer(s, "!eAS-B", out));
	got = answer(s, "!iAS-A,1", out);
	CHECK_STR(got, "A4\nAS1\nC\n");
	free(got);
	whois_index_del(idx, "ONE", RPSL_ROUTE, "192.0.2.0/24AS1");
	free(answer(s, "!e", out));
	got = answer(s, "!a4AS-A", out);
	CHECK_STR(got, "A16\n198.51.100.0/24\nC\n");
	free(got);
	evbuffer_free(out);
	whois_session_free(s);
	whois_index_free(idx);
}

/* The writer's try: refused while a query holds the index. */
struct holder {
	struct whois_index *idx;
	sem_t held, release;
};

static void *hold_read(void *arg)
{
	struct holder *h = arg;
	pthread_rwlock_rdlock(&h->idx->lock);
	sem_post(&h->held);
	sem_wait(&h->release);
	pthread_rwlock_unlock(&h->idx->lock);
	return NULL;
}

static void test_write_try(void)
{
	struct holder h = { .idx = whois_index_new() };
	pthread_t th;
	uint64_t gen = atomic_load(&h.idx->generation);

	sem_init(&h.held, 0, 0);
	sem_init(&h.release, 0, 0);
	CHECK(whois_index_write_trylock(h.idx));
	CHECK(atomic_load(&h.idx->generation) > gen);
	whois_index_write_unlock(h.idx);
	/* a reader on another thread (as a query on a whois thread) */
	pthread_create(&th, NULL, hold_read, &h);
	sem_wait(&h.held);
	CHECK(!whois_index_write_trylock(h.idx));
	sem_post(&h.release);
	pthread_join(th, NULL);
	CHECK(whois_index_write_trylock(h.idx));
	whois_index_write_unlock(h.idx);
	sem_destroy(&h.held);
	sem_destroy(&h.release);
	whois_index_free(h.idx);
}

int main(void)
{
	TEST_RUN(test_ptrset);
	TEST_RUN(test_radix);
	TEST_RUN(test_ipy);
	TEST_RUN(test_numbers);
	TEST_RUN(test_mask_auth);
	TEST_RUN(test_text);
	TEST_RUN(test_setdir);
	TEST_RUN(test_concurrent);
	TEST_RUN(test_answer_cache);
	TEST_RUN(test_write_try);
	return test_summary("whois_util");
}
