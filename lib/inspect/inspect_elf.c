/* The ELF part of `vigil inspect`: header, interpreter, DT_NEEDED, build-id,
 * segments, sections with entropy, data appended after the ELF's own. */
#include <stdio.h>
#include <stdlib.h>

#include "base/entropy.h"
#include "formats/elf.h"
#include "inspect/inspect_internal.h"

static json_t *number_or_name(const char *name, uint64_t v)
{
	if (name)
		return json_string(name);
	char b[32];
	snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
	return json_string(b);
}

static json_t *segment_flags(uint32_t f)
{
	char s[4] = {f & 4 ? 'r' : '-', f & 2 ? 'w' : '-', f & 1 ? 'x' : '-', '\0'};
	return json_string(s);
}

static json_t *segments(const vg_elf *e)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < e->nsegments; i++) {
		const vg_elf_segment *s = &e->segments[i];
		json_t *o = json_object();
		if (!o)
			break;
		vg_ij_set(o, "type", number_or_name(vg_elf_segment_type_name(s->type), s->type));
		vg_ij_set(o, "flags", segment_flags(s->flags));
		vg_ij_set(o, "offset", json_integer((json_int_t)s->offset));
		vg_ij_set(o, "vaddr", json_integer((json_int_t)s->vaddr));
		vg_ij_set(o, "file_size", json_integer((json_int_t)s->filesz));
		vg_ij_set(o, "memory_size", json_integer((json_int_t)s->memsz));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *sections(const vg_elf *e)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < e->nsections; i++) {
		const vg_elf_section *s = &e->sections[i];
		json_t *o = json_object();
		if (!o)
			break;
		char f[4] = {s->flags & 2 ? 'a' : '-', s->flags & 1 ? 'w' : '-',
			     s->flags & 4 ? 'x' : '-', '\0'}; /* SHF_ALLOC/WRITE/EXECINSTR */
		vg_ij_set(o, "name", vg_json_text(s->name));
		vg_ij_set(o, "type", json_integer(s->type));
		vg_ij_set(o, "flags", json_string(f));
		vg_ij_set(o, "offset", json_integer((json_int_t)s->offset));
		vg_ij_set(o, "size", json_integer((json_int_t)s->size));
		vg_ij_set(o, "entropy", vg_ij_entropy(s->entropy));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *anomalies(uint32_t bits)
{
	static const char *const names[] = {
		"segments capped", "sections capped", "program headers past end of file",
		"section headers past end of file", "segment past end of file",
		"section past end of file", "bad header entry size", "bad string table",
		"dynamic section bad", "notes bad", "interpreter bad",
		"libelf refused part of the file",
		"entropy budget spent: later sections not computed",
	};
	return vg_ij_flags(bits, names, sizeof names / sizeof *names);
}

int vg_inspect_elf(const uint8_t *buf, size_t len, json_t *obj)
{
	vg_elf *e = NULL;
	int st = vg_elf_parse(buf, len, &e);
	if (st == VIGIL_FATAL)
		return VIGIL_FATAL;
	if (st == VIGIL_FAILED) {
		vg_ij_set(obj, "format_error", json_string(e->error));
		vg_elf_free(e);
		return VIGIL_FAILED;
	}
	json_t *o = json_object(), *needed = json_array();
	if (!o || !needed) {
		json_decref(o);
		json_decref(needed);
		vg_elf_free(e);
		return VIGIL_FATAL;
	}
	const vg_elf_layout *l = &e->layout;
	vg_ij_set(o, "class", json_string(l->is64 ? "ELF64" : "ELF32"));
	vg_ij_set(o, "endianness", json_string(l->big_endian ? "big" : "little"));
	vg_ij_set(o, "type", number_or_name(vg_elf_type_name(l->type), l->type));
	vg_ij_set(o, "machine", json_integer(l->machine));
	const char *m = vg_elf_machine_name(l->machine);
	vg_ij_set(o, "machine_name", m ? json_string(m) : json_null());
	vg_ij_set(o, "entry_point", json_integer((json_int_t)l->entry));
	vg_ij_set(o, "interpreter", vg_json_text(e->interp));
	vg_ij_set(o, "soname", vg_json_text(e->soname));
	for (size_t i = 0; i < e->nneeded; i++)
		json_array_append_new(needed, vg_json_text(e->needed[i]));
	json_object_set_new(o, "needed", needed);
	vg_ij_set(o, "build_id", e->build_id_len ? vg_json_hex(e->build_id, e->build_id_len)
						 : json_null());
	vg_ij_set(o, "segments", segments(e));
	vg_ij_set(o, "sections", sections(e));
	if (e->appended_len) {
		json_t *ap = json_object();
		if (ap) {
			vg_ij_set(ap, "offset", json_integer((json_int_t)e->appended_off));
			vg_ij_set(ap, "size", json_integer((json_int_t)e->appended_len));
			vg_ij_set(ap, "entropy", vg_ij_entropy(vg_entropy(
				buf + e->appended_off, (size_t)e->appended_len)));
			json_object_set_new(o, "appended", ap);
		}
	} else {
		json_object_set_new(o, "appended", json_null());
	}
	vg_ij_set(o, "anomalies", anomalies(e->anomalies));
	json_object_set_new(obj, "elf", o);
	vg_elf_free(e);
	return VIGIL_OK;
}
