/*
 * rtr_load.c - an RTR load generator for bench/rtr_bench.sh (standalone:
 * cc -O2 -o rtr_load bench/rtr_load.c). Speaks the router side of RTR
 * version 0/1 just far enough to time a cache.
 *
 *   rtr_load [-V VERSION] [-n CONNS] [-t SECONDS] HOST PORT
 *       CONNS connections at once, each sends a Reset Query and reads the
 *       answer to its End of Data. One JSON line: how many completed, the
 *       total time (first connect to last End of Data), per-connection
 *       times, prefixes and bytes received.
 *
 *   rtr_load -m notify [-V VERSION] [-t SECONDS] HOST PORT
 *       One session: full sync, then the line {"event":"synced",...};
 *       waits for a Serial Notify and prints {"event":"notify","t":EPOCH}
 *       (wall clock, so the caller can subtract the moment it started an
 *       import); then a Serial Query, and {"event":"delta",...} with the
 *       announcements and withdrawals of the answer.
 *
 * Exit status 0 when every connection got its End of Data, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { T_NOTIFY = 0, T_SERIAL_QUERY = 1, T_RESET_QUERY = 2, T_CACHE_RESPONSE = 3, T_V4 = 4,
	T_V6 = 6, T_EOD = 7, T_CACHE_RESET = 8, T_KEY = 9, T_ERROR = 10, T_ASPA = 11 };

struct conn {
	int fd;
	bool connected, done, failed;
	uint8_t hdr[32];		/* header and the fixed part we look at */
	size_t hlen;			/* bytes of hdr filled */
	uint32_t left;			/* bytes of the current PDU still to skip */
	uint8_t type;
	uint64_t bytes, announced, withdrawn;
	uint16_t session;
	uint32_t serial;
	double t_done;
	bool got_notify;
	char why[96];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: rtr_load [-m reset|notify] [-V 0|1] [-n CONNS] [-t SECONDS] HOST PORT\n");
	exit(2);
}

static int open_conn(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, rcv = 1 << 20;

	if (fd == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const uint8_t *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;	/* 8 or 12 bytes on a fresh socket: never for long */
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_reset(int fd, int version)
{
	uint8_t q[8] = { (uint8_t)version, T_RESET_QUERY, 0, 0, 0, 0, 0, 8 };

	return send_all(fd, q, sizeof(q));
}

static int send_serial(int fd, int version, uint16_t session, uint32_t serial)
{
	uint8_t q[12] = { (uint8_t)version, T_SERIAL_QUERY, (uint8_t)(session >> 8), (uint8_t)session,
			  0, 0, 0, 12, (uint8_t)(serial >> 24), (uint8_t)(serial >> 16),
			  (uint8_t)(serial >> 8), (uint8_t)serial };

	return send_all(fd, q, sizeof(q));
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* How much of a PDU of this type we want to see (header + flags). */
static size_t want_len(uint8_t type)
{
	switch (type) {
	case T_V4:
	case T_V6:
		return 9;		/* flags */
	case T_EOD:
	case T_NOTIFY:
		return 12;		/* serial */
	default:
		return 8;
	}
}

/* Feed bytes; returns the PDU type that completed something interesting
 * (T_EOD, T_NOTIFY, T_ERROR, T_CACHE_RESET) or -1. Stops after such a PDU
 * and reports in *used how much was consumed. */
static int feed(struct conn *c, const uint8_t *p, size_t n, size_t *used)
{
	size_t i = 0;

	while (i < n) {
		/* fast path: prefix PDUs read in place (almost all the bytes),
		 * so that the client costs less CPU than the server it times */
		while (c->left == 0 && c->hlen == 0 && n - i >= 9 &&
		       (p[i + 1] == T_V4 || p[i + 1] == T_V6)) {
			uint32_t len = be32(p + i + 4);

			if (len < 20 || len > 64)
				break;	/* the slow path reports it */
			if (p[i + 8] & 1)
				c->announced++;
			else
				c->withdrawn++;
			if (n - i >= len) {
				i += len;
			} else {
				c->left = len - (uint32_t)(n - i);
				i = n;
			}
		}
		if (i >= n)
			break;
		if (c->left > 0) {
			size_t k = n - i < c->left ? n - i : c->left;

			i += k;
			c->left -= (uint32_t)k;
			continue;
		}
		/* header (and the part we read) */
		{
			size_t need = c->hlen < 8 ? 8 : want_len(c->hdr[1]);
			uint32_t len;

			while (c->hlen < need && i < n)
				c->hdr[c->hlen++] = p[i++];
			if (c->hlen < 8)
				break;
			need = want_len(c->hdr[1]);
			if (c->hlen < need) {
				if (i < n)
					continue;
				break;
			}
			len = be32(c->hdr + 4);
			if (len < c->hlen || len > (1u << 20)) {
				snprintf(c->why, sizeof(c->why), "bad PDU length %u (type %u)", len, c->hdr[1]);
				c->failed = true;
				*used = n;
				return T_ERROR;
			}
			c->left = len - (uint32_t)c->hlen;
			c->type = c->hdr[1];
			c->hlen = 0;
			switch (c->type) {
			case T_V4:
			case T_V6:
				if (c->hdr[8] & 1)
					c->announced++;
				else
					c->withdrawn++;
				break;
			case T_CACHE_RESPONSE:
				c->session = (uint16_t)(c->hdr[2] << 8 | c->hdr[3]);
				break;
			case T_EOD:
				c->serial = be32(c->hdr + 8);
				c->session = (uint16_t)(c->hdr[2] << 8 | c->hdr[3]);
				/* skip the rest of the PDU first */
				{
					size_t k = n - i < c->left ? n - i : c->left;
					i += k;
					c->left -= (uint32_t)k;
				}
				*used = i;
				return T_EOD;
			case T_NOTIFY:
				c->got_notify = true;
				*used = i + c->left;	/* fits: 12-byte PDU already read */
				c->left = 0;
				return T_NOTIFY;
			case T_ERROR:
				snprintf(c->why, sizeof(c->why), "Error Report code %u",
					 (unsigned)(c->hdr[2] << 8 | c->hdr[3]));
				c->failed = true;
				*used = n;
				return T_ERROR;
			case T_CACHE_RESET:
				snprintf(c->why, sizeof(c->why), "Cache Reset");
				c->failed = true;
				*used = n;
				return T_CACHE_RESET;
			default:
				break;
			}
		}
	}
	*used = i;
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static long rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int run_reset(const struct addrinfo *ai, int version, int nconns, double timeout)
{
	struct conn *cs = calloc((size_t)nconns, sizeof(*cs));
	struct epoll_event ev, evs[256];
	static uint8_t buf[1 << 18];
	int ep = epoll_create1(EPOLL_CLOEXEC), done = 0, failed = 0, i;
	double t0 = now_s(), *times;
	uint64_t bytes = 0, vmin = UINT64_MAX, vmax = 0;

	if (cs == NULL || ep == -1) {
		perror("rtr_load");
		return 1;
	}
	for (i = 0; i < nconns; i++) {
		cs[i].fd = open_conn(ai);
		if (cs[i].fd == -1) {
			snprintf(cs[i].why, sizeof(cs[i].why), "connect: %s", strerror(errno));
			cs[i].failed = true;
			failed++;
			continue;
		}
		ev.events = EPOLLIN | EPOLLOUT;
		ev.data.u32 = (uint32_t)i;
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
	}
	while (done + failed < nconns && now_s() - t0 < timeout) {
		int n = epoll_wait(ep, evs, 256, 200);

		for (int k = 0; k < n; k++) {
			struct conn *c = &cs[evs[k].data.u32];

			if (c->done || c->failed)
				continue;
			if (!c->connected && (evs[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
				int err = 0;
				socklen_t el = sizeof(err);

				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err != 0 || send_reset(c->fd, version) == -1) {
					snprintf(c->why, sizeof(c->why), "connect: %s", strerror(err ? err : errno));
					c->failed = true;
					failed++;
					close(c->fd);
					continue;
				}
				c->connected = true;
				ev.events = EPOLLIN;
				ev.data.u32 = evs[k].data.u32;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				continue;
			}
			for (;;) {
				ssize_t r = read(c->fd, buf, sizeof(buf));
				size_t off = 0, used;
				int t = -1;

				if (r < 0 && errno == EAGAIN)
					break;
				if (r <= 0) {
					snprintf(c->why, sizeof(c->why), "%s before End of Data",
						 r == 0 ? "closed" : strerror(errno));
					c->failed = true;
					break;
				}
				c->bytes += (uint64_t)r;
				while (off < (size_t)r && !c->done && !c->failed) {
					t = feed(c, buf + off, (size_t)r - off, &used);
					off += used;
					if (t == T_EOD) {
						c->done = true;
						c->t_done = now_s() - t0;
					}
				}
				if (c->done || c->failed)
					break;
			}
			if (c->done || c->failed) {
				if (c->done)
					done++;
				else
					failed++;
				close(c->fd);
			}
		}
	}
	times = calloc((size_t)nconns, sizeof(*times));
	{
		int nt = 0;
		double total = 0;
		const char *why = NULL;

		for (i = 0; i < nconns; i++) {
			bytes += cs[i].bytes;
			if (cs[i].done) {
				times[nt++] = cs[i].t_done;
				if (cs[i].t_done > total)
					total = cs[i].t_done;
				if (cs[i].announced < vmin)
					vmin = cs[i].announced;
				if (cs[i].announced > vmax)
					vmax = cs[i].announced;
			} else {
				if (!cs[i].failed) {
					snprintf(cs[i].why, sizeof(cs[i].why), "timed out");
					close(cs[i].fd);
				}
				if (why == NULL)
					why = cs[i].why;
			}
		}
		qsort(times, (size_t)nt, sizeof(*times), cmp_double);
		printf("{\"mode\": \"reset\", \"connections\": %d, \"completed\": %d, \"failed\": %d, "
		       "\"total_s\": %.4f, \"first_s\": %.4f, \"p50_s\": %.4f, \"max_s\": %.4f, "
		       "\"vrps_min\": %llu, \"vrps_max\": %llu, \"bytes\": %llu, \"client_max_rss_kib\": %ld%s%s%s}\n",
		       nconns, nt, nconns - nt, total, nt ? times[0] : 0.0, nt ? times[nt / 2] : 0.0,
		       nt ? times[nt - 1] : 0.0, (unsigned long long)(nt ? vmin : 0), (unsigned long long)vmax,
		       (unsigned long long)bytes, rss_kib(), why ? ", \"first_error\": \"" : "",
		       why ? why : "", why ? "\"" : "");
		free(times);
		free(cs);
		close(ep);
		return nt == nconns ? 0 : 1;
	}
}

/* Read until one of the interesting PDU types arrives; -1 on error/timeout. */
static int wait_for(struct conn *c, double deadline)
{
	static uint8_t buf[1 << 18];
	static size_t have, pos;

	for (;;) {
		while (pos < have) {
			size_t used;
			int t = feed(c, buf + pos, have - pos, &used);

			pos += used;
			if (t >= 0)
				return t;
		}
		pos = have = 0;
		{
			fd_set rf;
			struct timeval tv;
			double left = deadline - now_s();
			ssize_t r;

			if (left <= 0) {
				snprintf(c->why, sizeof(c->why), "timed out");
				return -1;
			}
			FD_ZERO(&rf);
			FD_SET(c->fd, &rf);
			tv.tv_sec = (time_t)left;
			tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6);
			if (select(c->fd + 1, &rf, NULL, NULL, &tv) <= 0)
				continue;
			r = read(c->fd, buf, sizeof(buf));
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0) {
				snprintf(c->why, sizeof(c->why), "connection closed");
				return -1;
			}
			have = (size_t)r;
			c->bytes += (uint64_t)r;
		}
	}
}

static int run_notify(const struct addrinfo *ai, int version, double timeout)
{
	struct conn c;
	double t0, deadline;
	int fl, t;

	memset(&c, 0, sizeof(c));
	c.fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.fd == -1 || connect(c.fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		printf("{\"event\": \"error\", \"why\": \"connect: %s\"}\n", strerror(errno));
		return 1;
	}
	fl = fcntl(c.fd, F_GETFL);
	fcntl(c.fd, F_SETFL, fl | O_NONBLOCK);
	t0 = now_s();
	deadline = t0 + timeout;
	if (send_reset(c.fd, version) == -1)
		return 1;
	while ((t = wait_for(&c, deadline)) == T_NOTIFY)
		;
	if (t != T_EOD) {
		printf("{\"event\": \"error\", \"why\": \"%s\"}\n", c.why);
		return 1;
	}
	printf("{\"event\": \"synced\", \"session\": %u, \"serial\": %u, \"vrps\": %llu, \"sync_s\": %.4f}\n",
	       c.session, c.serial, (unsigned long long)c.announced, now_s() - t0);
	fflush(stdout);
	c.announced = c.withdrawn = 0;
	t = wait_for(&c, now_s() + timeout);
	if (t != T_NOTIFY) {
		printf("{\"event\": \"error\", \"why\": \"no Serial Notify: %s\"}\n", t < 0 ? c.why : "other PDU");
		return 1;
	}
	printf("{\"event\": \"notify\", \"t\": %.4f, \"serial\": %u}\n", wall_s(), be32(c.hdr + 8));
	fflush(stdout);
	t0 = now_s();
	if (send_serial(c.fd, version, c.session, c.serial) == -1)
		return 1;
	while ((t = wait_for(&c, now_s() + timeout)) == T_NOTIFY)
		;
	if (t != T_EOD) {
		printf("{\"event\": \"error\", \"why\": \"delta: %s\"}\n", c.why);
		return 1;
	}
	printf("{\"event\": \"delta\", \"serial\": %u, \"announced\": %llu, \"withdrawn\": %llu, \"delta_s\": %.4f}\n",
	       c.serial, (unsigned long long)c.announced, (unsigned long long)c.withdrawn, now_s() - t0);
	close(c.fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = "reset";
	int version = 1, nconns = 1, ch, rc;
	double timeout = 60;
	struct addrinfo hints, *ai;
	struct rlimit rl;

	while ((ch = getopt(argc, argv, "m:V:n:t:")) != -1) {
		switch (ch) {
		case 'm':
			mode = optarg;
			break;
		case 'V':
			version = atoi(optarg);
			break;
		case 'n':
			nconns = atoi(optarg);
			break;
		case 't':
			timeout = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind + 2 != argc || nconns < 1 || version < 0 || version > 1)
		usage();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai) != 0) {
		fprintf(stderr, "rtr_load: %s port %s: cannot resolve\n", argv[optind], argv[optind + 1]);
		return 2;
	}
	if (strcmp(mode, "reset") == 0)
		rc = run_reset(ai, version, nconns, timeout);
	else if (strcmp(mode, "notify") == 0)
		rc = run_notify(ai, version, timeout);
	else
		usage();
	freeaddrinfo(ai);
	return rc;
}
