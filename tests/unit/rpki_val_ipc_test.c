/*
 * rpki_val_ipc_test.c - the form in which the daemon's validation child
 * sends its output (val_output_write / val_output_read): a round trip keeps
 * every VRP, ASPA, router key, trust anchor name and counter; every
 * truncation, a flipped count, a bad prefix, a trust anchor index out of
 * range, an embedded NUL and trailing bytes are refused with a reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"
#include "tests/unit/testlib.h"

static struct val_output *sample(void)
{
	struct val_output *o = xcalloc(1, sizeof(*o));

	o->ntas = 2;
	o->tas = xcalloc(2, sizeof(char *));
	o->tas[0] = xstrdup("ripe");
	o->tas[1] = xstrdup("arin");
	o->ntalfiles = 1;
	o->talfiles = xcalloc(1, sizeof(char *));
	o->talfiles[0] = xstrdup("/etc/tals/ripe.tal");
	o->nvrps = 3;
	o->vrps = xcalloc(3, sizeof(*o->vrps));
	CHECK(ip_prefix_parse("192.0.2.0/24", 12, &o->vrps[0].prefix, true) == 0);
	o->vrps[0].maxlen = 24;
	o->vrps[0].asn = 64496;
	o->vrps[0].expires = 1900000000;
	CHECK(ip_prefix_parse("198.51.100.0/22", 15, &o->vrps[1].prefix, true) == 0);
	o->vrps[1].maxlen = 24;
	o->vrps[1].asn = 4200000000u;
	o->vrps[1].ta = 1;
	o->vrps[1].expires = 1800000000;
	CHECK(ip_prefix_parse("2001:db8::/32", 13, &o->vrps[2].prefix, true) == 0);
	o->vrps[2].maxlen = 48;
	o->vrps[2].asn = 0;
	o->nvaps = 1;
	o->vaps = xcalloc(1, sizeof(*o->vaps));
	o->vaps[0].customer = 64500;
	o->vaps[0].nproviders = 3;
	o->vaps[0].providers = xcalloc(3, sizeof(uint32_t));
	o->vaps[0].providers[0] = 1;
	o->vaps[0].providers[1] = 2;
	o->vaps[0].providers[2] = 4200000001u;
	o->vaps[0].ta = 1;
	o->vaps[0].expires = 1700000000;
	o->nbrks = 1;
	o->brks = xcalloc(1, sizeof(*o->brks));
	o->brks[0].asn = 64501;
	memset(o->brks[0].ski, 0xab, 20);
	o->brks[0].spki_len = 5;
	o->brks[0].spki = xmalloc(5);
	memcpy(o->brks[0].spki, "\x30\x03\x02\x01\x07", 5);
	o->stats.roas = 7;
	o->stats.pubpoints_fallback = 2;
	o->stats.mfts_regressed = 1;
	o->stats.elapsed = 1.5;
	return o;
}

/* The bytes val_output_write makes of o. */
static uint8_t *encode(const struct val_output *o, size_t *len)
{
	FILE *f = tmpfile();
	uint8_t *buf;
	long n;

	CHECK(f != NULL);
	if (f == NULL)
		return NULL;
	CHECK(val_output_write(o, fileno(f)) == 0);
	n = (long)lseek(fileno(f), 0, SEEK_END);
	buf = xmalloc(n > 0 ? (size_t)n : 1);
	CHECK(pread(fileno(f), buf, (size_t)n, 0) == n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_round_trip(void)
{
	struct val_output *o = sample(), *r;
	size_t len;
	uint8_t *buf = encode(o, &len);
	char *err = NULL;

	r = val_output_read(buf, len, &err);
	CHECK(r != NULL && err == NULL);
	if (r != NULL) {
		CHECK_INT(r->ntas, 2);
		CHECK_STR(r->tas[1], "arin");
		CHECK_STR(r->talfiles[0], "/etc/tals/ripe.tal");
		CHECK_INT(r->nvrps, 3);
		CHECK(ip_prefix_cmp(&r->vrps[0].prefix, &o->vrps[0].prefix) == 0);
		CHECK_INT(r->vrps[0].expires, 1900000000);
		CHECK_INT(r->vrps[1].ta, 1);
		CHECK_INT(r->vrps[2].maxlen, 48);
		CHECK_INT(r->vrps[1].asn, 4200000000u);
		CHECK_INT(r->vrps[1].prefix.len, 22);
		CHECK_INT(r->vrps[2].prefix.family, 6);
		CHECK_INT(r->nvaps, 1);
		CHECK_INT(r->vaps[0].nproviders, 3);
		CHECK_INT(r->vaps[0].providers[2], 4200000001u);
		CHECK_INT(r->vaps[0].expires, 1700000000);
		CHECK_INT(r->nbrks, 1);
		CHECK_INT(r->brks[0].spki_len, 5);
		CHECK(memcmp(r->brks[0].spki, "\x30\x03\x02\x01\x07", 5) == 0);
		CHECK_INT(r->brks[0].ski[19], 0xab);
		CHECK_INT(r->stats.roas, 7);
		CHECK_INT(r->stats.pubpoints_fallback, 2);
		CHECK_INT(r->stats.mfts_regressed, 1);
		/* and written again, the same bytes */
		size_t len2;
		uint8_t *buf2 = encode(r, &len2);
		CHECK(len2 == len && buf2 != NULL && memcmp(buf, buf2, len) == 0);
		free(buf2);
	}
	val_output_free(r);
	val_output_free(o);
	free(buf);
}

static void test_truncated(void)
{
	struct val_output *o = sample();
	size_t len, bad = 0;
	uint8_t *buf = encode(o, &len);

	for (size_t n = 0; n < len; n++) {
		char *err = NULL;
		struct val_output *r = val_output_read(buf, n, &err);
		if (r != NULL || err == NULL)
			bad++;
		val_output_free(r);
		free(err);
	}
	CHECK_INT(bad, 0);
	val_output_free(o);
	free(buf);
}

/* Read buf with one change; the reason, or "" if it was accepted. */
static char *damaged(const uint8_t *buf, size_t len, size_t off, const void *with, size_t n)
{
	uint8_t *b = xmalloc(len + 8);
	char *err = NULL;
	struct val_output *r;

	memcpy(b, buf, len);
	memcpy(b + off, with, n);
	r = val_output_read(b, len, &err);
	val_output_free(r);
	free(b);
	return err ? err : xstrdup("");
}

static void test_damaged(void)
{
	struct val_output *o = sample();
	size_t len, vrps;
	uint8_t *buf = encode(o, &len), *b;
	uint64_t huge = (uint64_t)1 << 60;
	uint32_t big = 1000;
	char *e;

	/* offset of the VRP count: magic, stats size, stats, 2 TA names, 1 TAL file */
	vrps = 8 + 4 + sizeof(struct val_stats) + 4 + (4 + 4) + (4 + 4) + 4 + (4 + 18);
	CHECK(memcmp(buf + vrps, &(uint64_t){ 3 }, 8) == 0);
	CHECK_STR(e = damaged(buf, len, 0, "IRRDVAL9", 8), "validator output: not the validator's output");
	free(e);
	CHECK_STR(e = damaged(buf, len, 8, &big, 4), "validator output: written by another build");
	free(e);
	CHECK_STR(e = damaged(buf, len, vrps, &huge, 8), "validator output: truncated");
	free(e);
	/* the first VRP's family 5, its length 33, maxLength below its length, TA index 2 */
	CHECK_STR(e = damaged(buf, len, vrps + 8, "\x05", 1), "validator output: a malformed VRP");
	free(e);
	CHECK_STR(e = damaged(buf, len, vrps + 9, "\x21", 1), "validator output: a malformed VRP");
	free(e);
	CHECK_STR(e = damaged(buf, len, vrps + 10, "\x10", 1), "validator output: a malformed VRP");
	free(e);
	CHECK_STR(e = damaged(buf, len, vrps + 8 + 3 + 16 + 4, &(uint32_t){ 2 }, 4), "validator output: a malformed VRP");
	free(e);
	/* a NUL inside a TA name */
	CHECK_STR(e = damaged(buf, len, 8 + 4 + sizeof(struct val_stats) + 4 + 4 + 1, "\0", 1),
		  "validator output: truncated");
	free(e);
	/* trailing bytes */
	b = xmalloc(len + 1);
	memcpy(b, buf, len);
	b[len] = 0;
	{
		char *err = NULL;
		struct val_output *r = val_output_read(b, len + 1, &err);
		CHECK(r == NULL);
		CHECK_STR(err, "validator output: trailing bytes");
		free(err);
	}
	free(b);
	val_output_free(o);
	free(buf);
}

int main(void)
{
	log_init("rpki_val_ipc_test");
	TEST_RUN(test_round_trip);
	TEST_RUN(test_truncated);
	TEST_RUN(test_damaged);
	return test_summary("rpki_val_ipc_test");
}
