/*
 * spool.c - mail that the SMTP server has not taken yet. Every outgoing
 * message is first written to the spool directory (one file, fsynced and
 * renamed into place), then sent; a sent message's file is deleted. So an
 * SMTP server that is down loses nothing: the next run of
 * irrd_submit_email (or anyone calling mail_spool_flush) sends it.
 *
 * A spool file:
 *	IRRD-MAIL-SPOOL 1\n
 *	FROM <envelope sender>\n
 *	TO <recipient>\n		(one or more)
 *	\n
 *	<the RFC 5322 message, CRLF line ends>
 * Names sort by creation time: SECONDS.MICROSECONDS.PID.SEQ.msg. A sender
 * claims a file by renaming it to NAME.sending.PID, so concurrent flushes
 * never send one message twice; a claim whose process is gone is released.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "mail/mail.h"
#include "mail/mail_int.h"
#include "rpsl/log.h"

#define SPOOL_MAGIC "IRRD-MAIL-SPOOL 1\n"
#define SPOOL_MAX (64u << 20)

char *mail_spool_dir(const struct cfg *cfg)
{
	if (cfg != NULL && cfg->piddir != NULL && cfg->piddir[0] != '\0')
		return xasprintf("%s/mail-spool", cfg->piddir);
	return xstrdup("/var/tmp/irrd-mail-spool");
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static bool envelope_ok(const char *s)
{
	return s != NULL && *s != '\0' && strpbrk(s, "\r\n") == NULL;
}

int mail_queue(const char *dir, const char *from, const char *const *to, size_t nto,
	       const char *subject, const char *body, char **id_out, char **err)
{
	static unsigned seq;
	struct mail_buf b = { 0 };
	struct timeval tv;
	char *name = NULL, *tmp = NULL, *final = NULL, *data;
	size_t len;
	int fd = -1, rc = -1;

	*err = NULL;
	if (id_out != NULL)
		*id_out = NULL;
	if (!envelope_ok(from)) {
		*err = xstrdup("email.from: no sender address");
		return -1;
	}
	for (size_t i = 0; i < nto; i++) {
		if (!envelope_ok(to[i])) {
			*err = xasprintf("recipient %zu: not an address", i);
			return -1;
		}
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		*err = xasprintf("%s: cannot create: %s", dir, strerror(errno));
		return -1;
	}
	mail_buf_puts(&b, SPOOL_MAGIC);
	mail_buf_printf(&b, "FROM %s\n", from);
	for (size_t i = 0; i < nto; i++)
		mail_buf_printf(&b, "TO %s\n", to[i]);
	mail_buf_add(&b, "\n", 1);
	data = mail_compose(from, to, nto, subject, body, &len);
	mail_buf_add(&b, data, len);
	free(data);

	gettimeofday(&tv, NULL);
	name = xasprintf("%012lld.%06ld.%010ld.%06u.msg", (long long)tv.tv_sec, (long)tv.tv_usec,
			 (long)getpid(), ++seq % 1000000u);
	tmp = xasprintf("%s/.tmp-%s", dir, name);
	final = xasprintf("%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		*err = xasprintf("%s: cannot create: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, b.s, b.len) < 0 || fsync(fd) < 0) {
		*err = xasprintf("%s: cannot write: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		*err = xasprintf("%s: cannot write: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, final) < 0) {
		*err = xasprintf("%s: cannot rename: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	{
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	if (id_out != NULL) {
		*id_out = name;
		name = NULL;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(b.s);
	free(name);
	free(tmp);
	free(final);
	return rc;
}

static int name_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t n = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size < 0 || (size_t)st.st_size > SPOOL_MAX) {
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Send one spool file. 0 sent, -1 not sent (*err), -2 the file is broken. */
static int send_file(const char *path, const char *server, char **err)
{
	size_t len;
	char *buf = read_file(path, &len), *p, *e;
	char *from = NULL, **to = NULL;
	size_t nto = 0;
	int rc = -2;

	*err = NULL;
	if (buf == NULL) {
		*err = xasprintf("%s: cannot read: %s", path, strerror(errno));
		return -2;
	}
	if (strncmp(buf, SPOOL_MAGIC, strlen(SPOOL_MAGIC)) != 0) {
		*err = xasprintf("%s: not a spool file", path);
		goto out;
	}
	p = buf + strlen(SPOOL_MAGIC);
	e = buf + len;
	while (p < e && *p != '\n') {
		char *nl = memchr(p, '\n', (size_t)(e - p));

		if (nl == NULL)
			break;
		*nl = '\0';
		if (strncmp(p, "FROM ", 5) == 0 && from == NULL)
			from = p + 5;
		else if (strncmp(p, "TO ", 3) == 0) {
			to = xrealloc(to, (nto + 1) * sizeof(*to));
			to[nto++] = p + 3;
		}
		p = nl + 1;
	}
	if (p >= e || *p != '\n' || from == NULL || nto == 0) {
		*err = xasprintf("%s: broken spool file", path);
		goto out;
	}
	p++;
	rc = mail_transfer(server, from, (const char *const *)to, nto, p, (size_t)(e - p), err);
out:
	free(to);
	free(buf);
	return rc;
}

/* Release claims of processes that no longer exist. */
static void reclaim(const char *dir, const char *name)
{
	const char *s = strstr(name, ".msg.sending.");
	long pid;
	char *end;

	if (s == NULL)
		return;
	pid = strtol(s + 13, &end, 10);
	if (*end != '\0' || pid <= 0 || pid == (long)getpid())
		return;
	if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return;
	{
		char *from = xasprintf("%s/%s", dir, name);
		char *to = xasprintf("%s/%.*s", dir, (int)(s + 4 - name), name);

		if (rename(from, to) == 0)
			log_info("%s: released the claim of process %ld", to, pid);
		free(from);
		free(to);
	}
}

int mail_spool_flush(const char *dir, const char *server, int *left, char **err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int sent = 0, waiting = 0;
	bool stop = false;

	if (left != NULL)
		*left = 0;
	if (err != NULL)
		*err = NULL;
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		if (err != NULL)
			*err = xasprintf("%s: cannot read: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		if (strstr(de->d_name, ".msg.sending.") != NULL) {
			reclaim(dir, de->d_name);
			continue;
		}
		if (l > 4 && strcmp(de->d_name + l - 4, ".msg") == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	/* a released claim was renamed after readdir saw it: the next flush */
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *path, *claim, *e = NULL;
		int r;

		if (stop) {
			waiting++;
			continue;
		}
		path = xasprintf("%s/%s", dir, names[i]);
		claim = xasprintf("%s.sending.%ld", path, (long)getpid());
		if (rename(path, claim) < 0) {
			/* someone else is sending it */
			free(path);
			free(claim);
			continue;
		}
		r = send_file(claim, server, &e);
		if (r == 0) {
			unlink(claim);
			sent++;
		} else if (r == -2) {
			/* keep it out of the way, for a human to look at */
			char *bad = xasprintf("%s.broken", path);

			log_errx("%s; moved to %s", e, bad);
			(void)rename(claim, bad);
			free(bad);
		} else {
			(void)rename(claim, path);
			waiting++;
			stop = true;
			if (err != NULL && *err == NULL) {
				*err = e;
				e = NULL;
			}
		}
		free(e);
		free(path);
		free(claim);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (left != NULL)
		*left = waiting;
	return sent;
}

/* ---------------------------------------------------------------- IRRd's send_email */

char *mail_irrd_body(const struct cfg *cfg, const char *version, const char *body)
{
	char host[256];

	if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	return xasprintf("%s\n%s\n\nGenerated by IRRd version %s on %s", body,
			 cfg->email_footer ? cfg->email_footer : "", version ? version : "unknown", host);
}

int mail_queue_irrd(const struct cfg *cfg, const char *dir, const char *version, const char *to,
		    const char *subject, const char *body)
{
	const char *rcpt = cfg->email_recipient_override ? cfg->email_recipient_override : to;
	char *full, *err = NULL, *id = NULL;
	int rc;

	if (cfg->email_from == NULL) {
		log_errx("email.from: not set; cannot send \"%s\" to %s", subject, rcpt);
		return -1;
	}
	full = mail_irrd_body(cfg, version, body);
	rc = mail_queue(dir, cfg->email_from, &rcpt, 1, subject, full, &id, &err);
	if (rc < 0)
		log_errx("mail to %s, subject \"%s\": cannot spool: %s", rcpt, subject, err);
	else
		log_debug("mail to %s, subject \"%s\": spooled as %s/%s", rcpt, subject, dir, id);
	free(err);
	free(id);
	free(full);
	return rc;
}

int mail_flush_logged(const struct cfg *cfg, const char *dir)
{
	char *err = NULL;
	int left = 0, sent = mail_spool_flush(dir, cfg->email_smtp, &left, &err);

	if (sent < 0)
		log_errx("mail spool: %s", err);
	else if (left > 0)
		log_errx("mail spool %s: %d message%s not sent, kept for the next run: %s", dir, left,
			 left == 1 ? "" : "s", err ? err : "unknown error");
	free(err);
	return sent < 0 ? -1 : left;
}

int mail_deliver(const struct cfg *cfg, const char *version, const char *to,
		 const char *subject, const char *body)
{
	char *dir = mail_spool_dir(cfg);
	int rc = mail_queue_irrd(cfg, dir, version, to, subject, body);

	if (rc == 0)
		(void)mail_flush_logged(cfg, dir);
	free(dir);
	return rc;
}
