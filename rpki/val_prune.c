/*
 * val_prune.c - after a completed online run, the cache loses what no
 * publication point of the run referenced (as rpki-client cleans its cache
 * after each run):
 *   valid/...      files in directories that were no publication point's
 *                  last valid copy, and the directories left empty;
 *   rrdp/<dir>     RRDP copies of notification URIs not used;
 *   rsync/<h>/<m>  rsync modules not used, and host directories left empty.
 * Inside a referenced last valid copy, store_valid (val_main.c) already
 * drops files no longer listed; inside a fetched copy, rsync --delete and
 * RRDP withdraws do. The caller holds the cache lock.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

struct prune {
	char **keep;		/* sorted referenced directories */
	size_t nkeep;
	size_t files, dirs;	/* removed */
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool kept(const struct prune *p, const char *dir)
{
	return p->nkeep > 0 && bsearch(&dir, p->keep, p->nkeep, sizeof(char *), str_cmp) != NULL;
}

/* Is some kept directory below dir (dir + "/...")? */
static bool kept_below(const struct prune *p, const char *dir)
{
	size_t n = strlen(dir), lo = 0, hi = p->nkeep;

	/* the first entry >= dir + "/" */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(p->keep[mid], dir, n);
		if (c < 0 || (c == 0 && strcmp(p->keep[mid] + n, "/") < 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->nkeep && strncmp(p->keep[lo], dir, n) == 0 && p->keep[lo][n] == '/';
}

/* Remove the files of dir unless it is kept; recurse; remove dir when it
 * ends up empty and nothing below it is kept. depth bounds the recursion. */
static void prune_valid(struct prune *p, const char *dir, int depth)
{
	bool keep = kept(p, dir);
	DIR *dp;
	struct dirent *de;
	char **subs = NULL;
	size_t nsubs = 0;

	if (depth > 64 || (dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			subs = xrealloc(subs, (nsubs + 1) * sizeof(*subs));
			subs[nsubs++] = path;
			continue;
		}
		if (!keep) {
			if (unlink(path) == 0)
				p->files++;
			else if (errno != ENOENT)
				val_warnx("%s: cannot remove: %s", path, strerror(errno));
		}
		free(path);
	}
	closedir(dp);
	for (size_t i = 0; i < nsubs; i++) {
		prune_valid(p, subs[i], depth + 1);
		if (!kept(p, subs[i]) && !kept_below(p, subs[i]) && rmdir(subs[i]) == 0)
			p->dirs++;
		free(subs[i]);
	}
	free(subs);
}

/* Remove each entry of dir (a whole tree) whose path is not kept;
 * at depth 1 one level further (rsync/<host>/<module>). */
static void prune_fetch(struct prune *p, const char *dir, int levels)
{
	DIR *dp;
	struct dirent *de;
	char **gone = NULL;
	size_t ngone = 0;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		if (kept(p, path)) {
			free(path);
			continue;
		}
		gone = xrealloc(gone, (ngone + 1) * sizeof(*gone));
		gone[ngone++] = path;
	}
	closedir(dp);
	for (size_t i = 0; i < ngone; i++) {
		struct stat sb;
		if (levels > 1 && lstat(gone[i], &sb) == 0 && S_ISDIR(sb.st_mode) && kept_below(p, gone[i])) {
			prune_fetch(p, gone[i], levels - 1);
		} else {
			if (val_rmtree(gone[i]) < 0)
				val_warnx("%s: cannot remove: %s", gone[i], strerror(errno));
			else
				p->dirs++;
		}
		free(gone[i]);
	}
	free(gone);
}

void val_cache_prune(const char *cache_dir, char **vdirs, size_t nvdirs, char **fdirs, size_t nfdirs,
		     bool rrdp)
{
	struct prune p;
	char *dir;

	memset(&p, 0, sizeof(p));
	p.keep = vdirs;
	p.nkeep = nvdirs;
	if (nvdirs > 1)
		qsort(vdirs, nvdirs, sizeof(char *), str_cmp);
	dir = xasprintf("%s/valid", cache_dir);
	prune_valid(&p, dir, 0);
	free(dir);
	if (p.files > 0)
		val_info("%s/valid: %zu files of publication points no longer referenced removed", cache_dir,
			 p.files);

	p.keep = fdirs;
	p.nkeep = nfdirs;
	p.files = p.dirs = 0;
	if (nfdirs > 1)
		qsort(fdirs, nfdirs, sizeof(char *), str_cmp);
	if (rrdp) {
		dir = xasprintf("%s/rrdp", cache_dir);
		prune_fetch(&p, dir, 1);
		free(dir);
	}
	dir = xasprintf("%s/rsync", cache_dir);
	prune_fetch(&p, dir, 2);
	free(dir);
	if (p.dirs > 0)
		val_info("%s: %zu repository copies no longer referenced removed", cache_dir, p.dirs);
}
