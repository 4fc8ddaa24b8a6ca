/* nrtm_shared_test.c - the NRTM stream parser on IRRd's own NRTM samples
 * in ../shared (SHARED_DIR): the valid ones parse to IRRd's operations,
 * each invalid one is rejected with IRRd's message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrtm/nrtm.h"
#include "rpsl/log.h"
#include "tests/unit/testlib.h"

static const char *shared_dir(void)
{
	const char *d = getenv("SHARED_DIR");

	return d && *d ? d : "../shared";
}

static struct nrtm_stream *parse(const char *name, const char *source, char **err)
{
	char *path = xasprintf("%s/testdata/irr-real/irrd-nrtm-samples/%s", shared_dir(), name);
	size_t len;
	char *buf = test_slurp(path, &len);
	struct nrtm_stream *s = NULL;

	CHECK_MSG(buf != NULL, "%s: cannot read", path);
	*err = NULL;
	if (buf != NULL)
		s = nrtm_stream_parse(buf, len, source, err);
	free(buf);
	free(path);
	return s;
}

static void valid(const char *name, int version, int64_t last)
{
	char *err;
	struct nrtm_stream *s = parse(name, "TEST", &err);

	CHECK_MSG(s != NULL, "%s: %s", name, err ? err : "");
	free(err);
	if (s == NULL)
		return;
	CHECK_INT(s->version, version);
	CHECK_INT(s->last, last);
	CHECK_INT(s->nops, 2);
	if (s->nops == 2) {
		CHECK(s->ops[0].add);
		CHECK_INT(s->ops[0].serial, 11012700);
		CHECK_STR(s->ops[0].text, "person: NRTM test\naddress: NowhereLand\nsource: TEST\n");
		CHECK(!s->ops[1].add);
		CHECK_INT(s->ops[1].serial, 11012701);
		CHECK_STR(s->ops[1].text, "inetnum: 192.0.2.0 - 192.0.2.255\nsource: TEST\n");
	}
	nrtm_stream_free(s);
}

static void invalid(const char *name, const char *source, const char *msg)
{
	char *err;
	struct nrtm_stream *s = parse(name, source, &err);

	CHECK_MSG(s == NULL, "%s: accepted", name);
	CHECK_MSG(err != NULL && strstr(err, msg) != NULL, "%s: got [%s], want [%s]", name, err ? err : "", msg);
	nrtm_stream_free(s);
	free(err);
}

int main(void)
{
	log_init("nrtm_shared_test");
	valid("sample-nrtm-v3.txt", 3, 11012701);
	valid("sample-nrtm-v1.txt", 1, 11012701);
	valid("sample-nrtm-v3-serial-gap.txt", 3, 11012703);
	invalid("sample-nrtm-v3.txt", "BADSOURCE", "Invalid NRTM source in START line: expected BADSOURCE but found TEST ");
	invalid("sample-nrtm-v3-serial-out-of-order.txt", "TEST", "expected at least");
	invalid("sample-nrtm-v1-too-many-items.txt", "TEST", "expected operations up to and including");
	invalid("sample-nrtm-invalid-version.txt", "TEST", "Invalid NRTM version 99 in START line");
	invalid("sample-nrtm-v3-invalid-multiple-start-lines.txt", "TEST", "Encountered second START line");
	invalid("sample-nrtm-invalid-no-start-line.txt", "TEST", "Encountered operation before valid NRTM START line");
	invalid("sample-nrtm-v3-no-end.txt", "TEST", "last comment paragraph expected to be");
	return test_summary("nrtm_shared_test");
}
