/*
 * fuzz_conf_yaml.c - libFuzzer target: cfg_parse on arbitrary bytes.
 * Seeds: the .yaml files in tests/data/conf.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "rpsl/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *errs = NULL;
	struct cfg *cfg;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	cfg = cfg_parse(buf, size, "fuzz.yaml", &errs);
	if (cfg != NULL) {
		/* Exercise the lookups on whatever loaded. */
		struct ip_addr a = { .family = IP_AF6, .a = { [10] = 0xff, [11] = 0xff, [12] = 127, [15] = 1 } };
		for (size_t i = 0; i < cfg->naccess_lists; i++)
			(void)cfg_access_allowed(cfg, cfg->access_lists[i].name, &a);
		for (size_t i = 0; i < cfg->nsources; i++)
			(void)cfg_source_find(cfg, cfg->sources[i].name);
	}
	cfg_free(cfg);
	free(errs);
	free(buf);
	return 0;
}
