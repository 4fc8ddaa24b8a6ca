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
#include <ctype.h>
#include <errno.h>
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
	fprintf(f, "usage: irrd_update_database --config FILE --source SOURCE [--jobs N] FILE\n"
		   "  --config FILE    the YAML configuration (default " CFG_PATH_DEFAULT ")\n"
		   "  --source SOURCE  the source to update, e.g. NTTCOM\n"
		   "  --jobs N         parser threads (default: one per CPU)\n"
		   "Makes SOURCE hold exactly the objects of FILE (plain or gzip), writing\n"
		   "journal entries for what changed.\n");
}

int main(int argc, char **argv)
{
	const char *config = NULL, *source_arg = NULL, *file = NULL;
	long jobs = 0;
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
		else if (strcmp(a, "--jobs") == 0 && i + 1 < argc) {
			char *end;

			jobs = strtol(argv[++i], &end, 10);
			if (*end != '\0' || jobs < 1) {
				fprintf(stderr, "%s: --jobs: invalid number %s\n", log_progname(), argv[i]);
				return 1;
			}
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "%s: %s: unknown argument\n", log_progname(), a);
			usage(stderr);
			return 1;
		} else if (file == NULL)
			file = a;
		else {
			fprintf(stderr, "%s: %s: only one input file is accepted\n", log_progname(), a);
			return 1;
		}
	}
	if (source_arg == NULL || file == NULL) {
		fprintf(stderr, "%s: %s\n", log_progname(),
			source_arg == NULL ? "--source is required" : "no input file");
		usage(stderr);
		return 1;
	}
	cfg = cfg_load_or_exit(config);
	rc = dumpcmd_open(cfg, source_arg, &file, 1, &d);
	if (rc != 0)
		goto out;
	rc = 1;
	source = d.source;
	src = d.src;
	c = d.c;
	roas = d.roas;

	memset(&o, 0, sizeof(o));
	o.source = source;
	o.serial = -1;
	o.authoritative = src->authoritative;
	o.keep_journal = src->keep_journal;
	o.files = &file;
	o.nfiles = 1;
	o.jobs = (int)jobs;
	o.reject = dumpcmd_print_reject;
	dumpcmd_parse_options(cfg, &po);
	o.parse_opts = &po;
	o.rpki_state = roas != NULL ? roa_load_state : NULL;
	o.rpki_arg = roas;
	if (sql_update_dump(c, &o, &st, &err) < 0) {
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
	else if (!src->keep_journal && st.added + st.deleted + st.changed > 0)
		printf("No journal entries: keep_journal is not set for %s\n", source);
	rc = 0;
out:
	dumpcmd_close(&d);
	free(err);
	cfg_free(cfg);
	return rc;
}
