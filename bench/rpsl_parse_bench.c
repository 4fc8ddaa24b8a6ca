/*
 * rpsl_parse_bench.c - objects/s of rpsl_parse() on the route objects of a
 * dump (default ../shared/testdata/synthetic-small/irr.db), single-threaded.
 *
 *   rpsl_parse_bench [--strict] [--render] [--seconds N] [FILE]
 *
 * Prints objects/s per CPU second (robust on a shared machine) and per
 * wall-clock second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpsl/log.h"
#include "rpsl/rpsl.h"

struct text {
	char *s;
	size_t len;
};

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *shared = getenv("SHARED_DIR");
	char path[4096];
	const char *file = NULL;
	enum rpsl_mode mode = RPSL_NONSTRICT;
	bool render = false;
	double seconds = 2.0, t0, t, c0, cpu;
	struct rpsl_reader *r;
	struct text *texts = NULL;
	size_t n = 0, cap = 0, rounds = 0, parsed = 0, invalid = 0;
	const char *obj;
	size_t len;
	unsigned long line;
	char *err = NULL;

	log_init(argv[0]);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--strict") == 0)
			mode = RPSL_STRICT;
		else if (strcmp(argv[i], "--render") == 0)
			render = true;
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else
			file = argv[i];
	}
	if (file == NULL) {
		snprintf(path, sizeof(path), "%s/testdata/synthetic-small/irr.db", shared ? shared : "../shared");
		file = path;
	}
	if ((r = rpsl_reader_open(file, &err)) == NULL)
		fatalx("%s", err);
	while (rpsl_reader_next(r, &obj, &len, &line) == 1) {
		if (len < 7 || (strncmp(obj, "route:", 6) != 0 && strncmp(obj, "route6:", 7) != 0))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			texts = xrealloc(texts, cap * sizeof(*texts));
		}
		texts[n].s = xstrndup(obj, len);
		texts[n].len = len;
		n++;
	}
	rpsl_reader_close(r);
	if (n == 0)
		fatalx("%s: no route objects", file);

	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (size_t i = 0; i < n; i++) {
			struct rpsl_object *o = rpsl_parse(texts[i].s, texts[i].len, mode, NULL);
			if (!rpsl_object_valid(o))
				invalid++;
			if (render) {
				size_t rl;
				free(rpsl_render(o, &rl));
			}
			rpsl_object_free(o);
		}
		parsed += n;
		rounds++;
		t = now(CLOCK_MONOTONIC) - t0;
	} while (t < seconds);
	cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("rpsl_parse: %.0f objects/s per CPU second, %.0f per wall second (%s%s, %zu route objects, %zu rounds, "
	       "%zu invalid)\n", (double)parsed / cpu, (double)parsed / t, mode == RPSL_STRICT ? "strict" : "non-strict",
	       render ? " + render" : "", n, rounds, invalid / rounds);
	for (size_t i = 0; i < n; i++)
		free(texts[i].s);
	free(texts);
	return 0;
}
