/*
 * Per-class rule sets (see vigil_file_class in include/vigil/rules.h): the
 * sources are compiled again without the rules a class of files cannot
 * satisfy. Every rule set used is the full one or a subset whose missing
 * rules provably cannot match, so results never change; when anything is
 * unexpected the class simply keeps the full set.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <yara.h>

#include "rules_internal.h"
#include "rules_split.h"
#include "util.h"

#define MAX_RULE_FILE (64u << 20)

struct source_text {
	char *text; /* owned when read from a file */
	size_t len;
	int owned;
	int understood;
	struct vg_rule_list rules;
};

/* Every identifier used in any condition, sorted: a rule named by one is
 * kept, since another rule's condition may refer to it. */
struct ident_set {
	struct vg_text_ref *refs;
	const char **base; /* the text each ref points into */
	size_t n;
};

static const struct ident_set *sort_set;

static int cmp_ident(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct vg_text_ref *x = &sort_set->refs[i], *y = &sort_set->refs[j];
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(sort_set->base[i] + x->off, sort_set->base[j] + y->off, x->len);
}

struct ident_index {
	struct ident_set set;
	size_t *order;
};

static int referenced(const char *name, size_t len, void *ctx)
{
	const struct ident_index *ix = ctx;
	size_t lo = 0, hi = ix->set.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, k = ix->order[mid];
		const struct vg_text_ref *r = &ix->set.refs[k];
		int c = r->len != len ? (r->len < len ? -1 : 1)
				      : memcmp(ix->set.base[k] + r->off, name, len);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int build_index(struct source_text *t, size_t n, struct ident_index *ix)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += t[i].rules.nidents;
	memset(ix, 0, sizeof *ix);
	ix->set.refs = malloc((total ? total : 1) * sizeof *ix->set.refs);
	ix->set.base = malloc((total ? total : 1) * sizeof *ix->set.base);
	ix->order = malloc((total ? total : 1) * sizeof *ix->order);
	if (!ix->set.refs || !ix->set.base || !ix->order)
		return 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < t[i].rules.nidents; k++) {
			ix->set.refs[ix->set.n] = t[i].rules.idents[k];
			ix->set.base[ix->set.n] = t[i].text;
			ix->order[ix->set.n] = ix->set.n;
			ix->set.n++;
		}
	sort_set = &ix->set; /* qsort has no context argument in C17 */
	qsort(ix->order, ix->set.n, sizeof *ix->order, cmp_ident);
	sort_set = NULL;
	return 1;
}

static void free_index(struct ident_index *ix)
{
	free(ix->set.refs);
	free(ix->set.base);
	free(ix->order);
}

unsigned vg_yara_rule_count(struct YR_RULES *rules)
{
	unsigned n = 0;
	const YR_RULE *rule;
	if (rules)
		yr_rules_foreach(rules, rule) n++;
	return n;
}

static void quiet_cb(int level, const char *file, int line, const YR_RULE *rule,
		     const char *message, void *user)
{
	(void)level, (void)file, (void)line, (void)rule, (void)message, (void)user;
}

/* Compile the sources with class c's rules left out; NULL when nothing
 * can be left out or anything goes wrong. *removed: how many were. */
static YR_RULES *compile_class(const struct vg_rule_source *src,
			       struct source_text *t, size_t n,
			       vigil_file_class c, struct ident_index *ix,
			       unsigned *removed_out)
{
	YR_COMPILER *comp = vg_rules_new_compiler();
	YR_RULES *out = NULL;
	unsigned removed = 0;
	int errors = !comp;
	if (comp)
		yr_compiler_set_callback(comp, quiet_cb, NULL);
	for (size_t i = 0; i < n && !errors; i++) {
		char *copy = NULL;
		for (size_t k = 0; t[i].understood && k < t[i].rules.n; k++) {
			const struct vg_rule_span *r = &t[i].rules.rules[k];
			if (!vg_rule_removable(t[i].text, r, c, referenced, ix))
				continue;
			if (!copy && !(copy = vg_strndup(t[i].text, t[i].len))) {
				errors = 1;
				break;
			}
			vg_rule_blank(copy, r);
			removed++;
		}
		if (!errors)
			errors = vg_rules_compile_one(comp, &src[i], copy) != 0;
		free(copy);
	}
	if (!errors && removed > 0 &&
	    yr_compiler_get_rules(comp, &out) != ERROR_SUCCESS)
		out = NULL;
	if (comp)
		yr_compiler_destroy(comp);
	*removed_out = removed;
	return out;
}

/* The subsets are compiled on a thread of their own while the caller
 * compiles the full set: on two cores the three compilations then take
 * little longer than the full one alone. */
struct vg_class_job {
	const struct vg_rule_source *src;
	size_t n;
	YR_RULES *sub[VIGIL_FILE_CLASSES];
	unsigned removed[VIGIL_FILE_CLASSES];
	pthread_t thread;
	int threaded;
};

static void compile_subsets(struct vg_class_job *job)
{
	const struct vg_rule_source *src = job->src;
	size_t n = job->n;
	struct source_text *t = calloc(n ? n : 1, sizeof *t);
	struct ident_index ix;
	int ok = t != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		if (src[i].text) {
			t[i].text = src[i].text;
			t[i].len = strlen(src[i].text);
		} else if (vg_read_file(src[i].name, MAX_RULE_FILE, &t[i].text, &t[i].len) == 0) {
			t[i].owned = 1;
		} else {
			continue; /* compiled from its file as it stands */
		}
		int rc = vg_rules_parse(t[i].text, t[i].len, &t[i].rules);
		if (rc < 0)
			ok = 0;
		t[i].understood = rc == 1;
	}
	if (ok && build_index(t, n, &ix)) {
		/* MZ files keep the full set: it is compiled anyway, and the few
		 * rules for other magics cost little there */
		for (int c = VIGIL_FILE_MZ + 1; c < VIGIL_FILE_CLASSES; c++)
			job->sub[c] = compile_class(src, t, n, (vigil_file_class)c,
						    &ix, &job->removed[c]);
	}
	if (ok)
		free_index(&ix);
	for (size_t i = 0; t && i < n; i++) {
		if (t[i].owned)
			free(t[i].text);
		vg_rule_list_free(&t[i].rules);
	}
	free(t);
}

static void *subsets_thread(void *arg)
{
	compile_subsets(arg);
	return NULL;
}

struct vg_class_job *vg_rules_classes_start(const struct vg_rule_source *src,
					    size_t n)
{
	struct vg_class_job *job = calloc(1, sizeof *job);
	if (!job)
		return NULL;
	job->src = src;
	job->n = n;
	job->threaded = pthread_create(&job->thread, NULL, subsets_thread, job) == 0;
	return job;
}

void vg_rules_classes_finish(struct vg_class_job *job, struct YR_RULES *full,
			     struct YR_RULES *set[VIGIL_FILE_CLASSES])
{
	for (int c = 0; c < VIGIL_FILE_CLASSES; c++)
		set[c] = full;
	if (!job)
		return;
	if (job->threaded)
		pthread_join(job->thread, NULL);
	else if (full)
		compile_subsets(job);
	unsigned full_count = vg_yara_rule_count(full);
	for (int c = 0; c < VIGIL_FILE_CLASSES; c++) {
		YR_RULES *sub = job->sub[c];
		if (!sub)
			continue;
		/* a subset is used only when it lacks exactly the rules the
		 * analysis meant to leave out */
		if (full && vg_yara_rule_count(sub) == full_count - job->removed[c])
			set[c] = sub;
		else
			yr_rules_destroy(sub);
	}
	free(job);
}
