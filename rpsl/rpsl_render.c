/*
 * rpsl_render.c - IRRd's render_rpsl_text(): "name:" padded to 16 columns,
 * continuation lines as their continuation character plus 15 spaces ('+'
 * for an empty line), values as normalised by the parser.
 */
#include "rpsl/rpsl_int.h"

#include <stdio.h>
#include <string.h>

#include "rpsl/log.h"

#define TEXT_WIDTH 16

#define LAST_MODIFIED "last-modified"

char *rpsl_render(const struct rpsl_object *obj, size_t *len_out)
{
	return rpsl_render_ex(obj, NULL, len_out);
}

char *rpsl_render_ex(const struct rpsl_object *obj, const char *last_modified, size_t *len_out)
{
	size_t cap = 1, o = 0;
	char *out;

	if (last_modified != NULL)
		cap += strlen(LAST_MODIFIED) + TEXT_WIDTH + strlen(last_modified) + 2;
	for (size_t i = 0; i < obj->nattrs; i++) {
		const char *v = obj->attrs[i].value;
		size_t lines = 1;

		for (const char *p = v; (p = strchr(p, '\n')) != NULL; p++)
			lines++;
		cap += strlen(obj->attrs[i].name) + TEXT_WIDTH + strlen(v) + lines * (TEXT_WIDTH + 1) + 2;
	}
	out = xmalloc(cap);
	for (size_t i = 0; i < obj->nattrs; i++) {
		const struct rpsl_attr *at = &obj->attrs[i];
		const char *v = at->value, *end;
		size_t nl = strlen(at->name), cl = strlen(at->cont), idx = 0;

		if (last_modified != NULL && strcmp(at->name, LAST_MODIFIED) == 0)
			continue;
		memcpy(out + o, at->name, nl);
		o += nl;
		out[o++] = ':';
		if (*v == '\0') {
			out[o++] = '\n';
			continue;
		}
		for (size_t k = nl + 1; k < TEXT_WIDTH; k++)
			out[o++] = ' ';
		/* splitline_unicodesafe(): strip '\n' around, split, strip '\r' */
		end = v + strlen(v);
		while (*v == '\n')
			v++;
		while (end > v && end[-1] == '\n')
			end--;
		for (;;) {
			const char *le = memchr(v, '\n', (size_t)(end - v)), *s = v, *e;

			if (le == NULL)
				le = end;
			e = le;
			while (s < e && *s == '\r')
				s++;
			while (e > s && e[-1] == '\r')
				e--;
			if (idx > 0) {
				char c = idx - 1 < cl ? at->cont[idx - 1] : ' ';
				if (s == e)
					c = '+';
				out[o++] = c;
				memset(out + o, ' ', TEXT_WIDTH - 1);
				o += TEXT_WIDTH - 1;
			}
			memcpy(out + o, s, (size_t)(e - s));
			o += (size_t)(e - s);
			out[o++] = '\n';
			idx++;
			if (le == end)
				break;
			v = le + 1;
		}
	}
	if (last_modified != NULL) {
		int l = snprintf(out + o, cap - o, "%-*s%s\n", TEXT_WIDTH, LAST_MODIFIED ":", last_modified);
		o += (size_t)l;
	}
	out[o] = '\0';
	if (len_out)
		*len_out = o;
	return out;
}
