/*
 * prog_irrd_load_database.c - bin/irrd_load_database: replace every object
 * of one source from RPSL dump files (plain or gzip), in one transaction.
 *
 *   irrd_load_database --config F --source S [--serial N] [--jobs N] FILE...
 *
 * Objects are validated non-strictly, as IRRd's load_database does; an
 * object with errors, of an unknown class or of another source is rejected
 * and reported as "FILE:LINE: CLASS PK: reason", the rest is loaded. The
 * summary line is "Loaded N objects into S, rejected M". Any failure to
 * read the files or to write the database rolls everything back: the old
 * objects stay. Exit status 0 when the load was committed, 1 on failure,
 * 2 when the source is mirrored (as IRRd).
 */
#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "irrd/dumpcmd.h"
#include "rpsl/log.h"
#include "rpki/importer.h"
#include "rpki/rpki.h"
#include "sql/sql.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: irrd_load_database --config FILE --source SOURCE [--serial N] [--jobs N] FILE...\n"
		   "  --config FILE    the YAML configuration (default " CFG_PATH_DEFAULT ")\n"
		   "  --source SOURCE  the source to replace, e.g. NTTCOM\n"
		   "  --serial N       the serial the dump corresponds to (optional)\n"
		   "  --jobs N         parser threads (default: one per CPU)\n"
		   "Replaces all objects of SOURCE with the objects in the files (plain or\n"
		   "gzip), drops its journal, and prints rejected objects with reasons.\n");
}

static int parse_int(const char *opt, const char *s, long long min, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *out < min) {
		fprintf(stderr, "%s: %s: invalid number %s\n", log_progname(), opt, s);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *config = NULL, *source_arg = NULL;
	long long serial = -1, jobs = 0;
	const char **files = xcalloc((size_t)argc, sizeof(char *));
	size_t nfiles = 0;
	const struct cfg_source *src;
	struct sql_load_opts o;
	struct sql_load_stats st;
	struct rpsl_options po;
	struct sql_conn *c;
	struct cfg *cfg;
	const char *source;
	char *err = NULL;
	struct roa_set *roas;
	struct dumpcmd d = {0};
	int rc = 1;

	log_init(argv[0]);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strncmp(a, "--config=", 9) == 0)
			config = a + 9;
		else if (strcmp(a, "--source") == 0 && i + 1 < argc)
			source_arg = argv[++i];
		else if (strncmp(a, "--source=", 9) == 0)
			source_arg = a + 9;
		else if (strcmp(a, "--serial") == 0 && i + 1 < argc) {
			if (parse_int("--serial", argv[++i], 0, &serial) < 0)
				return 1;
		} else if (strncmp(a, "--serial=", 9) == 0) {
			if (parse_int("--serial", a + 9, 0, &serial) < 0)
				return 1;
		} else if (strcmp(a, "--jobs") == 0 && i + 1 < argc) {
			if (parse_int("--jobs", argv[++i], 1, &jobs) < 0)
				return 1;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "%s: %s: unknown argument\n", log_progname(), a);
			usage(stderr);
			return 1;
		} else
			files[nfiles++] = a;
	}
	if (source_arg == NULL || nfiles == 0) {
		fprintf(stderr, "%s: %s\n", log_progname(),
			source_arg == NULL ? "--source is required" : "no input file");
		usage(stderr);
		return 1;
	}
	cfg = cfg_load_or_exit(config);
	rc = dumpcmd_open(cfg, source_arg, files, nfiles, &d);
	if (rc != 0)
		goto out;
	rc = 1;
	source = d.source;
	src = d.src;
	c = d.c;
	roas = d.roas;

	memset(&o, 0, sizeof(o));
	o.source = source;
	o.serial = serial;
	o.authoritative = src->authoritative;
	o.synchronised_serials = src->keep_journal && src->nrtm_host != NULL;
	o.files = files;
	o.nfiles = nfiles;
	o.jobs = (int)jobs;
	o.reject = dumpcmd_print_reject;
	dumpcmd_parse_options(cfg, &po);
	o.parse_opts = &po;
	o.rpki_state = roas != NULL ? roa_load_state : NULL;
	o.rpki_arg = roas;
	if (sql_load_dump(c, &o, &st, &err) < 0) {
		fflush(stdout);
		fprintf(stderr, "%s: %s\n", log_progname(), err);
		fprintf(stderr, "%s: %s: load failed, nothing was changed\n", log_progname(), source);
		goto out;
	}
	if (st.duplicates > 0)
		printf("%ld objects were replaced by a later object with the same key\n", st.duplicates);
	if (st.ignored > 0)
		printf("%ld legacy *xx objects ignored\n", st.ignored);
	printf("Loaded %ld objects into %s, rejected %ld\n", st.loaded, source, st.rejected);
	log_info("%s: %ld objects read; %.1f s streaming, %.1f s indexing and swapping",
		 source, st.read, st.seconds_copy, st.seconds_finish);
	rc = 0;
out:
	dumpcmd_close(&d);
	free(err);
	free(files);
	cfg_free(cfg);
	return rc;
}
