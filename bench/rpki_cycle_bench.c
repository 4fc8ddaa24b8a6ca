/*
 * rpki_cycle_bench.c - one ROA import cycle (rpki/importer.h) against a
 * real database, as the daemon's worker thread runs it: fetch and parse
 * the ROA export (and SLURM), validate every route, write the changed
 * statuses with their journal entries, bring roa_object up to date. Prints
 * the phases, the counts and the peak resident memory of the process.
 *
 *   rpki_cycle_bench --config FILE [--roa-url URL] [--slurm-url URL] [--threads N]
 *                    [--rewrite-min N]   (-1: never rewrite a partition)
 *
 * bench/rpki_cycle_bench.sh builds and runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/benchlib.h"
#include "conf/conf.h"
#include "rpki/importer.h"
#include "rpsl/log.h"
#include "sql/sql.h"
#include "sql/sql_int.h"	/* the backend's pid, for its CPU time */

int main(int argc, char **argv)
{
	const char *config = NULL, *roa_url = NULL, *slurm_url = NULL;
	struct roa_import_opts o;
	struct roa_import_result res;
	struct sql_conn *c;
	struct rusage ru;
	struct cfg *cfg;
	char *err = NULL;
	int threads = 2, rc;
	long rewrite_min = 0;
	double cpu_server;

	log_init("rpki_cycle_bench");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "--roa-url") == 0 && i + 1 < argc)
			roa_url = argv[++i];
		else if (strcmp(argv[i], "--slurm-url") == 0 && i + 1 < argc)
			slurm_url = argv[++i];
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--rewrite-min") == 0 && i + 1 < argc)
			rewrite_min = atol(argv[++i]);
		else {
			fprintf(stderr, "usage: rpki_cycle_bench --config FILE [--roa-url URL] [--slurm-url URL]"
				" [--threads N] [--rewrite-min N]\n");
			return 2;
		}
	}
	cfg = cfg_load_or_exit(config);
	c = sql_connect(cfg->database_url, &err);
	if (c == NULL) {
		fprintf(stderr, "rpki_cycle_bench: %s\n", err);
		free(err);
		cfg_free(cfg);
		return 1;
	}
	roa_import_opts_from_cfg(&o, cfg);
	if (roa_url != NULL)
		o.roa_url = roa_url;
	if (slurm_url != NULL)
		o.slurm_url = slurm_url;
	o.threads = threads;
	o.rewrite_min = rewrite_min;
	rc = roa_import_run(c, &o, &res);
	getrusage(RUSAGE_SELF, &ru);
	cpu_server = proc_cpu(PQbackendPID(c->pg));
	if (rc < 0) {
		fprintf(stderr, "rpki_cycle_bench: import failed: %s\n", res.error);
	} else {
		printf("roas %zu, routes %zu: %zu valid, %zu invalid, %zu not_found\n", res.nroas, res.nroutes,
		       res.nvalid, res.ninvalid, res.nnot_found);
		printf("changed: %zu now valid, %zu now invalid, %zu now not_found, %zu skipped;"
		       " journal %zu ADD, %zu DEL; %zu partitions rewritten; roa_object +%zu -%zu%s; %zu notices\n",
		       res.now_valid, res.now_invalid, res.now_not_found, res.skipped, res.journal_add,
		       res.journal_del, res.rewritten, res.roa_added, res.roa_removed, res.roa_rewritten ? " (rewritten)" : "",
		       res.nnotices);
		printf("phases: fetch+parse %.2f s, read routes %.2f s, validate %.2f s, write statuses %.2f s,"
		       " roa_object %.2f s, notify %.2f s, commit %.2f s\n", res.t_fetch, res.t_read,
		       res.t_validate, res.t_write, res.t_roa, res.t_notify, res.t_commit);
		printf("total %.2f s\n", res.t_total);
	}
	printf("peak RSS %ld MB\n", ru.ru_maxrss / 1024);
	printf("cpu: importer %.2f s, database backend %.2f s\n",
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
	       cpu_server);
	roa_import_result_free(&res);
	roa_import_opts_free(&o);
	sql_close(c);
	cfg_free(cfg);
	return rc < 0 ? 1 : 0;
}
