/*
 * prog_irrd_update_database.c - bin/irrd_update_database: apply an RPSL
 * dump as the new state of one source, as a diff against what is stored.
 *
 *   irrd_update_database --config F --source S [--jobs N] FILE
 *
 * New and changed objects are written (journal ADD), vanished ones deleted
 * (journal DEL), with consecutive NRTM serials when the source keeps a
 * journal, all in one transaction (IRRd's update_database /
 * MirrorUpdateFileImportParser). Rejected objects are reported as in
 * irrd_load_database and are never deleted. Exit status as there.
 */
#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"
#include "irrd/dumpcmd.h"
#include "rpsl/log.h"
#include "sql/sql.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: irrd_update_database --config FILE --source SOURCE [--jobs N] FILE\n"
		   "  --config FILE    the YAML configuration (default " CFG_PATH_DEFAULT ")\n"
		   "  --source SOURCE  the source to update, e.g. NTTCOM\n"
		   "  --jobs N         parser threads (default: one per CPU)\n"
		   "Makes SOURCE hold exactly the objects of FILE (plain or gzip), writing\n"
		   "journal entries for what changed.\n");
}

int main(int argc, char **argv)
{
	struct dumpcmd_args a;
	struct sql_load_opts o;
	struct sql_load_stats st;
	struct rpsl_options po;
	struct cfg *cfg;
	const char *source, *file;
	char *err = NULL;
	struct dumpcmd d = {0};
	int rc;

	log_init(argv[0]);
	rc = dumpcmd_args(argc, argv, false, 1, usage, &a);
	if (rc >= 0)
		return rc;
	file = a.files[0];
	cfg = cfg_load_or_exit(a.config);
	rc = dumpcmd_open(cfg, a.source, a.files, a.nfiles, &d);
	if (rc != 0)
		goto out;
	rc = 1;
	source = d.source;

	dumpcmd_load_opts(cfg, &d, &a, &po, &o);
	o.keep_journal = d.src->keep_journal;
	if (sql_update_dump(d.c, &o, &st, &err) < 0) {
		fflush(stdout);
		fprintf(stderr, "%s: %s\n", log_progname(), err);
		fprintf(stderr, "%s: %s: update failed, nothing was changed\n", log_progname(), source);
		goto out;
	}
	/* IRRd's report line, then ours */
	printf("File update for %s: %ld objects read, %ld objects processed, %ld objects newly inserted, "
	       "%ld objects newly deleted, %ld objects retained, of which %ld modified, "
	       "ignored %ld due to errors, source %s\n",
	       source, st.read, st.read - st.rejected, st.added, st.deleted, st.retained, st.changed,
	       st.rejected, file);
	if (st.serial_first >= 0)
		printf("Journal serials %lld-%lld\n", (long long)st.serial_first, (long long)st.serial_last);
	else if (!d.src->keep_journal && st.added + st.deleted + st.changed > 0)
		printf("No journal entries: keep_journal is not set for %s\n", source);
	rc = 0;
out:
	dumpcmd_close(&d);
	free(err);
	dumpcmd_args_free(&a);
	cfg_free(cfg);
	return rc;
}
