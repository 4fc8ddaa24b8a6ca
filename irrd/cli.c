/* cli.c - see cli.h. */
#include "irrd/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"

bool cli_next_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc)
		return false;
	*out = argv[++*i];
	return true;
}

bool cli_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	size_t n = strlen(name);

	if (cli_next_value(argc, argv, i, name, out))
		return true;
	if (strncmp(argv[*i], name, n) != 0 || argv[*i][n] != '=')
		return false;
	*out = argv[*i] + n + 1;
	return true;
}

bool cli_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int cli_unknown(const char *arg, void (*usage)(FILE *))
{
	fprintf(stderr, "%s: %s: unknown argument\n", log_progname(), arg);
	usage(stderr);
	return 1;
}

int cli_config_only(int argc, char **argv, void (*usage)(FILE *), const char **config, const char **arg)
{
	for (int i = 1; i < argc; i++) {
		if (cli_value(argc, argv, &i, "--config", config))
			continue;
		if (cli_help(argv[i])) {
			usage(stdout);
			return 0;
		}
		if (arg != NULL && *arg == NULL && argv[i][0] != '-')
			*arg = argv[i];
		else
			return cli_unknown(argv[i], usage);
	}
	return -1;
}

int cli_number(const char *opt, const char *s, long long min, long long *out)
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
