/*
 * The policy loader (lib/policy/) on arbitrary bytes: jansson's parse,
 * the schema checks and the locator that finds the line and column of a
 * bad member (lib/policy/policy_locate.c), which also runs on its own on
 * every input, valid JSON or not, along a few paths. A loaded policy is
 * queried; every error must come with a message that starts "column N:".
 * Seeds in fuzz/corpus/policy/ are policy files as text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/policy.h>

#include "fuzz.h"
#include "policy/policy_locate.h"

static void on_diag(void *ctx, const vigil_diag *d)
{
	(void)ctx;
	if (!d->message)
		abort();
	if (d->severity == VIGIL_DIAG_ERROR && d->line &&
	    strncmp(d->message, "column ", 7) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vigil_policy_options o;
	vigil_policy_options_init(&o);
	o.today = "2026-12-02";
	vigil_policy *p = vigil_policy_load_buffer(data, size, "fuzz.json", &o, on_diag, NULL);
	if (p) {
		static const char *const paths[] = {"app/ffmpeg.dll", "d3dcompiler_47.dll",
						    "lib/libcodec.so.1", "", "a/b/c"};
		for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
			const vigil_policy_signer *s = vigil_policy_signer_for(p, paths[i]);
			if (s && !s->path)
				abort();
			if (s && s->thumbprint && strlen(s->thumbprint) != 64)
				abort();
			vigil_policy_must_be_signed(p, paths[i]);
			const vigil_policy_pin *pin = vigil_policy_pin_for(p, paths[i], "1.0");
			if (pin && (!pin->sha256 || strlen(pin->sha256) != 64))
				abort();
			const char *why = NULL;
			if (vigil_policy_waived(p, paths[i], "VGL-DIFF-SAME-VERSION", "2026-12-02",
						&why) &&
			    !why)
				abort();
		}
		vigil_policy_capability_allowed(p, "mem/rwx");
		vigil_policy_capability_forbidden(p, "mem/rwx");
		const char *lv = vigil_policy_fail_on(p);
		if (!lv)
			abort();
		vigil_policy_destroy(p);
	}
	static const vg_json_step path1[] = {{"signers", 0}, {NULL, 1}, {"subject", 0}};
	static const vg_json_step path2[] = {{"waivers", 0}, {NULL, 0}};
	unsigned long line, col;
	vg_json_locate((const char *)data, size, path1, 3, &line, &col);
	if (line < 1 || col < 1 || line > size + 1 || col > size + 1)
		abort();
	vg_json_locate((const char *)data, size, path2, 2, &line, &col);
	if (line < 1 || col < 1)
		abort();
	return 0;
}
