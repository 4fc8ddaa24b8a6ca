/*
 * prog_irrd_rpsl_check.c - the RPSL parser's one-file CLI mode (cf.
 * rpki-client -f): reads objects from files or stdin, parses each as IRRd
 * would and prints its class, primary key, source, errors and infos, and
 * optionally the text as IRRd stores it.
 *
 *   irrd_rpsl_check [--config FILE] [--strict] [--default-source SRC]
 *                   [--render] [--errors-only] [--single] [FILE...]
 *
 * Input is split into objects as a dump is (rpsl_reader); with --single
 * each file is one object, passed to the parser as it is.
 *
 * Output per object:
 *   FILE:LINE: CLASS PK source SOURCE: valid|invalid
 *   ERROR: text        (IRRd's messages)
 *   INFO: text
 *   (with --render) the rendered object and a blank line
 * Exit status: 0 if every object is valid, 1 otherwise.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "rpsl/log.h"
#include "rpsl/rpsl.h"

struct opts {
	enum rpsl_mode mode;
	const char *default_source;
	bool render, errors_only, single;
	struct rpsl_options ropts;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [--config FILE] [--strict] [--default-source SRC] [--render] [--errors-only] [--single]\n"
		"       [FILE...]\n"
		"  Parse RPSL objects (non-strict unless --strict) and report as IRRd 4.5 would.\n"
		"  Reads standard input without FILE or for \"-\".\n", log_progname());
}

static void check_one(const char *text, size_t len, unsigned long line, const char *name, const struct opts *o,
		      unsigned long *nobj, unsigned long *nbad)
{
	struct rpsl_object *obj = rpsl_parse_ex(text, len, o->mode, o->default_source, &o->ropts);
	bool valid = rpsl_object_valid(obj);

	(*nobj)++;
	if (!valid)
		(*nbad)++;
	if (!o->errors_only || !valid) {
		printf("%s:%lu: %s %s source %s: %s\n", name, line,
		       obj->cls == RPSL_CLASS_UNKNOWN ? "(unknown)" : rpsl_class_name(obj->cls),
		       obj->pk[0] ? obj->pk : "-", obj->source ? obj->source : "-", valid ? "valid" : "invalid");
		for (size_t i = 0; i < obj->msgs.nerrors; i++)
			printf("ERROR: %s\n", obj->msgs.errors[i]);
		if (!o->errors_only)
			for (size_t i = 0; i < obj->msgs.ninfos; i++)
				printf("INFO: %s\n", obj->msgs.infos[i]);
		if (o->render && obj->cls != RPSL_CLASS_UNKNOWN) {
			size_t rl;
			char *txt = rpsl_render(obj, &rl);
			fwrite(txt, 1, rl, stdout);
			putchar('\n');
			free(txt);
		}
	}
	rpsl_object_free(obj);
}

static int check_reader(struct rpsl_reader *r, const char *name, const struct opts *o, unsigned long *nobj,
			unsigned long *nbad)
{
	const char *text;
	size_t len;
	unsigned long line;
	int rc;

	while ((rc = rpsl_reader_next(r, &text, &len, &line)) == 1)
		check_one(text, len, line, name, o, nobj, nbad);
	if (rc < 0) {
		log_warnx("%s", rpsl_reader_error(r));
		return -1;
	}
	return 0;
}

static char *slurp_stdin(size_t *len)
{
	size_t cap = 65536, n = 0, k;
	char *buf = xmalloc(cap);

	while ((k = fread(buf + n, 1, cap - n, stdin)) > 0) {
		n += k;
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "strict", no_argument, NULL, 's' },
		{ "default-source", required_argument, NULL, 'd' },
		{ "render", no_argument, NULL, 'r' },
		{ "errors-only", no_argument, NULL, 'e' },
		{ "single", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .mode = RPSL_NONSTRICT, .ropts = rpsl_options_default };
	const char *config = NULL;
	unsigned long nobj = 0, nbad = 0;
	int ch, failed = 0;

	log_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "c:sd:re1h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 's':
			o.mode = RPSL_STRICT;
			break;
		case 'd':
			o.default_source = optarg;
			break;
		case 'r':
			o.render = true;
			break;
		case 'e':
			o.errors_only = true;
			break;
		case '1':
			o.single = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (config != NULL) {
		struct cfg *cfg = cfg_load_or_exit(config);

		o.ropts.hashers[RPSL_HASHER_CRYPT_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_CRYPT];
		o.ropts.hashers[RPSL_HASHER_MD5_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_MD5];
		o.ropts.hashers[RPSL_HASHER_BCRYPT_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_BCRYPT];
		cfg_free(cfg);
	}
	int nfiles = argc - optind;

	for (int i = 0; i < (nfiles > 0 ? nfiles : 1); i++) {
		const char *path = nfiles > 0 ? argv[optind + i] : "-";
		struct rpsl_reader *r;
		char *buf = NULL, *err = NULL;

		if (o.single) {
			size_t len;
			FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

			if (f == NULL) {
				log_warn("%s", path);
				failed = 1;
				continue;
			}
			if (f == stdin) {
				buf = slurp_stdin(&len);
			} else {
				fseek(f, 0, SEEK_END);
				len = (size_t)ftell(f);
				fseek(f, 0, SEEK_SET);
				buf = xmalloc(len + 1);
				if (fread(buf, 1, len, f) != len) {
					log_warn("%s", path);
					failed = 1;
				}
				fclose(f);
			}
			check_one(buf, len, 1, strcmp(path, "-") == 0 ? "stdin" : path, &o, &nobj, &nbad);
			free(buf);
			continue;
		}
		if (strcmp(path, "-") == 0) {
			size_t len;
			buf = slurp_stdin(&len);
			r = rpsl_reader_mem(buf, len, "stdin");
			path = "stdin";
		} else if ((r = rpsl_reader_open(path, &err)) == NULL) {
			log_warnx("%s", err);
			free(err);
			failed = 1;
			continue;
		}
		if (check_reader(r, path, &o, &nobj, &nbad) < 0)
			failed = 1;
		rpsl_reader_close(r);
		free(buf);
	}
	fprintf(stderr, "%s: %lu objects, %lu valid, %lu invalid\n", log_progname(), nobj, nobj - nbad, nbad);
	return (failed || nbad) ? 1 : 0;
}
