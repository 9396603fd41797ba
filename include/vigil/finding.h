/* Findings: what a check reports about one file. */
#ifndef VIGIL_FINDING_H
#define VIGIL_FINDING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * kind is "hash", "filename", "yara" or "tamper"; id is the IOC value, the
 * rule name (namespace:rule) or a stable finding ID (VGL-...); source names
 * where the IOC or rule came from (file:line); message carries the comment
 * or the evidence. Strings are owned by whoever emits the finding and valid
 * for the duration of the callback that receives it.
 */
typedef struct vigil_finding {
	const char *kind;
	const char *id;
	const char *source;
	const char *message;
	int score; /* 0..100 */
} vigil_finding;

typedef enum vigil_level {
	VIGIL_LEVEL_NONE = 0,
	VIGIL_LEVEL_NOTICE,
	VIGIL_LEVEL_WARNING,
	VIGIL_LEVEL_ALERT,
} vigil_level;

/*
 * Combine finding scores into one file score: 100 * (1 - prod(1 - s/100)),
 * rounded; a single finding keeps its own score, and further evidence raises
 * it without passing 100.
 */
int vigil_score_combine(const int *scores, size_t n);
vigil_level vigil_score_level(int score);
const char *vigil_level_name(vigil_level level);

#ifdef __cplusplus
}
#endif

#endif
