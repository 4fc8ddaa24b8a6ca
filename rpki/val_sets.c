/*
 * val_sets.c - a validation run's output as the payload sets of the rest
 * of rpki/: a ROA set (rpki.h) and an RTR set (rtr.h). Apart from
 * val_main.c so that the validator program, which only writes files or
 * the child's binary output, links neither the ROA nor the RTR code.
 */
#include <stdlib.h>

#include "rpki/rpki.h"
#include "rpki/rtr.h"
#include "rpki/validator.h"
#include "rpsl/log.h"

struct roa_set *val_output_roa_set(const struct val_output *out, const struct slurm *slurm)
{
	struct roa *roas = xcalloc(out->nvrps ? out->nvrps : 1, sizeof(*roas));
	struct roa_set *set;

	for (size_t i = 0; i < out->nvrps; i++) {
		roas[i].prefix = out->vrps[i].prefix;
		roas[i].maxlen = out->vrps[i].maxlen;
		roas[i].asn = out->vrps[i].asn;
		roas[i].ta = out->vrps[i].ta;
	}
	set = roa_set_new(roas, out->nvrps, (const char *const *)out->tas, out->ntas, slurm);
	free(roas);
	return set;
}

int val_output_rtr(const struct val_output *out, struct rtr_set *set)
{
	for (size_t i = 0; i < out->nvrps; i++) {
		struct rtr_vrp v = { .prefix = out->vrps[i].prefix, .max_len = out->vrps[i].maxlen,
				     .asn = out->vrps[i].asn };
		if (rtr_set_add_vrp(set, &v) < 0)
			return -1;
	}
	for (size_t i = 0; i < out->nvaps; i++)
		if (out->vaps[i].nproviders <= RTR_ASPA_MAX_PROVIDERS &&
		    rtr_set_add_aspa(set, out->vaps[i].customer, out->vaps[i].providers, out->vaps[i].nproviders) < 0)
			return -1;
	for (size_t i = 0; i < out->nbrks; i++)
		if (rtr_set_add_router_key(set, out->brks[i].ski, out->brks[i].asn, out->brks[i].spki,
					   out->brks[i].spki_len) < 0)
			return -1;
	return 0;
}
