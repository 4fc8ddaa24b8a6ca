/* listen.c - listening sockets for whois, HTTP and RTR (see irrd.h). */
#include "irrd/irrd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpsl/log.h"

#define LISTEN_BACKLOG 256

bool irrd_listen_v6only(char *const *addrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(addrs[i], ':') == NULL)
			return true;
	return false;
}

int irrd_listen_socket(const char *addr, int port, bool v6only)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1) {
			log_errx("%s port %d: not an IPv6 address", addr, port);
			return -1;
		}
		sslen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1) {
			log_errx("%s port %d: not an IPv4 address", addr, port);
			return -1;
		}
		sslen = sizeof(*s4);
	}

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_err("%s port %d: socket", addr, port);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		log_warn("%s port %d: SO_REUSEADDR", addr, port);
	if (ss.ss_family == AF_INET6) {
		int v6 = v6only ? 1 : 0;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6)) == -1)
			log_warn("%s port %d: IPV6_V6ONLY", addr, port);
	}
	if (bind(fd, (struct sockaddr *)&ss, sslen) == -1) {
		log_err("%s port %d: bind", addr, port);
		close(fd);
		return -1;
	}
	return fd;
}

int irrd_listen_start(int fd)
{
	if (listen(fd, LISTEN_BACKLOG) == -1) {
		log_err("listen");
		return -1;
	}
	return 0;
}

void irrd_sockaddr_peer(const struct sockaddr *sa, struct ip_addr *out, char *text, size_t textsz)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port = 0;

	memset(out, 0, sizeof(*out));
	host[0] = '\0';
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		out->family = IP_AF4;
		memcpy(out->a, &s4->sin_addr, 4);
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		port = ntohs(s6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			/* as IRRd: mapped addresses are checked and logged as IPv4 */
			out->family = IP_AF4;
			memcpy(out->a, &s6->sin6_addr.s6_addr[12], 4);
			inet_ntop(AF_INET, out->a, host, sizeof(host));
		} else {
			out->family = IP_AF6;
			memcpy(out->a, &s6->sin6_addr, 16);
			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		}
	} else {
		snprintf(host, sizeof(host), "unknown");
	}
	if (text != NULL)
		snprintf(text, textsz, "%s:%u", host, port);
}
