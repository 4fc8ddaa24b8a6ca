/*
 * hooks.c - where the daemon calls into the RPKI engine. The daemon calls
 * these at the right moments already; the RPKI work behind them belongs
 * to rpki/ and is wired in here (d->rpki is the engine's own state):
 *   irrd_rpki_start()      after the index load, before serving; arms the
 *                          rpki.roa_import_timer, which calls
 *   irrd_rpki_reimport()   also on SIGHUP after a good config reload
 *   irrd_rpki_revalidate() on SIGUSR1
 *   irrd_rpki_status()     ROA import and RTR lines for /v1/status/
 *                          (metrics false) and /metrics (metrics true)
 *   irrd_rpki_json()       the body of GET /json
 *   irrd_rpki_stop()       on SIGTERM
 * The ROA import cycle itself is irrd/rpki_import.c; route states reach
 * the whois index through object_change like every other change.
 */
#include "irrd/irrd.h"

#include <event2/buffer.h>
#include <event2/event.h>

#include "rpsl/log.h"

static void roa_timer_arm(struct irrd *d)
{
	struct timeval tv = { d->cfg->roa_import_timer > 0 ? d->cfg->roa_import_timer : 3600, 0 };

	if (d->roa_timer != NULL && d->cfg->rpki_enabled)
		event_add(d->roa_timer, &tv);
}

static void roa_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd *d = arg;

	(void)fd;
	(void)what;
	irrd_rpki_reimport(d);
}

void irrd_rpki_start(struct irrd *d)
{
	d->roa_timer = evtimer_new(d->base, roa_timer_cb, d);
	if (d->roa_timer == NULL)
		fatalx("out of memory");
	irrd_rpki_import_init(d);
	if (d->cfg->rpki_enabled)
		irrd_rpki_reimport(d);
	irrd_validator_start(d);	/* validator_glue.c; nothing when off */
}

void irrd_rpki_stop(struct irrd *d)
{
	irrd_validator_stop(d);
	irrd_rpki_import_stop(d);
	if (d->roa_timer != NULL) {
		event_free(d->roa_timer);
		d->roa_timer = NULL;
	}
}

void irrd_rpki_reimport(struct irrd *d)
{
	/* (re)arm first: the interval may have changed with SIGHUP */
	roa_timer_arm(d);
	if (!d->cfg->rpki_enabled)
		log_debug("rpki: RPKI-aware mode off, no ROA import");
	/* rpki_import.c; with the mode off it removes the pseudo-IRR objects */
	irrd_rpki_import_request(d);
	/* rpki.validator.enabled by a SIGHUP reload: its runs start now */
	if (d->cfg->validator.enabled && d->validator == NULL && d->rpki != NULL)
		irrd_validator_start(d);
}

void irrd_rpki_revalidate(struct irrd *d)
{
	if (!d->cfg->validator.enabled) {
		log_info("rpki: SIGUSR1: validator not enabled (rpki.validator.enabled)");
		return;
	}
	irrd_validator_run_now(d);	/* validator_glue.c */
}

void irrd_rpki_status(struct irrd *d, struct evbuffer *out, bool metrics)
{
	/* the RTR lines come from irrd_rtrd_status */
	irrd_rpki_import_status(d, out, metrics);
	irrd_validator_status(d, out, metrics);
}

char *irrd_rpki_json(struct irrd *d, size_t *len)
{
	return irrd_rpki_import_json(d, len);
}
