/*
 * prog_irrd_submit_email.c - bin/irrd_submit_email: process one e-mail
 * with object changes, read from stdin (IRRd's irrd_submit_email), as the
 * mail server's delivery program for the submission address:
 *
 *   irrd_submit_email --config F < message
 *
 * Changes are checked and applied (mail/submit.c), the sender gets a
 * report and maintainers their notifications over SMTP (email.smtp);
 * mail the SMTP server does not take stays in the spool and goes out
 * with the next run.
 *
 * Exit status (sysexits, for the MTA): 0 the message was handled, even
 * if every change in it was refused; 65 (EX_DATAERR) it cannot be
 * handled at all (no From address to answer); 75 (EX_TEMPFAIL) the
 * database is down or failed, or email.from / email.smtp are not set:
 * nothing was changed or answered, so the MTA should keep the message and
 * retry; 1 bad usage or an unreadable configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "irrd/cli.h"
#include "irrd/irrd.h"
#include "mail/mail.h"
#include "rpsl/log.h"
#include "sql/sql.h"

#define EXIT_DATAERR 65
#define EXIT_TEMPFAIL 75

static void usage(FILE *f)
{
	fprintf(f, "usage: irrd_submit_email [--config FILE] < MESSAGE\n"
		   "  --config FILE  the YAML configuration (default " CFG_PATH_DEFAULT ")\n"
		   "Processes one RFC 822 e-mail with object changes from stdin, applies the\n"
		   "valid ones, replies to the sender and notifies maintainers by SMTP.\n"
		   "Exit status: 0 handled, 65 no sender to answer, 75 database unavailable or\n"
		   "email settings missing (retry later), 1 usage or configuration error.\n");
}

/* Read stdin: at most cap bytes are kept, the rest is read and dropped
 * (so the MTA's pipe never breaks); *total is the full size. */
static char *read_stdin(size_t cap, size_t *len, size_t *total, char **err)
{
	size_t size = 65536, n = 0, all = 0;
	char *buf = xmalloc(size + 1);
	char scratch[65536];

	for (;;) {
		ssize_t r;

		if (n < cap) {
			if (n == size) {
				size = size * 2 > cap ? cap : size * 2;
				buf = xrealloc(buf, size + 1);
			}
			r = read(STDIN_FILENO, buf + n, size - n);
		} else
			r = read(STDIN_FILENO, scratch, sizeof(scratch));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			*err = xasprintf("stdin: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		if (n < cap)
			n += (size_t)r;
		all += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	*total = all;
	return buf;
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	struct cfg *cfg;
	struct sql_conn *c;
	struct mail_outcome out;
	char *buf, *err = NULL;
	size_t len, total;
	int rc;

	log_init(argv[0]);
	if ((rc = cli_config_only(argc, argv, usage, &config, NULL)) >= 0)
		return rc;
	cfg = cfg_load_or_exit(config);
	if (cfg->log_level != NULL) {
		int lvl = log_level_parse(cfg->log_level);

		if (lvl >= 0)
			log_set_level((enum log_level)lvl);
	}
	if (cfg->log_logfile_path != NULL && log_open(cfg->log_logfile_path, 0) < 0)
		fprintf(stderr, "%s: log.logfile_path: %s: cannot open, logging to stderr\n", log_progname(),
			cfg->log_logfile_path);

	/* required for this program, as in IRRd; the MTA keeps the message
	 * until the configuration is fixed */
	if (cfg->email_from == NULL || cfg->email_smtp == NULL) {
		log_errx("%s: required setting is missing (replies go by mail); message not processed",
			 cfg->email_from == NULL ? "email.from" : "email.smtp");
		cfg_free(cfg);
		return EXIT_TEMPFAIL;
	}

	/* one byte more than the limit tells the parser it was exceeded */
	buf = read_stdin((size_t)MAIL_MAX_SIZE + 1, &len, &total, &err);
	if (buf == NULL) {
		log_errx("%s", err);
		free(err);
		cfg_free(cfg);
		return EXIT_TEMPFAIL;
	}
	if (total > len)
		log_warnx("message: %zu bytes, larger than the limit of %u bytes", total, MAIL_MAX_SIZE);

	c = sql_connect(cfg->database_url, &err);
	if (c == NULL || sql_schema_check(c, &err) < 0) {
		log_errx("%s; message not processed (the mail server should retry)", err);
		free(err);
		sql_close(c);
		free(buf);
		cfg_free(cfg);
		return EXIT_TEMPFAIL;
	}
	rc = mail_submit(cfg, c, IRRD_VERSION, buf, len, &out, &err);
	if (rc == 0)
		log_info("message handled: %d objects, %d saved, %d failed; %d mails queued, %d not sent yet",
			 out.nobjects, out.nsaved, out.nfailed, out.nmails, out.nunsent < 0 ? 0 : out.nunsent);
	free(err);
	sql_close(c);
	free(buf);
	cfg_free(cfg);
	return rc == 0 ? 0 : rc == 1 ? EXIT_DATAERR : EXIT_TEMPFAIL;
}
