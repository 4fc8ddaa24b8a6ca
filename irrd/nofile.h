/*
 * nofile.h - the descriptor limit (RLIMIT_NOFILE) the daemon needs for
 * server.whois.max_connections.
 */
#ifndef IRRD_NOFILE_H
#define IRRD_NOFILE_H

struct cfg;

/*
 * Raise the soft RLIMIT_NOFILE to the hard limit (at start, before the
 * listeners accept), and log a warning naming max_connections when even
 * the hard limit leaves too few descriptors for it. Returns the soft limit
 * now in force, or -1 if it could not be read. Never fatal: the whois
 * server copes with EMFILE by pausing accept().
 */
long long irrd_nofile_raise(const struct cfg *cfg);

#endif
