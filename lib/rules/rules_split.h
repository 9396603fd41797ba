/*
 * Which YARA rules can match a file, told from its first bytes alone
 * (lib/rules_split.c). YARA searches every string of every rule in a file
 * before it evaluates any condition, so a rule whose condition says
 * `uint16(0) == 0x5a4d and ...` costs atoms and verifications in every ELF
 * file although it can never match one. lib/rules.c compiles, per class of
 * files, the rule text without the rules that class cannot satisfy.
 */
#ifndef VIGIL_RULES_SPLIT_H
#define VIGIL_RULES_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include <vigil/rules.h>

/* One rule of a source text: its span (modifiers to closing brace), its
 * name, the bytes its condition requires at offset 0 (none: 0), and the
 * size a file must stay below (a top-level `filesize < N`; none: 0). */
struct vg_rule_span {
	size_t start, end;
	size_t name_off, name_len;
	int global;
	uint8_t prefix[4];
	unsigned prefix_len;
	uint64_t below;
};

/* A text range naming something, e.g. an identifier in a condition. */
struct vg_text_ref {
	size_t off, len;
};

struct vg_rule_list {
	struct vg_rule_span *rules;
	size_t n, cap;
	struct vg_text_ref *idents; /* every identifier in every condition */
	size_t nidents, identcap;
};

/*
 * Find the rules of a YARA source text. Returns 1 when the whole text was
 * understood; 0 when it was not (odd syntax, `include`, a NUL byte): then
 * nothing may be removed from it. -1: out of memory. Free with
 * vg_rule_list_free() in every case.
 */
int vg_rules_parse(const char *text, size_t len, struct vg_rule_list *out);
void vg_rule_list_free(struct vg_rule_list *l);

/* Whether a file of class c can start with the given bytes. */
int vg_file_class_allows(vigil_file_class c, const uint8_t *prefix,
			 unsigned len);

/* Whether rule i can be left out of the rules for files of class c with
 * at least min_size bytes: not global, not referenced by any condition
 * (referenced() says), and its required first bytes impossible for c or
 * its size bound at most min_size. */
int vg_rule_removable(const char *text, const struct vg_rule_span *r,
		      vigil_file_class c, uint64_t min_size,
		      int (*referenced)(const char *name, size_t len, void *ctx),
		      void *ctx);

/* Blank rule r's span in text (a copy being built): spaces, but newlines
 * kept so that line numbers stay true. */
void vg_rule_blank(char *text, const struct vg_rule_span *r);

/*
 * Blank the `import "name"` statements of text (a copy of the source l was
 * parsed from, some of whose rules are blanked) whose module no rule left
 * in it names. YARA loads every imported module for every file it scans,
 * whether or not a rule uses it, and the pe module builds an object tree
 * of some thousand members each time: about 0.2 ms per file here. A rule
 * that still used the module would not compile, so a mistake costs the
 * subset (the full set is used), never a result. Returns how many were.
 */
unsigned vg_blank_unused_imports(char *text, size_t len,
				 const struct vg_rule_list *l);

#endif
