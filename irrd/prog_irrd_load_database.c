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
#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"
#include "irrd/dumpcmd.h"
#include "rpsl/log.h"
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

int main(int argc, char **argv)
{
	struct dumpcmd_args a;
	struct sql_load_opts o;
	struct sql_load_stats st;
	struct rpsl_options po;
	struct cfg *cfg;
	const char *source;
	char *err = NULL;
	struct dumpcmd d = {0};
	int rc;

	log_init(argv[0]);
	rc = dumpcmd_args(argc, argv, true, (size_t)argc, usage, &a);
	if (rc >= 0)
		return rc;
	cfg = cfg_load_or_exit(a.config);
	rc = dumpcmd_open(cfg, a.source, a.files, a.nfiles, &d);
	if (rc != 0)
		goto out;
	rc = 1;
	source = d.source;

	dumpcmd_load_opts(cfg, &d, &a, &po, &o);
	o.synchronised_serials = d.src->keep_journal && d.src->nrtm_host != NULL;
	if (sql_load_dump(d.c, &o, &st, &err) < 0) {
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
	dumpcmd_args_free(&a);
	cfg_free(cfg);
	return rc;
}
