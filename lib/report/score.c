/* Combining finding scores into a file score and a level (docs/detections.md). */
#include <math.h>

#include <vigil/finding.h>

int vigil_score_combine(const int *scores, size_t n)
{
	double keep = 1.0;
	for (size_t i = 0; i < n; i++) {
		int s = scores[i] < 0 ? 0 : scores[i] > 100 ? 100 : scores[i];
		keep *= 1.0 - s / 100.0;
	}
	return (int)lround(100.0 * (1.0 - keep));
}

vigil_level vigil_score_level(int score)
{
	if (score >= 80)
		return VIGIL_LEVEL_ALERT;
	if (score >= 60)
		return VIGIL_LEVEL_WARNING;
	if (score >= 40)
		return VIGIL_LEVEL_NOTICE;
	return VIGIL_LEVEL_NONE;
}

const char *vigil_level_name(vigil_level level)
{
	static const char *const names[] = {"none", "notice", "warning", "alert"};
	return level <= VIGIL_LEVEL_ALERT ? names[level] : "none";
}
