/*
 * Where a member of a JSON document is in its text. jansson reports the
 * line and column of a syntax error but keeps no position of the values it
 * parsed, so a policy whose JSON is valid but whose key or value is wrong
 * could only be blamed on the whole file. vg_json_locate() walks the text
 * (already accepted by jansson) along a path of object keys and array
 * indices, skipping the values in between, and gives the position of the
 * last step it reached: the key of an object member, the first byte of an
 * array element.
 */
#ifndef VIGIL_POLICY_LOCATE_H
#define VIGIL_POLICY_LOCATE_H

#include <stddef.h>

typedef struct vg_json_step {
	const char *key; /* an object member's key, or NULL: an array index */
	size_t index;
} vg_json_step;

/* 1-based line and column (in bytes) of the member that path names in
 * text. A step that cannot be followed (a key written with escapes, text
 * that is not what jansson accepted) stops the walk: the position is the
 * last one reached, the start of the document at worst. */
void vg_json_locate(const char *text, size_t len, const vg_json_step *path,
		    size_t depth, unsigned long *line, unsigned long *column);

#endif
