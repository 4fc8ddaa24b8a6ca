/*
 * val_rsync.c - fetch with the rsync program (fork/exec), as rpki-client
 * does: only RPKI file types, files over a size limit skipped, deletions
 * mirrored, the whole run killed (its process group) after a time limit.
 * A module's whole copy is bounded too (bytes and files, rsync's partial
 * files included): while rsync runs, the copy is measured every so often
 * (at most about a tenth of the time, by the cost of the last walk) and,
 * over a limit, rsync is killed and the copy removed, so a repository
 * cannot fill the disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct limits {
	const char *dir;		/* NULL: no total limit */
	size_t max_bytes, max_files;
	bool exceeded;
	uint64_t bytes, files;
};

static bool over(struct limits *l)
{
	val_tree_size(l->dir, &l->bytes, &l->files);
	if ((l->max_bytes > 0 && l->bytes > l->max_bytes) || (l->max_files > 0 && l->files > l->max_files))
		l->exceeded = true;
	return l->exceeded;
}

/* Wait for pid until deadline (or until the copy in l->dir is over its
 * limits); then TERM, then KILL its process group. */
static int wait_child(pid_t pid, double deadline, int *status, bool *timed_out, struct limits *l)
{
	struct timespec nap = { 0, 5 * 1000 * 1000 };
	bool termed = false;
	double kill_at = 0, next_walk = mono() + 0.05;

	*timed_out = false;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		double now = mono();
		if (!termed && l->dir != NULL && now >= next_walk) {
			if (over(l)) {
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				termed = true;
				kill_at = now + 3600;
			}
			double cost = mono() - now;
			next_walk = mono() + (cost * 10 > 0.1 ? cost * 10 : 0.1);
		}
		if (!termed && now > deadline) {
			kill(-pid, SIGTERM);
			kill(pid, SIGTERM);
			termed = true;
			*timed_out = true;
			kill_at = now + 3;
		} else if (termed && now > kill_at) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			kill_at = now + 3600;
		}
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < (l->dir != NULL ? 40 : 100) * 1000 * 1000)
			nap.tv_nsec *= 2;
	}
}

int val_rsync_fetch(const char *prog, const char *uri, const char *dest, bool dir, long timeout,
		    size_t max_file, size_t max_bytes, size_t max_files)
{
	struct limits lim = { .dir = dir && (max_bytes > 0 || max_files > 0) ? dest : NULL,
			      .max_bytes = max_bytes, .max_files = max_files };
	char maxsize[64], io_timeout[64];
	const char *argv[32];
	int n = 0, status = 0;
	bool timed_out;
	char *parent;
	pid_t pid;

	if (val_uri_check(uri, VAL_URI_RSYNC) == NULL) {
		val_warnx("%s: not an acceptable rsync URI", uri);
		return -1;
	}
	parent = dir ? xstrdup(dest) : xstrndup(dest, (size_t)(strrchr(dest, '/') - dest));
	if (val_mkdirs(parent) < 0) {
		val_warnx("%s: cannot create directory: %s", parent, strerror(errno));
		free(parent);
		return -1;
	}
	free(parent);
	snprintf(maxsize, sizeof(maxsize), "--max-size=%zu", max_file);
	snprintf(io_timeout, sizeof(io_timeout), "--timeout=%ld", timeout > 0 && timeout < 180 ? timeout : 180);
	argv[n++] = prog;
	argv[n++] = "-rt";
	/* compare mtimes to the nanosecond: a publication server that rewrites
	 * a same-size file (a CRL) within the second it was fetched would
	 * otherwise pass rsync's quick check and never reach the cache
	 * (rsync >= 3.1.3 as receiver) */
	argv[n++] = "--modify-window=-1";
	argv[n++] = "--no-motd";
	argv[n++] = maxsize;
	argv[n++] = "--contimeout=15";
	argv[n++] = io_timeout;
	if (dir) {
		argv[n++] = "--delete";
		argv[n++] = "--include=*/";
		argv[n++] = "--include=*.cer";
		argv[n++] = "--include=*.crl";
		argv[n++] = "--include=*.gbr";
		argv[n++] = "--include=*.mft";
		argv[n++] = "--include=*.roa";
		argv[n++] = "--include=*.asa";
		argv[n++] = "--include=*.tak";
		argv[n++] = "--exclude=*";
	}
	argv[n++] = "--";
	argv[n++] = uri;
	argv[n++] = dest;
	argv[n] = NULL;

	val_debug("%s: rsync to %s", uri, dest);
	pid = fork();
	if (pid < 0) {
		val_warnx("%s: fork: %s", uri, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		setpgid(0, 0);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		execvp(prog, (char *const *)argv);
		_exit(127);
	}
	setpgid(pid, pid);
	if (wait_child(pid, mono() + (timeout > 0 ? (double)timeout : 300.0), &status, &timed_out, &lim) < 0) {
		val_warnx("%s: waitpid: %s", uri, strerror(errno));
		return -1;
	}
	/* what came after the last measurement */
	if (lim.dir != NULL && !lim.exceeded && !timed_out)
		(void)over(&lim);
	if (lim.exceeded) {
		val_warnx("%s: repository over its limit (%zu bytes, %zu files; reached %llu bytes, %llu files): "
			  "transfer stopped, its copy removed", uri, max_bytes, max_files,
			  (unsigned long long)lim.bytes, (unsigned long long)lim.files);
		if (val_rmtree(dest) < 0)
			val_warnx("%s: cannot remove %s: %s", uri, dest, strerror(errno));
		return -1;
	}
	if (timed_out) {
		val_warnx("%s: rsync killed after the time limit of %ld s", uri, timeout);
		return -1;
	}
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 24))
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		val_warnx("%s: could not run %s", uri, prog);
	else if (WIFEXITED(status))
		val_warnx("%s: rsync exited with status %d", uri, WEXITSTATUS(status));
	else
		val_warnx("%s: rsync killed by signal %d", uri, WTERMSIG(status));
	return -1;
}
