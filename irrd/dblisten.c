/*
 * dblisten.c - LISTEN irrd_change on the daemon's loop. Each NOTIFY wakes
 * the change follower (sync.c), so a committed change reaches the index
 * within one follower round instead of one poll interval.
 */
#include "irrd/irrd.h"

#include "rpsl/log.h"

void irrd_db_listen_start(struct irrd *d)
{
	/* sql_async.h is not there yet: the follower polls */
	irrd_sync_set_listening(d->sync, false);
}

void irrd_db_listen_stop(struct irrd *d)
{
	(void)d;
}
