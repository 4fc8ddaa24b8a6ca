/* nrtm_stream_test.c - the NRTM stream parser on the project's own
 * samples (tests/data/nrtm: good-* parse, bad-* are rejected), exact
 * operations for the good ones, and auth hash removal. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrtm/nrtm.h"
#include "rpsl/log.h"
#include "tests/unit/testlib.h"

static struct nrtm_stream *parse_file(const char *name, char **err)
{
	char *path = xasprintf("%s/nrtm/%s", test_data_dir(), name);
	size_t len;
	char *buf = test_slurp(path, &len);
	struct nrtm_stream *s;

	CHECK_MSG(buf != NULL, "%s", path);
	free(path);
	if (buf == NULL) {
		*err = xstrdup("unreadable");
		return NULL;
	}
	s = nrtm_stream_parse(buf, len, "DEMO", err);
	free(buf);
	return s;
}

static void test_all_samples(void)
{
	char *dir = xasprintf("%s/nrtm", test_data_dir());
	DIR *d = opendir(dir);
	struct dirent *de;
	int good = 0, bad = 0;

	CHECK_MSG(d != NULL, "%s", dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		char *err = NULL;
		struct nrtm_stream *s;

		if (de->d_name[0] == '.')
			continue;
		s = parse_file(de->d_name, &err);
		if (strncmp(de->d_name, "good-", 5) == 0) {
			CHECK_MSG(s != NULL, "%s: %s", de->d_name, err ? err : "");
			good++;
		} else {
			CHECK_MSG(s == NULL, "%s: accepted", de->d_name);
			CHECK_MSG(err != NULL && *err != '\0', "%s: no reason", de->d_name);
			bad++;
		}
		nrtm_stream_free(s);
		free(err);
	}
	if (d)
		closedir(d);
	free(dir);
	CHECK(good >= 6);
	CHECK(bad >= 20);
}

static void test_good_v3(void)
{
	char *err = NULL;
	struct nrtm_stream *s = parse_file("good-v3.txt", &err);

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(s->version, 3);
	CHECK_STR(s->source, "DEMO");
	CHECK_INT(s->first, 100);
	CHECK_INT(s->last, 102);
	CHECK_INT(s->nops, 3);
	CHECK(s->ops[0].add && !s->ops[1].add && s->ops[2].add);
	CHECK_INT(s->ops[0].serial, 100);
	CHECK_INT(s->ops[1].serial, 101);
	CHECK_INT(s->ops[2].serial, 102);
	CHECK_STR(s->ops[0].text, "mntner:         MNT-X\nsource:         DEMO\n");
	CHECK_STR(s->ops[2].text, "route:          192.0.2.0/24\norigin:         AS65001\nsource:         DEMO\n");
	CHECK_INT(s->ops[1].line, 12);
	nrtm_stream_free(s);
}

static void test_good_v1_and_others(void)
{
	char *err = NULL;
	struct nrtm_stream *s = parse_file("good-v1.txt", &err);

	CHECK(s != NULL && s->version == 1 && s->nops == 2);
	if (s) {
		CHECK_INT(s->ops[0].serial, 7);
		CHECK_INT(s->ops[1].serial, 8);
	}
	nrtm_stream_free(s);
	s = parse_file("good-v3-gap.txt", &err);
	CHECK(s != NULL && s->nops == 2 && s->ops[0].serial == 12 && s->ops[1].serial == 17);
	nrtm_stream_free(s);
	s = parse_file("good-no-newer.txt", &err);
	CHECK(s != NULL && s->nops == 0 && s->version == 0);
	if (s)
		CHECK_STR(s->warning, "% Warning: there are no newer updates available");
	nrtm_stream_free(s);
	s = parse_file("good-filtered-empty.txt", &err);
	CHECK(s != NULL && s->filtered && s->nops == 0);
	nrtm_stream_free(s);
}

static void check_err(const char *file, const char *want)
{
	char *err = NULL;
	struct nrtm_stream *s = parse_file(file, &err);

	CHECK(s == NULL);
	CHECK_MSG(err != NULL && strstr(err, want) != NULL, "%s: got [%s], want [%s]", file, err ? err : "", want);
	nrtm_stream_free(s);
	free(err);
}

static void test_bad_messages(void)
{
	check_err("bad-serial-repeated.txt", "Invalid NRTM serial for DEMO: ADD/DEL has serial 11, expected at least 12");
	check_err("bad-serial-backwards.txt", "expected at least 13");
	check_err("bad-serial-below-range.txt", "has serial 9, expected at least 10");
	check_err("bad-two-starts.txt", "Encountered second START line in NRTM stream, first was DEMO 10-12, "
		  "new line is: %START Version: 3 DEMO 10-12");
	check_err("bad-version.txt", "Invalid NRTM version 2 in START line: %START Version: 2 DEMO 10-12");
	check_err("bad-v1-too-many.txt", "expected operations up to and including serial 10, last operation was 11");
	check_err("bad-no-end.txt", "last comment paragraph expected to be \"%END DEMO\", but is actually \"\"");
	check_err("bad-truncated-object.txt", "last comment paragraph expected to be");
	check_err("bad-op-without-object.txt", "has no object");
	check_err("bad-op-then-end.txt", "has no object");
	check_err("bad-other-source.txt", "Invalid NRTM source in START line: expected DEMO but found OTHER");
	check_err("bad-no-start.txt", "Encountered operation before valid NRTM START line");
	check_err("bad-ripe-error.txt", "NRTM server error for DEMO: %ERROR:401: invalid range");
	check_err("bad-irrd-error.txt", "%% ERROR: Serials 5 - 10 do not exist");
	check_err("bad-op-serial.txt", "malformed operation line");
	check_err("bad-stray-object.txt", "unexpected paragraph");
	check_err("bad-op-after-end.txt", "operation after %END DEMO");
	check_err("bad-dropped-in-start.txt", "malformed START line");
	check_err("bad-empty.txt", "NRTM stream error for DEMO: empty response");
	check_err("bad-range-backwards.txt", "goes backwards");
	check_err("bad-v3-no-serial.txt", "operation without serial");
}

static void test_auth_hashes(void)
{
	const char *in = "mntner:         MNT-X\n"
			 "auth:           MD5-PW $1$abc$defghijklmnop\n"
			 "auth:           bcrypt-pw $2b$12$xyz\n"
			 "auth:           CRYPT-PW abcdefgh\n"
			 "auth:           PGPKEY-12345678\n"
			 "remarks:        MD5-PW\n"
			 "remarks:        old Crypt-Pw x, mD5-pW y\n"
			 "source:         DEMO\n";
	const char *want = "mntner:         MNT-X\n"
			   "auth:           MD5-PW DummyValue  # Filtered for security\n"
			   "auth:           bcrypt-pw DummyValue  # Filtered for security\n"
			   "auth:           CRYPT-PW DummyValue  # Filtered for security\n"
			   "auth:           PGPKEY-12345678\n"
			   "remarks:        MD5-PW\n"
			   "remarks:        old Crypt-Pw DummyValue  # Filtered for security\n"
			   "source:         DEMO\n";
	size_t n;
	char *out = nrtm_remove_auth_hashes(in, strlen(in), &n);

	CHECK_STR(out, want);
	CHECK_INT(n, strlen(want));
	free(out);
	out = nrtm_remove_auth_hashes("", 0, &n);
	CHECK_STR(out, "");
	free(out);
}

int main(void)
{
	log_init("nrtm_stream_test");
	TEST_RUN(test_all_samples);
	TEST_RUN(test_good_v3);
	TEST_RUN(test_good_v1_and_others);
	TEST_RUN(test_bad_messages);
	TEST_RUN(test_auth_hashes);
	return test_summary("nrtm_stream_test");
}
