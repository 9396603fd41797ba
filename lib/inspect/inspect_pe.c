/* The PE part of `vigil inspect`: headers, sections, imports, exports,
 * version strings, certificate table, Authenticode signatures, overlay. */
#include <stdlib.h>
#include <string.h>

#include "trust/authenticode.h"
#include "checks/checks_internal.h"
#include "base/entropy.h"
#include "formats/pe.h"
#include "inspect/inspect_internal.h"

#define SCN_EXEC 0x20000000u
#define SCN_READ 0x40000000u
#define SCN_WRITE 0x80000000u

static json_t *section_flags(uint32_t c)
{
	char f[4] = {c & SCN_READ ? 'r' : '-', c & SCN_WRITE ? 'w' : '-',
		     c & SCN_EXEC ? 'x' : '-', '\0'};
	return json_string(f);
}

static json_t *sections(const vg_pe *pe)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < pe->nsections; i++) {
		const vg_pe_section *s = &pe->sections[i];
		json_t *o = json_object();
		if (!o)
			break;
		vg_ij_set(o, "name", vg_json_text(s->name));
		vg_ij_set(o, "virtual_address", json_integer(s->vaddr));
		vg_ij_set(o, "virtual_size", json_integer(s->vsize));
		vg_ij_set(o, "raw_offset", json_integer(s->raw_off));
		vg_ij_set(o, "raw_size", json_integer(s->raw_size));
		vg_ij_set(o, "flags", section_flags(s->characteristics));
		vg_ij_set(o, "characteristics", json_integer(s->characteristics));
		vg_ij_set(o, "entropy", vg_ij_entropy(s->entropy));
		json_array_append_new(a, o);
	}
	return a;
}

/* Imports grouped by DLL, in file order (the parser lists them so). */
static json_t *imports(const vg_pe *pe)
{
	json_t *a = json_array(), *funcs = NULL;
	const char *cur = NULL;
	for (size_t i = 0; a && i < pe->nimports; i++) {
		const vg_pe_import *im = &pe->imports[i];
		if (!funcs || !cur || !im->dll || strcmp(cur, im->dll) != 0) {
			json_t *d = json_object();
			funcs = json_array();
			if (!d || !funcs) {
				json_decref(d);
				json_decref(funcs);
				break;
			}
			cur = im->dll;
			vg_ij_set(d, "dll", vg_json_text(im->dll));
			json_object_set_new(d, "functions", funcs);
			json_array_append_new(a, d);
		}
		json_t *f = json_object();
		if (!f)
			break;
		if (im->by_ordinal) {
			vg_ij_set(f, "ordinal", json_integer(im->ordinal));
		} else {
			vg_ij_set(f, "name", vg_json_text(im->name));
			vg_ij_set(f, "hint", json_integer(im->ordinal));
		}
		json_array_append_new(funcs, f);
	}
	return a;
}

static json_t *exports(const vg_pe *pe)
{
	json_t *o = json_object(), *a = json_array();
	if (!o || !a) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	vg_ij_set(o, "dll_name", vg_json_text(pe->export_dll_name));
	for (size_t i = 0; i < pe->nexports; i++) {
		const vg_pe_export *e = &pe->exports[i];
		json_t *f = json_object();
		if (!f)
			break;
		vg_ij_set(f, "name", vg_json_text(e->name));
		vg_ij_set(f, "ordinal", json_integer(e->ordinal));
		vg_ij_set(f, "rva", json_integer(e->rva));
		json_array_append_new(a, f);
	}
	json_object_set_new(o, "functions", a);
	return o;
}

static json_t *version_info(const vg_pe *pe)
{
	if (!pe->company_name && !pe->product_name && !pe->file_version &&
	    !pe->original_filename)
		return json_null();
	json_t *o = json_object();
	if (!o)
		return NULL;
	vg_ij_set(o, "CompanyName", vg_json_text(pe->company_name));
	vg_ij_set(o, "ProductName", vg_json_text(pe->product_name));
	vg_ij_set(o, "FileVersion", vg_json_text(pe->file_version));
	vg_ij_set(o, "OriginalFilename", vg_json_text(pe->original_filename));
	return o;
}

static const char *der_state(vg_pe_der d)
{
	switch (d) {
	case VG_PE_DER_OK: return "ok";
	case VG_PE_DER_NOT_SEQUENCE: return "not a DER SEQUENCE";
	case VG_PE_DER_INDEFINITE: return "BER indefinite length";
	case VG_PE_DER_BAD_LENGTH: return "unusable DER length";
	case VG_PE_DER_PAST_ENTRY: return "DER length runs past dwLength";
	case VG_PE_DER_NOT_PKCS: return "not PKCS_SIGNED_DATA";
	}
	return "?";
}

static json_t *cert_entry(const uint8_t *buf, const vg_pe_cert *c)
{
	json_t *o = json_object(), *s = json_object();
	if (!o || !s) {
		json_decref(o);
		json_decref(s);
		return NULL;
	}
	vg_ij_set(o, "offset", json_integer((json_int_t)c->offset));
	vg_ij_set(o, "length", json_integer(c->length));
	vg_ij_set(o, "revision", json_integer(c->revision));
	vg_ij_set(o, "type", json_integer(c->type));
	vg_ij_set(o, "der", json_string(der_state(c->der)));
	if (c->der == VG_PE_DER_OK) {
		vg_ij_set(o, "der_offset", json_integer((json_int_t)c->der_off));
		vg_ij_set(o, "der_length", json_integer((json_int_t)c->der_len));
	}
	/* the slack Authenticode ignores; its entropy leaves the trailing
	 * zeros of the alignment out, as the tampering check does */
	size_t n = (size_t)c->slack_len;
	const uint8_t *p = buf + c->slack_off;
	while (n && !p[n - 1])
		n--;
	vg_ij_set(s, "offset", json_integer((json_int_t)c->slack_off));
	vg_ij_set(s, "size", json_integer((json_int_t)c->slack_len));
	vg_ij_set(s, "alignment_allows", json_integer((json_int_t)c->pad_allowed));
	vg_ij_set(s, "nonzero", json_integer((json_int_t)c->slack_nonzero));
	vg_ij_set(s, "entropy", n ? vg_ij_entropy(vg_entropy(p, n)) : json_null());
	json_object_set_new(o, "slack", s);
	return o;
}

static json_t *cert_table(const uint8_t *buf, const vg_pe *pe)
{
	if (!pe->signed_)
		return json_null();
	json_t *o = json_object(), *a = json_array();
	if (!o || !a) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	vg_ij_set(o, "offset", json_integer((json_int_t)pe->cert_off));
	vg_ij_set(o, "size", json_integer((json_int_t)pe->cert_size));
	for (size_t i = 0; i < pe->ncerts; i++)
		json_array_append_new(a, cert_entry(buf, &pe->certs[i]));
	json_object_set_new(o, "entries", a);
	return o;
}

static json_t *verdict(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *signature(const vg_ac_sig *s)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	vg_ij_set(o, "entry", json_integer((json_int_t)s->cert_index));
	vg_ij_set(o, "nested", json_integer(s->nest_level));
	if (s->error)
		vg_ij_set(o, "error", json_string(s->error));
	vg_ij_set(o, "digest_algorithm", s->digest_alg[0] ? vg_json_text(s->digest_alg) : json_null());
	vg_ij_set(o, "signed_digest", s->signed_digest_len
		  ? vg_json_hex(s->signed_digest, s->signed_digest_len) : json_null());
	vg_ij_set(o, "image_digest", s->image_digest_len
		  ? vg_json_hex(s->image_digest, s->image_digest_len) : json_null());
	vg_ij_set(o, "digest_match", verdict(s->digest_match));
	vg_ij_set(o, "intact", verdict(s->intact));
	vg_ij_set(o, "trusted", verdict(s->trusted));
	if (s->trusted == 0 && s->trust_error[0])
		vg_ij_set(o, "trust_error", vg_json_text(s->trust_error));
	vg_ij_set(o, "trust_reason", s->trusted == 0 && s->trust_why ? json_string(s->trust_why)
								     : json_null());
	vg_ij_set(o, "trust_time", s->has_trust_time ? vg_json_time(s->trust_time) : json_null());
	vg_ij_set(o, "trust_time_source", !s->has_trust_time ? json_null()
		  : json_string(s->trust_at_timestamp ? "timestamp" : "now"));
	vg_ij_set(o, "code_signing_eku", verdict(s->code_signing));
	vg_ij_set(o, "lifetime_signing", json_boolean(s->lifetime_signing));
	vg_ij_set(o, "subject", vg_json_text(s->subject));
	vg_ij_set(o, "issuer", vg_json_text(s->issuer));
	vg_ij_set(o, "serial", vg_json_text(s->serial));
	vg_ij_set(o, "thumbprint_sha1", s->thumbprint_sha1[0]
		  ? json_string(s->thumbprint_sha1) : json_null());
	vg_ij_set(o, "not_before", s->has_validity ? vg_json_time(s->not_before) : json_null());
	vg_ij_set(o, "not_after", s->has_validity ? vg_json_time(s->not_after) : json_null());
	vg_ij_set(o, "signing_time", s->has_signing_time
		  ? vg_json_time(s->signing_time) : json_null());
	vg_ij_set(o, "timestamp", s->timestamp == VG_AC_TS_RFC3161 ? json_string("RFC 3161")
		  : s->timestamp == VG_AC_TS_LEGACY ? json_string("Authenticode countersignature")
		  : json_null());
	int ts = s->timestamp != VG_AC_TS_NONE;
	vg_ij_set(o, "timestamp_time", ts && s->has_ts_time ? vg_json_time(s->ts_time)
							    : json_null());
	vg_ij_set(o, "timestamp_authority", ts ? vg_json_text(s->ts_signer) : json_null());
	vg_ij_set(o, "timestamp_valid", ts ? verdict(s->ts_valid) : json_null());
	vg_ij_set(o, "timestamp_error", ts && s->ts_valid == 0 && s->ts_error[0]
		  ? vg_json_text(s->ts_error) : json_null());
	vg_ij_set(o, "timestamp_reason", ts && s->ts_valid == 0 ? json_string(VG_AC_WHY_TS)
								 : json_null());
	return o;
}

static json_t *range(uint64_t off, uint64_t len, const uint8_t *buf)
{
	if (!len)
		return json_null();
	json_t *o = json_object();
	if (!o)
		return NULL;
	vg_ij_set(o, "offset", json_integer((json_int_t)off));
	vg_ij_set(o, "size", json_integer((json_int_t)len));
	vg_ij_set(o, "entropy", vg_ij_entropy(vg_entropy(buf + off, (size_t)len)));
	return o;
}

static json_t *anomalies(uint32_t bits)
{
	static const char *const names[] = {
		"sections capped", "section past end of file", "imports capped",
		"import RVA maps nowhere", "exports capped", "export table bad",
		"resource directory loop", "resources capped", "resource tree bad",
		"version resource bad", "certificate table past end of file",
		"certificate table unaligned", "certificate sizes inconsistent",
		"certificates capped", "certificate table overlaps the image",
		"more than 16 data directories",
		"entropy budget spent: later sections not computed",
	};
	return vg_ij_flags(bits, names, sizeof names / sizeof *names);
}

static void headers(const uint8_t *buf, size_t len, const vg_pe *pe, json_t *o)
{
	const char *m = vg_pe_machine_name(pe->machine);
	const char *sub = vg_pe_subsystem_name(pe->subsystem);
	vg_ij_set(o, "kind", json_string(pe->pe32plus ? "PE32+" : "PE32"));
	vg_ij_set(o, "machine", json_integer(pe->machine));
	vg_ij_set(o, "machine_name", m ? json_string(m) : json_null());
	vg_ij_set(o, "dll", json_boolean(pe->characteristics & 0x2000));
	vg_ij_set(o, "characteristics", json_integer(pe->characteristics));
	vg_ij_set(o, "subsystem", json_integer(pe->subsystem));
	vg_ij_set(o, "subsystem_name", sub ? json_string(sub) : json_null());
	vg_ij_set(o, "dll_characteristics", json_integer(pe->dll_characteristics));
	vg_ij_set(o, "timestamp", json_integer(pe->timestamp));
	vg_ij_set(o, "timestamp_utc", pe->reproducible ? json_null() : vg_json_time(pe->timestamp));
	vg_ij_set(o, "reproducible", json_boolean(pe->reproducible));
	vg_ij_set(o, "image_base", json_integer((json_int_t)pe->image_base));
	vg_ij_set(o, "entry_point", json_integer(pe->entry_rva));
	vg_ij_set(o, "size_of_image", json_integer(pe->size_of_image));
	vg_ij_set(o, "checksum", json_integer(pe->checksum));
	vg_ij_set(o, "checksum_computed",
		  json_integer(vg_pe_checksum(buf, len, pe->checksum_off)));
}

int vg_inspect_pe(const uint8_t *buf, size_t len, const vigil_inspect_options *opt,
		  json_t *obj, const char **fatal_reason, struct vg_inspect_checks *checks)
{
	vg_pe *pe = NULL;
	int st = vg_pe_parse(buf, len, VG_PE_ALL, &pe);
	if (st == VIGIL_FATAL) {
		*fatal_reason = "out of memory";
		return VIGIL_FATAL;
	}
	if (st == VIGIL_FAILED) {
		vg_ij_set(obj, "format_error", json_string(pe->error));
		vg_pe_free(pe);
		return VIGIL_FAILED;
	}
	json_t *o = json_object();
	if (!o) {
		vg_pe_free(pe);
		*fatal_reason = "out of memory";
		return VIGIL_FATAL;
	}
	headers(buf, len, pe, o);
	vg_ij_set(o, "sections", sections(pe));
	vg_ij_set(o, "imports", imports(pe));
	vg_ij_set(o, "exports", exports(pe));
	vg_ij_set(o, "version_info", version_info(pe));
	vg_ij_set(o, "certificate_table", cert_table(buf, pe));
	vg_ij_set(o, "after_certificate_table", range(pe->after_cert_off, pe->after_cert_len, buf));
	vg_ij_set(o, "overlay", range(pe->overlay_off, pe->overlay_len, buf));
	vg_ij_set(o, "anomalies", anomalies(pe->anomalies));

	json_t *sigs = json_array();
	int rc = VIGIL_OK;
	vg_authenticode ac = {0};
	int ast = VIGIL_FAILED;
	if (pe->signed_ && sigs) {
		ast = vg_authenticode_verify(buf, len, pe, opt ? opt->ca_file : NULL, &ac);
		if (ast == VIGIL_FATAL) {
			*fatal_reason = ac.error ? ac.error : "Authenticode verification failed";
			rc = VIGIL_FATAL;
		} else if (ast == VIGIL_FAILED && ac.error) {
			vg_ij_set(o, "signature_error", json_string(ac.error));
		}
		for (size_t i = 0; rc == VIGIL_OK && i < ac.nsigs; i++)
			json_array_append_new(sigs, signature(&ac.sigs[i]));
		if (ac.capped)
			vg_ij_set(o, "signatures_capped", json_true());
	}
	/* the scan's PE checks on this parse, reusing the verification (a
	 * failed one is redone there, as the scan would skip it) */
	if (rc == VIGIL_OK && vg_pe_sniff(buf, len)) {
		vg_check_pe_parsed(buf, len, pe, ast == VIGIL_FAILED ? NULL : &ac,
				   checks->emit, checks->ctx);
		checks->done = 1;
	}
	vg_authenticode_clear(&ac);
	vg_ij_set(o, "signatures", sigs);
	json_object_set_new(obj, "pe", o);
	vg_pe_free(pe);
	return rc;
}
