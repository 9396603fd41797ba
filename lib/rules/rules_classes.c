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

#include "rules/rules_internal.h"
#include "rules/rules_split.h"
#include "base/util.h"

struct source_text {
	const char *text; /* the source's */
	size_t len;
	int understood;
	struct vg_rule_list rules;
};

/* Every identifier used in any condition, sorted: a rule named by one is
 * kept, since another rule's condition may refer to it. */
struct ident {
	const char *p;
	size_t len;
};

struct ident_index {
	struct ident *v;
	size_t n;
};

static int cmp_ident(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->p, y->p, x->len);
}

static int referenced(const char *name, size_t len, void *ctx)
{
	const struct ident_index *ix = ctx;
	struct ident key = {name, len};
	return ix->n && bsearch(&key, ix->v, ix->n, sizeof *ix->v, cmp_ident) != NULL;
}

static int build_index(struct source_text *t, size_t n, struct ident_index *ix)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += t[i].rules.nidents;
	ix->n = 0;
	if (!(ix->v = malloc((total ? total : 1) * sizeof *ix->v)))
		return 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < t[i].rules.nidents; k++)
			ix->v[ix->n++] = (struct ident){t[i].text + t[i].rules.idents[k].off,
							t[i].rules.idents[k].len};
	qsort(ix->v, ix->n, sizeof *ix->v, cmp_ident);
	return 1;
}

static void quiet_cb(int level, const char *file, int line, const YR_RULE *rule,
		     const char *message, void *user)
{
	(void)level, (void)file, (void)line, (void)rule, (void)message, (void)user;
}

/* Source i's text with set's removable rules blanked, or NULL when it
 * has none; *removed counts them, *oom says the copy failed. */
static char *class_text(const struct source_text *t, unsigned set,
			struct ident_index *ix, unsigned *removed, int *oom)
{
	char *copy = NULL;
	for (size_t k = 0; t->understood && k < t->rules.n; k++) {
		const struct vg_rule_span *r = &t->rules.rules[k];
		if (!vg_rule_removable(t->text, r, vg_rule_set_class(set),
				       vg_rule_set_min_size(set), referenced, ix))
			continue;
		if (!copy && !(copy = vg_strndup(t->text, t->len))) {
			*oom = 1;
			return NULL;
		}
		vg_rule_blank(copy, r);
		(*removed)++;
	}
	if (copy)
		vg_blank_unused_imports(copy, t->len, &t->rules);
	return copy;
}

/* Included text is not read by the analysis (rules_split.c does not
 * understand a source that includes, nor see what it includes) and would
 * be read a second time: a source that includes gets no subset. The
 * include is refused, which fails the compilation (the full set serves),
 * and *included stops the other sets of this thread. */
static const char *no_include(const char *name, const char *calling,
			      const char *ns, void *user)
{
	(void)name, (void)calling, (void)ns;
	*(int *)user = 1;
	return NULL;
}

/* Compile the sources with set's removable rules left out; NULL when
 * nothing can be left out or anything goes wrong. *removed: how many were. */
static YR_RULES *compile_class(const struct vg_rule_source *src,
			       struct source_text *t, size_t n,
			       unsigned set, struct ident_index *ix,
			       unsigned *removed, int *included)
{
	char **copy = calloc(n ? n : 1, sizeof *copy);
	int errors = !copy;
	*removed = 0;
	for (size_t i = 0; i < n && !errors; i++)
		copy[i] = class_text(&t[i], set, ix, removed, &errors);
	YR_COMPILER *comp = NULL;
	YR_RULES *out = NULL;
	/* nothing left out: the full set serves, no compilation */
	if (!errors && *removed > 0 && (comp = vg_rules_new_compiler())) {
		yr_compiler_set_callback(comp, quiet_cb, NULL);
		yr_compiler_set_include_callback(comp, no_include, NULL, included);
		for (size_t i = 0; i < n && !errors; i++)
			errors = vg_rules_compile_one(comp, &src[i], copy[i]) != 0;
		if (errors || yr_compiler_get_rules(comp, &out) != ERROR_SUCCESS)
			out = NULL;
		yr_compiler_destroy(comp);
	}
	for (size_t i = 0; copy && i < n; i++)
		free(copy[i]);
	free(copy);
	return out;
}

/* The subsets are compiled on two threads of their own while the caller
 * compiles the full set: five subset compilations then add about as much
 * wall time on two cores as the two of the magic classes alone did on
 * one thread. */
struct vg_class_job {
	const struct vg_rule_source *src;
	size_t n;
	YR_RULES *sub[VG_RULE_SETS];
	unsigned removed[VG_RULE_SETS];
	pthread_t thread;
	int threaded;
};

/* Sets first, first + 2, ... of the job, from the parsed sources. */
struct subset_part {
	struct vg_class_job *job;
	struct source_text *t;
	struct ident_index *ix;
	unsigned first;
};

static void *compile_part(void *arg)
{
	struct subset_part *p = arg;
	/* small MZ files keep the full set (set 0): it is compiled anyway,
	 * and the few rules for other magics cost little there */
	int included = 0;
	for (unsigned c = p->first; c < VG_RULE_SETS && !included; c += 2)
		p->job->sub[c] = compile_class(p->job->src, p->t, p->job->n, c,
					       p->ix, &p->job->removed[c], &included);
	return NULL;
}

static void compile_subsets(struct vg_class_job *job)
{
	const struct vg_rule_source *src = job->src;
	size_t n = job->n;
	struct source_text *t = calloc(n ? n : 1, sizeof *t);
	struct ident_index ix;
	int ok = t != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		/* a file YARA reads itself could differ from what the full
		 * set was compiled from: no subsets then */
		if (!src[i].text) {
			ok = 0;
			break;
		}
		t[i].text = src[i].text;
		t[i].len = strlen(src[i].text);
		int rc = vg_rules_parse(t[i].text, t[i].len, &t[i].rules);
		if (rc < 0)
			ok = 0;
		t[i].understood = rc == 1;
	}
	if (ok && build_index(t, n, &ix)) {
		struct subset_part odd = {job, t, &ix, 1}, even = {job, t, &ix, 2};
		pthread_t helper;
		int helped = pthread_create(&helper, NULL, compile_part, &even) == 0;
		compile_part(&odd);
		if (helped)
			pthread_join(helper, NULL);
		else
			compile_part(&even);
	}
	if (ok)
		free(ix.v);
	for (size_t i = 0; t && i < n; i++)
		vg_rule_list_free(&t[i].rules);
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
			     struct YR_RULES *set[VG_RULE_SETS])
{
	for (int c = 0; c < VG_RULE_SETS; c++)
		set[c] = full;
	if (!job)
		return;
	if (job->threaded)
		pthread_join(job->thread, NULL);
	else if (full)
		compile_subsets(job);
	unsigned full_count = vg_yara_rule_count(full);
	for (int c = 0; c < VG_RULE_SETS; c++) {
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
