/*
 * dblisten.c - LISTEN irrd_change on the daemon's loop through sql_async.
 * Each NOTIFY wakes the change follower (sync.c), so a committed change
 * reaches the index within one follower round rather than one poll
 * interval. While the connection is down the follower polls more often;
 * on (re)connect it is woken to catch up with what was missed.
 */
#include "irrd/irrd.h"

#include <stdlib.h>

#include "rpsl/log.h"
#include "sql/sql.h"
#include "sql/sql_async.h"

struct irrd_dblisten {
	struct irrd *d;
	struct sql_async *a;
	bool was_connected;
};

static void state_cb(void *arg, bool connected)
{
	struct irrd_dblisten *l = arg;

	if (connected)
		log_info("index: listening for %s notifications", SQL_CHANGE_CHANNEL);
	else if (l->was_connected)
		log_warnx("index: lost the %s listener connection, reconnecting", SQL_CHANGE_CHANNEL);
	l->was_connected = connected;
	irrd_sync_set_listening(l->d->sync, connected);
	/* catch up with whatever was committed while we were not listening */
	irrd_sync_kick(l->d->sync);
}

static void notify_cb(void *arg, const char *channel, const char *payload)
{
	struct irrd_dblisten *l = arg;

	(void)channel;
	(void)payload;
	irrd_sync_kick(l->d->sync);
}

void irrd_db_listen_start(struct irrd *d)
{
	struct irrd_dblisten *l = xcalloc(1, sizeof(*l));
	struct sql_async_callbacks cbs = { state_cb, notify_cb, l };

	l->d = d;
	l->a = sql_async_new(d->base, d->cfg->database_url, &cbs);
	d->listen = l;
}

void irrd_db_listen_stop(struct irrd *d)
{
	struct irrd_dblisten *l = d->listen;

	if (l == NULL)
		return;
	sql_async_free(l->a);
	free(l);
	d->listen = NULL;
}
