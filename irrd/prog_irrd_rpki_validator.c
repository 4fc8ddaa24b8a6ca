/*
 * prog_irrd_rpki_validator.c - the bundled RPKI validator alone, one run,
 * with rpki-client's flags:
 *
 *   irrd_rpki_validator [--config F] [-t TAL]... [-d CACHEDIR] [-n] [-R]
 *                       [--ca-file PEM] [-j FILE] [-c FILE]
 *                       [-s SECONDS] [-P EPOCH] [--threads N] [-v]
 *                       [--max-repo-size BYTES] [--max-repo-files N]
 *   irrd_rpki_validator [-P EPOCH] -f FILE...
 *
 * Without -t the TALs are the *.tal files of the configured
 * rpki.validator.tal_dir; without -d the cache is rpki.validator.cache_dir.
 * -j/-c write JSON/CSV to FILE ("-" is standard output); with neither,
 * the CSV goes to standard output. Rejected objects are logged (warnings)
 * and counted; the summary goes to standard error. -f prints single
 * objects (cf. rpki-client -f).
 *
 * Exit status: 0 after a run (rejections included), 1 when no trust
 * anchor could be used or on a usage or output error.
 *
 * --ipc FD is the daemon's child mode (irrd/validator_glue.c): the output
 * goes to FD in val_output_write()'s form and each validator log line to
 * standard error as one line "<level digit><message>". Test hook: when
 * IRRD_VALIDATOR_TEST_HOOK names a file that exists, its first word makes
 * the child "abort" (SIGABRT) or "hang" before validating.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conf/conf.h"
#include "rpki/validator.h"
#include "rpsl/log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--config FILE] [-t TAL]... [-d CACHEDIR] [-n] [-R] [--ca-file PEM]\n"
		"       [-j FILE] [-c FILE] [-s SECONDS] [-P EPOCH] [--threads N] [-v]\n"
		"       [--max-repo-size BYTES] [--max-repo-files N]\n"
		"       %s [-P EPOCH] -f FILE...\n"
		"  Fetch (RRDP, rsync) and validate the RPKI from the given TALs, as rpki-client.\n"
		"  -t TAL        trust anchor locator (repeatable; default: rpki.validator.tal_dir)\n"
		"  -d CACHEDIR   cache directory (default: rpki.validator.cache_dir)\n"
		"  -n            no network: validate what the cache holds\n"
		"  -R            rsync only (no RRDP, no https TA URIs)\n"
		"  --ca-file PEM extra trust anchors for HTTPS\n"
		"  -j FILE       JSON output in rpki-client's layout (\"-\": standard output)\n"
		"  -c FILE       CSV output: ASN,IP Prefix,Max Length,Trust Anchor\n"
		"  -s SECONDS    time limit per repository (default 300)\n"
		"  --max-repo-size BYTES, --max-repo-files N\n"
		"                limits of one rsync repository's copy (default 4 GiB, 2000000 files)\n"
		"  -P EPOCH      evaluation time instead of now\n"
		"  --threads N   worker threads (default: one per CPU)\n"
		"  -v            verbose (debug messages)\n"
		"  -f FILE...    print the objects FILE... and exit\n",
		log_progname(), log_progname());
}

/* --ipc: one log line to the daemon, "<level><text>\n" in one write. */
static void ipc_log(int level, const char *msg)
{
	char line[2100];
	int n = snprintf(line, sizeof(line), "%d%s", level, msg);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	for (int i = 1; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* the daemon is gone; nothing to do */
	}
}

/* IRRD_VALIDATOR_TEST_HOOK: make the child crash or hang (tests only). */
static void test_hook(void)
{
	const char *path = getenv("IRRD_VALIDATOR_TEST_HOOK");
	char word[16] = "";
	FILE *f;

	if (path == NULL || (f = fopen(path, "r")) == NULL)
		return;
	if (fscanf(f, "%15s", word) != 1)
		word[0] = '\0';
	fclose(f);
	if (strcmp(word, "abort") == 0)
		abort();
	if (strcmp(word, "hang") == 0)
		for (;;)
			pause();
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.tal files of dir, sorted. */
static char **tals_in(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;

	*n = 0;
	if (d == NULL) {
		log_errx("%s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcasecmp(e->d_name + l - 4, ".tal") == 0 && e->d_name[0] != '.') {
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			v[(*n)++] = xasprintf("%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

static FILE *open_out(const char *path)
{
	FILE *f;

	if (strcmp(path, "-") == 0)
		return stdout;
	if ((f = fopen(path, "w")) == NULL)
		log_errx("%s: %s", path, strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *path)
{
	if (f == stdout)
		return fflush(f) == 0 ? 0 : -1;
	if (fclose(f) != 0) {
		log_errx("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int file_mode(int argc, char **argv, time_t now)
{
	int bad = 0;

	for (int i = 0; i < argc; i++) {
		size_t len = 0;
		uint8_t *buf = NULL;
		FILE *f = fopen(argv[i], "rb");
		if (f != NULL) {
			size_t cap = 0;
			for (;;) {
				if (len == cap) {
					cap = cap ? cap * 2 : 65536;
					if (cap > (64u << 20))
						break;
					buf = xrealloc(buf, cap);
				}
				size_t r = fread(buf + len, 1, cap - len, f);
				if (r == 0)
					break;
				len += r;
			}
			fclose(f);
		}
		if (f == NULL || buf == NULL) {
			log_errx("%s: %s", argv[i], f == NULL ? strerror(errno) : "empty file");
			free(buf);
			bad++;
			continue;
		}
		if (i > 0)
			printf("--\n");
		if (val_file_show(buf, len, argv[i], now, stdout) < 0) {
			printf("Validation:              failed\n");
			bad++;
		} else {
			printf("Validation:              parsed\n");
		}
		free(buf);
	}
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'C' },
		{ "ca-file", required_argument, NULL, 'A' },
		{ "threads", required_argument, NULL, 'T' },
		{ "ipc", required_argument, NULL, 'I' },
		{ "max-repo-size", required_argument, NULL, 'B' },
		{ "max-repo-files", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *cache = NULL, *json = NULL, *csv = NULL;
	char **tals = NULL, **dirtals = NULL, *err = NULL, *end;
	size_t ntals = 0, ndirtals = 0;
	struct val_opts o;
	struct val_output *out;
	struct cfg *cfg = NULL;
	bool files = false;
	int c, rc = 0, ipc_fd = -1;

	log_init(argv[0]);
	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "t:d:nRj:c:s:P:vfh", longopts, NULL)) != -1) {
		switch (c) {
		case 'C':
			config = optarg;
			break;
		case 'A':
			o.ca_file = optarg;
			break;
		case 'B':
		case 'F': {
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*end || v == 0 || optarg[0] == '-') {
				log_errx("--%s: want a positive number", c == 'B' ? "max-repo-size" : "max-repo-files");
				free(tals);
				return 1;
			}
			if (c == 'B')
				o.repo_max_bytes = (size_t)v;
			else
				o.repo_max_files = (size_t)v;
			break;
		}
		case 'I':
			ipc_fd = (int)strtol(optarg, &end, 10);
			if (*end || ipc_fd < 3) {
				log_errx("--ipc: want a file descriptor number above 2");
				free(tals);
				return 1;
			}
			val_log_sink(ipc_log);
			break;
		case 'T':
			o.threads = (int)strtol(optarg, &end, 10);
			if (*end || o.threads < 1 || o.threads > 64) {
				log_errx("--threads: want 1..64");
				free(tals);
				return 1;
			}
			break;
		case 't':
			tals = xrealloc(tals, (ntals + 1) * sizeof(*tals));
			tals[ntals++] = optarg;
			break;
		case 'd':
			cache = optarg;
			break;
		case 'n':
			o.offline = true;
			break;
		case 'R':
			o.rsync_only = true;
			break;
		case 'j':
			json = optarg;
			break;
		case 'c':
			csv = optarg;
			break;
		case 's':
			o.repo_timeout = strtol(optarg, &end, 10);
			if (*end || o.repo_timeout < 0) {
				log_errx("-s: want a number of seconds");
				free(tals);
				return 1;
			}
			break;
		case 'P':
			o.now = (time_t)strtoll(optarg, &end, 10);
			if (*end || o.now <= 0) {
				log_errx("-P: want seconds since the epoch");
				free(tals);
				return 1;
			}
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'f':
			files = true;
			break;
		case 'h':
			usage(stdout);
			free(tals);
			return 0;
		default:
			usage(stderr);
			free(tals);
			return 1;
		}
	}
	if (files) {
		free(tals);
		if (optind == argc) {
			usage(stderr);
			return 1;
		}
		return file_mode(argc - optind, argv + optind, o.now ? o.now : time(NULL));
	}
	if (optind != argc) {
		usage(stderr);
		free(tals);
		return 1;
	}
	if (config != NULL || ntals == 0 || cache == NULL) {
		if (config == NULL && ntals > 0 && cache == NULL) {
			log_errx("no cache directory: give -d or --config with rpki.validator.cache_dir");
			free(tals);
			return 1;
		}
		cfg = cfg_load_or_exit(config);
		if (ntals == 0) {
			if (cfg->validator.tal_dir == NULL) {
				log_errx("%s: rpki.validator.tal_dir: not set and no -t given", cfg->path);
				rc = 1;
				goto done;
			}
			dirtals = tals_in(cfg->validator.tal_dir, &ndirtals);
			if (ndirtals == 0) {
				log_errx("%s: no *.tal files", cfg->validator.tal_dir);
				rc = 1;
				goto done;
			}
		}
		if (cache == NULL)
			cache = cfg->validator.cache_dir;
		if (cache == NULL) {
			log_errx("%s: rpki.validator.cache_dir: not set and no -d given", cfg->path);
			rc = 1;
			goto done;
		}
	}
	o.tals = ntals ? (const char *const *)tals : (const char *const *)dirtals;
	o.ntals = ntals ? ntals : ndirtals;
	o.cache_dir = cache;

	if (ipc_fd >= 0)
		test_hook();
	out = val_run(&o, &err);
	if (out == NULL) {
		log_errx("%s", err);
		free(err);
		rc = 1;
		goto done;
	}
	if (ipc_fd < 0) {	/* the daemon logs its own summary */
		const struct val_stats *s = &out->stats;
		log_info("processing time %.1f s (%.1f s user, %.1f s system)", s->elapsed, s->user, s->system);
		log_info("TALs: %zu (%zu invalid); repositories: %zu (%zu RRDP, %zu rsync, %zu failed)", s->tals,
			 s->invalid_tals, s->repos, s->repos_rrdp, s->repos_rsync, s->repos_failed);
		log_info("publication points: %zu (%zu rejected, %zu from the last valid copy); manifests: %zu good "
			 "(%zu rejected, %zu stale, %zu gone backwards); CRLs: %zu (%zu rejected)", s->pubpoints,
			 s->pubpoints_failed, s->pubpoints_fallback, s->mfts, s->mfts_failed, s->mfts_stale,
			 s->mfts_regressed, s->crls, s->crls_failed);
		log_info("certificates: %zu (%zu rejected); ROAs: %zu (%zu rejected); ASPAs: %zu (%zu rejected); "
			 "BGPsec router certificates: %zu; Ghostbusters: %zu; TAKs: %zu", s->certs, s->certs_failed,
			 s->roas, s->roas_failed, s->aspas, s->aspas_failed, s->brks, s->gbrs, s->taks);
		log_info("VRPs: %zu (%zu unique); ASPA customers: %zu; router keys: %zu", s->vrps, s->vrps_unique,
			 out->nvaps, out->nbrks);
	}
	if (ipc_fd >= 0) {
		if (val_output_write(out, ipc_fd) < 0) {
			log_errx("--ipc %d: %s", ipc_fd, strerror(errno));
			rc = 1;
		}
		close(ipc_fd);
	}
	if (json != NULL) {
		FILE *f = open_out(json);
		if (f == NULL || val_output_json(out, f) < 0 || close_out(f, json) < 0)
			rc = 1;
	}
	if (csv != NULL || (json == NULL && ipc_fd < 0)) {
		const char *p = csv ? csv : "-";
		FILE *f = open_out(p);
		if (f == NULL || val_output_csv(out, f) < 0 || close_out(f, p) < 0)
			rc = 1;
	}
	if (out->stats.tals == 0) {
		log_errx("no trust anchor could be used");
		rc = 1;
	}
	val_output_free(out);
done:
	for (size_t i = 0; i < ndirtals; i++)
		free(dirtals[i]);
	free(dirtals);
	free(tals);
	cfg_free(cfg);
	return rc;
}
