/* The Mach-O part of `vigil inspect`: each slice's CPU, type, linked dylibs
 * and code signature (identifier, Team ID). */
#include <stdio.h>

#include "formats/macho.h"
#include "inspect/inspect_internal.h"

static json_t *version(uint32_t v)
{
	char b[24];
	snprintf(b, sizeof b, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
	return json_string(b);
}

static json_t *dylibs(const vg_macho_slice *s)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < s->ndylibs; i++) {
		const vg_macho_dylib *d = &s->dylibs[i];
		const char *cmd = vg_macho_dylib_cmd_name(d->cmd);
		json_t *o = json_object();
		if (!o)
			break;
		vg_ij_set(o, "name", vg_json_text(d->name));
		vg_ij_set(o, "command", cmd ? json_string(cmd) : json_integer(d->cmd));
		vg_ij_set(o, "current_version", version(d->current_version));
		vg_ij_set(o, "compatibility_version", version(d->compat_version));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *codesig(const vg_macho_codesig *cs)
{
	if (!cs->present)
		return json_null();
	json_t *o = json_object();
	if (!o)
		return NULL;
	vg_ij_set(o, "offset", json_integer(cs->dataoff));
	vg_ij_set(o, "size", json_integer(cs->datasize));
	vg_ij_set(o, "superblob_ok", json_boolean(cs->superblob_ok));
	vg_ij_set(o, "code_directory", json_boolean(cs->has_cd));
	if (cs->has_cd) {
		vg_ij_set(o, "cd_version", json_integer(cs->cd_version));
		vg_ij_set(o, "cd_flags", json_integer(cs->cd_flags));
		vg_ij_set(o, "hash_type", json_integer(cs->cd_hash_type));
		vg_ij_set(o, "ad_hoc", json_boolean(cs->cd_flags & VG_CS_ADHOC));
	}
	vg_ij_set(o, "cms_signature", json_boolean(cs->has_cms));
	vg_ij_set(o, "identifier", vg_json_text(cs->identifier));
	vg_ij_set(o, "team_id", vg_json_text(cs->team_id));
	return o;
}

static json_t *anomalies(uint32_t bits)
{
	static const char *const names[] = {
		"", "slice past end of file", "nested fat or non-Mach-O slice",
		"load commands capped", "load commands past the end",
		"bad cmdsize", "dylib name outside its command", "dylibs capped",
		"code signature past the end", "code signature malformed",
		"more than one LC_CODE_SIGNATURE",
	};
	return vg_ij_flags(bits, names, sizeof names / sizeof *names);
}

static json_t *slice(const vg_macho_slice *s)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	const char *cpu = vg_macho_cpu_name(s->cputype);
	const char *ft = vg_macho_filetype_name(s->filetype);
	vg_ij_set(o, "offset", json_integer((json_int_t)s->offset));
	vg_ij_set(o, "size", json_integer((json_int_t)s->size));
	vg_ij_set(o, "bits", json_integer(s->is64 ? 64 : 32));
	vg_ij_set(o, "endianness", json_string(s->big_endian ? "big" : "little"));
	vg_ij_set(o, "cputype", json_integer(s->cputype));
	vg_ij_set(o, "cpu_name", cpu ? json_string(cpu) : json_null());
	vg_ij_set(o, "filetype", json_integer(s->filetype));
	vg_ij_set(o, "filetype_name", ft ? json_string(ft) : json_null());
	vg_ij_set(o, "flags", json_integer(s->flags));
	vg_ij_set(o, "load_commands", json_integer(s->ncmds));
	vg_ij_set(o, "install_name", vg_json_text(s->id_dylib));
	vg_ij_set(o, "dylibs", dylibs(s));
	vg_ij_set(o, "code_signature", codesig(&s->cs));
	vg_ij_set(o, "anomalies", anomalies(s->anomalies));
	return o;
}

int vg_inspect_macho(const uint8_t *buf, size_t len, json_t *obj)
{
	vg_macho *m = NULL;
	int st = vg_macho_parse(buf, len, &m);
	if (st == VIGIL_FATAL)
		return VIGIL_FATAL;
	if (st == VIGIL_FAILED) {
		vg_ij_set(obj, "format_error", json_string(m->error));
		vg_macho_free(m);
		return VIGIL_FAILED;
	}
	json_t *o = json_object(), *a = json_array();
	if (!o || !a) {
		json_decref(o);
		json_decref(a);
		vg_macho_free(m);
		return VIGIL_FATAL;
	}
	vg_ij_set(o, "fat", json_boolean(m->fat));
	if (m->fat)
		vg_ij_set(o, "fat_architectures", json_integer(m->nfat_arch));
	for (size_t i = 0; i < m->nslices; i++)
		json_array_append_new(a, slice(&m->slices[i]));
	json_object_set_new(o, "slices", a);
	json_object_set_new(obj, "macho", o);
	vg_macho_free(m);
	return VIGIL_OK;
}
