/*
 * nofile.c - the descriptor limit the whois server needs.
 *
 * Each whois connection holds a descriptor for as long as it is open (and
 * for up to two seconds of lingering after the answer), next to the
 * listeners, the database connections, the RTR and HTTP sessions and the
 * log. Init systems and shells commonly start daemons with a soft
 * RLIMIT_NOFILE of 1024 while allowing a hard limit far above it; with
 * max_connections 1000 that soft limit would run out first and accept()
 * would fail with EMFILE. An operator who sets max_connections expects it
 * to work, so at start the soft limit goes up to the hard one. A hard
 * limit that is still too low is logged with what to change.
 */
#include "irrd/nofile.h"

#include <sys/resource.h>

#include "conf/conf.h"
#include "rpsl/log.h"

/* Descriptors besides the whois connections: listeners, database,
 * RTR and HTTP sessions, log, pid file, connections lingering or being
 * refused. */
#define NOFILE_RESERVE	128

static unsigned long long lim(rlim_t r)
{
	return r == RLIM_INFINITY ? ~0ULL : (unsigned long long)r;
}

long long irrd_nofile_raise(const struct cfg *cfg)
{
	struct rlimit rl;
	unsigned long long want, was;
	int maxc = cfg->whois.max_connections > 0 ? cfg->whois.max_connections : 50;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("RLIMIT_NOFILE: getrlimit");
		return -1;
	}
	want = (unsigned long long)maxc + NOFILE_RESERVE;
	was = lim(rl.rlim_cur);
	if (rl.rlim_cur != rl.rlim_max) {
		struct rlimit nrl = { rl.rlim_max, rl.rlim_max };

		/* An unlimited hard limit is capped by the kernel (fs.nr_open):
		 * then ask for what max_connections needs. */
		if (setrlimit(RLIMIT_NOFILE, &nrl) == -1 && rl.rlim_max == RLIM_INFINITY && want > was) {
			nrl.rlim_cur = (rlim_t)want;
			if (setrlimit(RLIMIT_NOFILE, &nrl) == -1)
				log_warn("RLIMIT_NOFILE: cannot raise the soft limit from %llu", was);
		}
		if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
			log_warn("RLIMIT_NOFILE: getrlimit");
			return -1;
		}
		if (lim(rl.rlim_cur) != was)
			log_info("RLIMIT_NOFILE: soft limit raised from %llu to %llu descriptors", was,
				 lim(rl.rlim_cur));
	}
	if (lim(rl.rlim_cur) < want)
		log_warnx("server.whois.max_connections: %d connections need about %llu descriptors, but "
			  "RLIMIT_NOFILE allows %llu; raise the hard limit (ulimit -Hn, systemd LimitNOFILE=) "
			  "or lower max_connections", maxc, want, lim(rl.rlim_cur));
	return rl.rlim_cur == RLIM_INFINITY ? (long long)(~0ULL >> 1) : (long long)rl.rlim_cur;
}
