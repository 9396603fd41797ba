/*
 * PE parser + Authenticode + the PE tampering checker on arbitrary bytes.
 * Seeds in fuzz/corpus/pe/ are stored as text so that no binary is
 * committed: an input starting with "#vigil-hex\n" is hex-decoded first
 * (whitespace ignored); any other input is used as is. Checks invariants:
 * parsed offsets lie inside the input, every finding has an ID, a message
 * and a score in 0..100. Authenticode runs twice: without a CA file, and
 * with the two test roots below (the signer root and the TSA root of
 * tests/e2e/pe_trust.sh, whose DLLs seed signed-rfc3161-timestamp and
 * signed-pkcs9-countersignature), so that the chain, EKU and timestamp
 * verification see hostile bytes too; a trusted verdict must come with
 * the code-signing EKU and a verification time, a valid timestamp with
 * its time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trust/authenticode.h"
#include "checks/checks_internal.h"
#include "formats/pe.h"
#include "fuzz.h"
#include "hexseed.h"

/* both.pem of tests/e2e/pe_trust.sh: test roots, no key is kept anywhere */
static const char test_roots[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIC/TCCAeWgAwIBAgIBATANBgkqhkiG9w0BAQsFADAgMR4wHAYDVQQDDBV2aWdp\n"
	"bCB0cnVzdCB0ZXN0IHJvb3QwHhcNMTkwMTAxMDAwMDAwWhcNNDkxMjMxMDAwMDAw\n"
	"WjAgMR4wHAYDVQQDDBV2aWdpbCB0cnVzdCB0ZXN0IHJvb3QwggEiMA0GCSqGSIb3\n"
	"DQEBAQUAA4IBDwAwggEKAoIBAQDgx2C5C8ryDTy0N9DEjXrVSzayxUM7GW/0Gu8m\n"
	"DXQaH/uHT5Iyp1kcKMO6DjKoazojcvRjAjjjeRyHCHWc5jyoc1qOScUPLmH3qROt\n"
	"XfxPXVbGAxpcOWQgoqivfyeU81yofG2n2jFuhcmjTUdBgvrEZ9ECsPh4U0gnmoJ1\n"
	"fCJKhkhV2aMW8V+PJIHdWRGTSxGDVnByNvcy9UlXFrRkHLQXdFuZyMjVPHOcl6Wl\n"
	"WiAJ7Qm1UlJUglNKwi0jSwPMXn8utUIJQvkXHJUJbDkLrjYq1QscVbslYF7Inpy9\n"
	"yx2jkw+nei68t1ICZHhSx1iYDvd1Z/JaVMV5IrsxBFbFFtCdAgMBAAGjQjBAMA8G\n"
	"A1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBTFX+VKc5S6\n"
	"+5OUa7BdFyNMTcmUxjANBgkqhkiG9w0BAQsFAAOCAQEAErGuAP5i7iMkSNzVlmcs\n"
	"+cVC3xIJhfes1q0088AoUe7Yoz99VFuzi1MEkfYl+gvZSIhytvo7AQp/KcVlLjwy\n"
	"FbS8VddSzZ6Tc7MRvu3bUkb/vFaioQ6yzx1twn0e3W9x6J8GqqhgpVLF+n111fD6\n"
	"OpaWPSIzCyUsW+rlqF/i+PS4c7AFOChYp8xyZS/I0VwjJgI+oU1/vtLt4keUZbQN\n"
	"QidiHvLddDB0RuwkiELDbzpXHK3h8lRGZabWoit5+VOSHSLJXtmwnW5tMukWG9/G\n"
	"seF/Hj+sidJHBY35LF5m4ZHD18CDxgEbMbH/gdfxOxclO5+kLmeUzyu46EwmoQyk\n"
	"Vg==\n"
	"-----END CERTIFICATE-----\n"
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDBTCCAe2gAwIBAgIBAjANBgkqhkiG9w0BAQsFADAkMSIwIAYDVQQDDBl2aWdp\n"
	"bCB0cnVzdCB0ZXN0IFRTQSByb290MB4XDTE5MDEwMTAwMDAwMFoXDTQ5MTIzMTAw\n"
	"MDAwMFowJDEiMCAGA1UEAwwZdmlnaWwgdHJ1c3QgdGVzdCBUU0Egcm9vdDCCASIw\n"
	"DQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAJ3M1jWzzb1VrthWwI+7bnp34NJX\n"
	"O0usX9+4qZzFehgu5LsMipZm1MzLJC4EKqbjBRZi+zsI/RzzEvmQRQ9/kuwdYZwh\n"
	"G7Y1vnHcz11Xttt2FGlkCRBWBd87q69KRkmIz3ogMbTJbfZ31X2uc9LQoPBg3zU9\n"
	"no+jbNyczkjqmplqtjWkwHvrqOJ7vQBbnXxA69Ky4r/h0yC/CVr1Cveu7uAHdbvF\n"
	"/gPw8ef+1OJekj0t9XvTy4gV5iOxcX6gerMtiAi690ZpYjly8XX3pFlbkBAtVE1J\n"
	"f+D7Hiu50nOuzcsyKkGyB+nM20KE++4l4gJxYYe8C++2MXR+X+FVoNeLR88CAwEA\n"
	"AaNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYE\n"
	"FFQhEbjY1mNGNAOBGLTtLbgYDybnMA0GCSqGSIb3DQEBCwUAA4IBAQB6l2j0N5l6\n"
	"Gr2C/tN1TTtywMthmCPfw8GTAnFc5K8Y8InmmWIMJgkagpZ4/REk0xuozL7Q31YT\n"
	"arss2K1KM1S9N4rUxt75pbWJXZZiXvECW7t9VRnWpgCmdxGYvXVHlKcqlK+qVnWx\n"
	"XEIBtN2LMzCbNyV13nrV/DHqeYUyQaiLwNM4M4/0v7A3qFfT3XN7rT5qzYr76SrJ\n"
	"Msy4+r6lrXZgW3+u8P1hoJOmkKWskNWeKfCYAoUjKSaKJ7Nozr3GOtv+alK08T0s\n"
	"8cQTo1+abJMgU0rQcxt5ySlLZZMbmj8uiXpESOigmWFZT1EMf9HVN1kJABmY2vxT\n"
	"w/GYKF4RmeiU\n"
	"-----END CERTIFICATE-----\n";

static char ca_path[64];

static void remove_ca(void)
{
	unlink(ca_path);
}

/* The roots in a temporary file, written once; NULL when that fails. */
static const char *ca_file(void)
{
	static int done;
	if (!done) {
		done = 1;
		const char *dir = getenv("TMPDIR");
		snprintf(ca_path, sizeof ca_path, "%s/vigil-fuzz-ca-XXXXXX",
			 dir && *dir && strlen(dir) < 32 ? dir : "/tmp");
		int fd = mkstemp(ca_path);
		if (fd < 0) {
			ca_path[0] = '\0';
			return NULL;
		}
		FILE *f = fdopen(fd, "w");
		if (!f || fputs(test_roots, f) < 0 || fclose(f) != 0) {
			unlink(ca_path);
			ca_path[0] = '\0';
			return NULL;
		}
		atexit(remove_ca);
	}
	return ca_path[0] ? ca_path : NULL;
}

static void check_verdicts(const vg_authenticode *ac)
{
	for (size_t i = 0; i < ac->nsigs; i++) {
		const vg_ac_sig *s = &ac->sigs[i];
		if (s->trusted == 1 && (s->code_signing != 1 || !s->has_trust_time))
			abort();
		if (s->ts_valid == 1 && !s->has_ts_time)
			abort();
		if (s->trusted == 0 && !s->trust_why)
			abort();
	}
}

static void on_finding(void *ctx, const vigil_finding *f)
{
	if (!f->id || strncmp(f->id, "VGL-PE-", 7) || !f->message || f->score < 0 ||
	    f->score > 100)
		abort();
	(*(size_t *)ctx) += strlen(f->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;

	vg_pe *pe = NULL;
	int st = vg_pe_parse(data, size, VG_PE_ALL, &pe);
	if (pe && st != VIGIL_FAILED) {
		for (size_t i = 0; i < pe->ncerts; i++) {
			const vg_pe_cert *c = &pe->certs[i];
			if (c->der == VG_PE_DER_OK &&
			    (c->der_off + c->der_len > size || c->slack_off + c->slack_len > size))
				abort();
		}
		if (pe->overlay_off + pe->overlay_len > size ||
		    pe->after_cert_off + pe->after_cert_len > size)
			abort();
		vg_authenticode ac;
		vg_authenticode_verify(data, size, pe, NULL, &ac);
		check_verdicts(&ac);
		vg_authenticode_clear(&ac);
		const char *ca = ca_file();
		if (ca) {
			vg_authenticode_verify(data, size, pe, ca, &ac);
			check_verdicts(&ac);
			vg_authenticode_clear(&ac);
		}
	}
	vg_pe_free(pe);
	size_t sink = 0;
	vg_check_pe(data, size, on_finding, &sink);
	free(own);
	return 0;
}
