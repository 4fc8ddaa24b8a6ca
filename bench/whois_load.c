/*
 * whois_load.c - a whois load generator for bench/whois_bench.sh.
 *
 *   whois_load [-H host] -p port [-c conns] [-d seconds] [-n queries] -f file
 *
 * Opens `conns` keepalive connections ("!!" first), then on each keeps one
 * query outstanding at a time, taking queries round-robin from `file` (one
 * a line), until `seconds` passed or `queries` were answered. Answers are
 * parsed by their framing (A<n>/C/D/F, or RIPE style up to the blank line
 * pair), so a short or malformed answer is an error, not a silent success.
 * Prints one line:
 *   queries N errors N seconds S qps Q p50_ms A p90_ms B p99_ms C max_ms D bytes N
 * Single-threaded, epoll; exits 1 if nothing could be answered.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct lconn {
	int fd;
	char *buf;
	size_t len, cap;
	size_t q;		/* index of the query outstanding */
	double t0;
	int busy;
};

static char **queries;
static size_t nqueries, next_query;
static double *lat;
static size_t nlat, caplat;
static uint64_t errors, bytes_in;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *msg)
{
	perror(msg);
	exit(1);
}

static void load_queries(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
		die(path);
	while ((n = getline(&line, &cap, f)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		queries = realloc(queries, (nqueries + 1) * sizeof(*queries));
		queries[nqueries++] = strdup(line);
	}
	free(line);
	fclose(f);
	if (nqueries == 0) {
		fprintf(stderr, "whois_load: %s: no queries\n", path);
		exit(1);
	}
}

/* Length of one complete answer at the start of buf, 0 if incomplete. */
static size_t answer_len(const char *b, size_t len, int *bad)
{
	const char *nl;

	*bad = 0;
	if (len == 0)
		return 0;
	switch (b[0]) {
	case 'A': {
		size_t hdr, n;
		nl = memchr(b, '\n', len);
		if (nl == NULL)
			return 0;
		hdr = (size_t)(nl - b) + 1;
		n = strtoul(b + 1, NULL, 10);
		if (len < hdr + n + 2)
			return 0;
		if (memcmp(b + hdr + n, "C\n", 2) != 0)
			*bad = 1;
		return hdr + n + 2;
	}
	case 'C':
	case 'D':
		return len >= 2 ? 2 : 0;
	case 'F':
		nl = memchr(b, '\n', len);
		*bad = 1;
		return nl ? (size_t)(nl - b) + 1 : 0;
	default:
		nl = memmem(b, len, "\n\n\n", 3);
		return nl ? (size_t)(nl - b) + 3 : 0;
	}
}

static int send_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_query(struct lconn *c)
{
	char line[4096];
	int n;

	c->q = next_query++ % nqueries;
	n = snprintf(line, sizeof(line), "%s\n", queries[c->q]);
	c->t0 = now();
	c->busy = 1;
	return send_all(c->fd, line, (size_t)n);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double p)
{
	size_t i;

	if (nlat == 0)
		return 0;
	i = (size_t)(p * (double)(nlat - 1) + 0.5);
	return lat[i] * 1000.0;
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *port = NULL, *file = NULL;
	int nconns = 1, ch, ep;
	double duration = 10, start, end;
	uint64_t maxq = 0, done = 0, inflight = 0;
	struct lconn *conns;
	struct addrinfo hints, *ai;

	while ((ch = getopt(argc, argv, "H:p:c:d:n:f:")) != -1) {
		switch (ch) {
		case 'H': host = optarg; break;
		case 'p': port = optarg; break;
		case 'c': nconns = atoi(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'n': maxq = strtoull(optarg, NULL, 10); break;
		case 'f': file = optarg; break;
		default:
			fprintf(stderr, "usage: whois_load [-H host] -p port [-c conns] [-d seconds] [-n queries] -f file\n");
			return 2;
		}
	}
	if (port == NULL || file == NULL || nconns < 1) {
		fprintf(stderr, "usage: whois_load [-H host] -p port [-c conns] [-d seconds] [-n queries] -f file\n");
		return 2;
	}
	load_queries(file);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		fprintf(stderr, "whois_load: %s:%s: cannot resolve\n", host, port);
		return 1;
	}
	ep = epoll_create1(0);
	conns = calloc((size_t)nconns, sizeof(*conns));
	for (int i = 0; i < nconns; i++) {
		struct epoll_event ev;
		int one = 1;
		struct lconn *c = &conns[i];

		c->fd = socket(ai->ai_family, SOCK_STREAM, 0);
		if (c->fd < 0 || connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0)
			die("connect");
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->cap = 1 << 16;
		c->buf = malloc(c->cap);
		if (send_all(c->fd, "!!\n", 3) < 0)
			die("send");
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	}
	freeaddrinfo(ai);

	start = now();
	end = start + duration;
	for (int i = 0; i < nconns && (maxq == 0 || inflight < maxq); i++) {
		if (send_query(&conns[i]) < 0)
			die("send");
		inflight++;
	}
	while (inflight > 0 && now() < end + 30) {
		struct epoll_event evs[256];
		int n = epoll_wait(ep, evs, 256, 100);

		for (int k = 0; k < n; k++) {
			struct lconn *c = evs[k].data.ptr;
			ssize_t r;
			size_t alen;
			int bad;

			if (c->cap - c->len < 65536) {
				c->cap *= 2;
				c->buf = realloc(c->buf, c->cap);
			}
			r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
			if (r <= 0) {
				fprintf(stderr, "whois_load: connection closed by the server\n");
				errors++;
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				if (c->busy)
					inflight--;
				c->busy = 0;
				if (inflight == 0)
					end = 0;	/* nothing left to wait for */
				continue;
			}
			bytes_in += (uint64_t)r;
			c->len += (size_t)r;
			while (c->busy && (alen = answer_len(c->buf, c->len, &bad)) > 0) {
				double t = now() - c->t0;
				if (bad) {
					errors++;
					if (errors <= 3)
						fprintf(stderr, "whois_load: %s: %.*s\n", queries[c->q],
							(int)(alen < 200 ? alen : 200), c->buf);
				}
				if (nlat == caplat) {
					caplat = caplat ? caplat * 2 : 4096;
					lat = realloc(lat, caplat * sizeof(*lat));
				}
				lat[nlat++] = t;
				done++;
				memmove(c->buf, c->buf + alen, c->len - alen);
				c->len -= alen;
				c->busy = 0;
				inflight--;
				if (now() < end && (maxq == 0 || done + inflight < maxq)) {
					if (send_query(c) < 0) {
						errors++;
						break;
					}
					inflight++;
				}
			}
		}
	}
	end = now();
	qsort(lat, nlat, sizeof(*lat), cmp_double);
	printf("queries %llu errors %llu seconds %.3f qps %.1f p50_ms %.3f p90_ms %.3f p99_ms %.3f max_ms %.3f bytes %llu\n",
	       (unsigned long long)done, (unsigned long long)errors, end - start,
	       (double)done / (end - start), pct(0.5), pct(0.9), pct(0.99), pct(1.0),
	       (unsigned long long)bytes_in);
	return done > 0 ? 0 : 1;
}
