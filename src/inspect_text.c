/*
 * `vigil inspect` as readable text: a header block, then one block per part
 * of the anatomy, then the findings. Long lists are cut with a pointer to
 * --json, which always has everything.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/escape.h>

#include "inspect_text.h"

#define MAX_IMPORTS_PER_DLL 24
#define MAX_EXPORTS 40
#define MAX_NETWORK 60
#define WRAP 78

/* A string member, escaped for the terminal; "-" when absent. Freed by
 * the next call with the same slot. */
static const char *str(const json_t *o, const char *key, int slot)
{
	static char *keep[4];
	const char *s = json_string_value(json_object_get(o, key));
	free(keep[slot]);
	keep[slot] = s ? vigil_escape_str(s) : NULL;
	return keep[slot] ? keep[slot] : "-";
}

static json_int_t num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static int has(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return v && !json_is_null(v);
}

static int truth(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static void entropy(FILE *out, const json_t *o)
{
	const json_t *e = json_object_get(o, "entropy");
	if (json_is_number(e))
		fprintf(out, "%.2f", json_number_value(e));
	else
		fputs("-", out);
}

/* "name, name, ..." wrapped at WRAP columns with the given indent. */
struct wrap {
	FILE *out;
	size_t col, indent;
	int first;
};

static void wrap_word(struct wrap *w, const char *word)
{
	size_t n = strlen(word) + (w->first ? 0 : 2);
	if (!w->first && w->col + n > WRAP) {
		fprintf(w->out, ",\n%*s%s", (int)w->indent, "", word);
		w->col = w->indent + strlen(word);
	} else {
		fprintf(w->out, "%s%s", w->first ? "" : ", ", word);
		w->col += n;
	}
	w->first = 0;
}

static void header(FILE *out, const json_t *r)
{
	/* the record holds the exact name: escaped as `vigil scan` prints it */
	const char *path = json_string_value(json_object_get(r, "path"));
	char *e = path ? vigil_escape_str(path) : NULL;
	fprintf(out, "%s\n", e ? e : "-");
	free(e);
	fprintf(out, "  size         %" JSON_INTEGER_FORMAT " bytes, entropy ", num(r, "size"));
	entropy(out, r);
	fprintf(out, "\n  md5          %s\n", str(r, "md5", 0));
	fprintf(out, "  sha1         %s\n", str(r, "sha1", 0));
	fprintf(out, "  sha256       %s\n", str(r, "sha256", 0));
	fprintf(out, "  format       %s (file type %s)\n", str(r, "format", 0),
		str(r, "filetype", 1));
	if (has(r, "format_error"))
		fprintf(out, "  parse error  %s\n", str(r, "format_error", 0));
}

static void anomalies(FILE *out, const json_t *o)
{
	const json_t *a = json_object_get(o, "anomalies");
	if (!json_array_size(a))
		return;
	struct wrap w = {out, 15, 15, 1};
	fputs("  anomalies    ", out);
	size_t i;
	const json_t *v;
	json_array_foreach(a, i, v) {
		if (json_is_string(v))
			wrap_word(&w, json_string_value(v));
	}
	fputc('\n', out);
}

static void pe_sections(FILE *out, const json_t *pe)
{
	const json_t *a = json_object_get(pe, "sections");
	fprintf(out, "\nsections (%zu)\n", json_array_size(a));
	if (!json_array_size(a))
		return;
	fprintf(out, "  %-10s %10s %10s %10s %10s  %-5s %s\n", "name", "vaddr", "vsize",
		"raw off", "raw size", "flags", "entropy");
	size_t i;
	const json_t *s;
	json_array_foreach(a, i, s) {
		fprintf(out, "  %-10s 0x%08llx", str(s, "name", 0),
			num(s, "virtual_address"));
		fprintf(out, " 0x%08llx 0x%08llx"
			" 0x%08llx  %-5s ", num(s, "virtual_size"),
			num(s, "raw_offset"), num(s, "raw_size"), str(s, "flags", 1));
		entropy(out, s);
		fputc('\n', out);
	}
}

/* Function names of an import or export list (by ordinal: "#N"), the
 * first max of them, wrapped. */
static void function_list(struct wrap *w, const json_t *fs, size_t max)
{
	size_t i;
	const json_t *f;
	json_array_foreach(fs, i, f) {
		char b[48];
		if (i == max) {
			snprintf(b, sizeof b, "... %zu more", json_array_size(fs) - i);
			wrap_word(w, b);
			break;
		}
		if (has(f, "name")) {
			wrap_word(w, str(f, "name", 1));
		} else {
			snprintf(b, sizeof b, "#%" JSON_INTEGER_FORMAT, num(f, "ordinal"));
			wrap_word(w, b);
		}
	}
	fputc('\n', w->out);
}

static void pe_imports(FILE *out, const json_t *pe)
{
	const json_t *a = json_object_get(pe, "imports"), *d;
	size_t i, total = 0;
	json_array_foreach(a, i, d) total += json_array_size(json_object_get(d, "functions"));
	fprintf(out, "\nimports (%zu DLLs, %zu functions)\n", json_array_size(a), total);
	json_array_foreach(a, i, d) {
		const json_t *fs = json_object_get(d, "functions");
		fprintf(out, "  %s (%zu): ", str(d, "dll", 0), json_array_size(fs));
		struct wrap w = {out, 6 + strlen(str(d, "dll", 0)), 4, 1};
		function_list(&w, fs, MAX_IMPORTS_PER_DLL);
	}
}

static void pe_exports(FILE *out, const json_t *pe)
{
	const json_t *ex = json_object_get(pe, "exports");
	const json_t *a = json_object_get(ex, "functions");
	if (!json_array_size(a))
		return;
	fprintf(out, "\nexports (%zu) of %s\n  ", json_array_size(a), str(ex, "dll_name", 0));
	struct wrap w = {out, 2, 2, 1};
	function_list(&w, a, MAX_EXPORTS);
}

static void pe_version(FILE *out, const json_t *pe)
{
	const json_t *v = json_object_get(pe, "version_info");
	if (!json_is_object(v))
		return;
	fputs("\nversion information\n", out);
	static const char *const keys[] = {"CompanyName", "ProductName", "FileVersion",
					   "OriginalFilename"};
	for (size_t i = 0; i < 4; i++)
		if (has(v, keys[i]))
			fprintf(out, "  %-17s %s\n", keys[i], str(v, keys[i], 0));
}

static void range_line(FILE *out, const char *label, const json_t *o)
{
	if (!json_is_object(o))
		return;
	fprintf(out, "\n%s: %" JSON_INTEGER_FORMAT " bytes at 0x%llx, entropy ",
		label, num(o, "size"), num(o, "offset"));
	entropy(out, o);
	fputc('\n', out);
}

static void pe_certs(FILE *out, const json_t *pe)
{
	const json_t *t = json_object_get(pe, "certificate_table");
	if (!json_is_object(t)) {
		fputs("\ncertificate table: none (not signed)\n", out);
		return;
	}
	const json_t *a = json_object_get(t, "entries"), *e;
	fprintf(out, "\ncertificate table at 0x%llx, %" JSON_INTEGER_FORMAT
		" bytes, %zu entr%s\n", num(t, "offset"), num(t, "size"), json_array_size(a),
		json_array_size(a) == 1 ? "y" : "ies");
	size_t i;
	json_array_foreach(a, i, e) {
		const json_t *s = json_object_get(e, "slack");
		fprintf(out, "  [%zu] at 0x%llx, dwLength %" JSON_INTEGER_FORMAT
			", revision 0x%04llx, type %" JSON_INTEGER_FORMAT
			", DER %s", i, num(e, "offset"), num(e, "length"), num(e, "revision"),
			num(e, "type"), str(e, "der", 0));
		if (has(e, "der_length"))
			fprintf(out, " (%" JSON_INTEGER_FORMAT " bytes)", num(e, "der_length"));
		fprintf(out, "\n      slack %" JSON_INTEGER_FORMAT " bytes at 0x%llx"
			": alignment allows %" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT
			" non-zero, entropy ", num(s, "size"), num(s, "offset"),
			num(s, "alignment_allows"), num(s, "nonzero"));
		entropy(out, s);
		fputc('\n', out);
	}
}

static const char *verdict(const json_t *s, const char *key, const char *yes,
			   const char *no, const char *unknown)
{
	const json_t *v = json_object_get(s, key);
	return json_is_true(v) ? yes : json_is_false(v) ? no : unknown;
}

static void pe_signatures(FILE *out, const json_t *pe)
{
	const json_t *a = json_object_get(pe, "signatures"), *s;
	if (has(pe, "signature_error"))
		fprintf(out, "\nsignatures: %s\n", str(pe, "signature_error", 0));
	if (!json_array_size(a))
		return;
	fprintf(out, "\nsignatures (%zu)\n", json_array_size(a));
	size_t i;
	json_array_foreach(a, i, s) {
		if (has(s, "error") && !has(s, "digest_algorithm")) {
			fprintf(out, "  [%zu] entry %" JSON_INTEGER_FORMAT "%s: not examined: %s\n", i,
				num(s, "entry"), num(s, "nested") ? " (nested)" : "", str(s, "error", 0));
			continue;
		}
		fprintf(out, "  [%zu] entry %" JSON_INTEGER_FORMAT "%s, %s: %s, %s, %s\n", i,
			num(s, "entry"), num(s, "nested") ? " (nested)" : "",
			str(s, "digest_algorithm", 0),
			verdict(s, "digest_match", "digest matches", "DIGEST MISMATCH",
				"digest not computed"),
			verdict(s, "intact", "signature intact", "SIGNATURE INVALID",
				"signature not examined"),
			verdict(s, "trusted", "signer trusted for code signing",
				"signer NOT trusted", "chain not checked (no --ca-file)"));
		if (has(s, "error"))
			fprintf(out, "      error       %s\n", str(s, "error", 0));
		if (has(s, "trust_error"))
			fprintf(out, "      chain       %s [%s]\n", str(s, "trust_error", 0),
				str(s, "trust_reason", 1));
		if (has(s, "trust_time"))
			fprintf(out, "      verified at %s (%s)\n", str(s, "trust_time", 0),
				!strcmp(str(s, "trust_time_source", 1), "timestamp")
					? "the timestamp's time" : "the current time");
		fprintf(out, "      subject     %s\n", str(s, "subject", 0));
		fprintf(out, "      issuer      %s\n", str(s, "issuer", 0));
		fprintf(out, "      serial      %s\n", str(s, "serial", 0));
		fprintf(out, "      thumbprint  %s (SHA-1)\n", str(s, "thumbprint_sha1", 0));
		fprintf(out, "      valid       %s to %s\n", str(s, "not_before", 0),
			str(s, "not_after", 1));
		fprintf(out, "      signed at   %s\n",
			has(s, "signing_time") ? str(s, "signing_time", 0) : "(no signing-time attribute)");
		if (!has(s, "timestamp")) {
			fputs("      timestamp   none\n", out);
		} else {
			fprintf(out, "      timestamp   %s at %s, %s\n", str(s, "timestamp", 0),
				has(s, "timestamp_time") ? str(s, "timestamp_time", 1) : "(no time)",
				verdict(s, "timestamp_valid", "valid", "NOT VALID",
					"not checked (no --ca-file)"));
			fprintf(out, "      TSA         %s\n",
				has(s, "timestamp_authority") ? str(s, "timestamp_authority", 2)
							      : "(certificate not found)");
			if (has(s, "timestamp_error"))
				fprintf(out, "      ts error    %s [%s]\n", str(s, "timestamp_error", 0),
					str(s, "timestamp_reason", 1));
		}
		if (truth(s, "digest_match") != 1 && has(s, "image_digest"))
			fprintf(out, "      digests     signed %s, file %s\n",
				str(s, "signed_digest", 0), str(s, "image_digest", 1));
	}
}

static void pe(FILE *out, const json_t *p)
{
	fprintf(out, "  kind         %s %s%s, subsystem %s\n", str(p, "kind", 0),
		has(p, "machine_name") ? str(p, "machine_name", 1) : "unknown machine",
		truth(p, "dll") ? " DLL" : "", str(p, "subsystem_name", 2));
	if (truth(p, "reproducible"))
		fputs("  linked       reproducible build (timestamp field is a hash)\n", out);
	else if (num(p, "timestamp") == 0)
		fputs("  linked       (timestamp field is 0)\n", out);
	else
		fprintf(out, "  linked       %s\n", str(p, "timestamp_utc", 0));
	fprintf(out, "  entry point  0x%llx, image base 0x%llx"
		"\n", num(p, "entry_point"), num(p, "image_base"));
	fprintf(out, "  checksum     0x%08llx (computed 0x%08llx"
		")\n", num(p, "checksum"), num(p, "checksum_computed"));
	anomalies(out, p);
	pe_version(out, p);
	pe_sections(out, p);
	pe_imports(out, p);
	pe_exports(out, p);
	pe_certs(out, p);
	pe_signatures(out, p);
	range_line(out, "data after the certificate table", json_object_get(p, "after_certificate_table"));
	const json_t *ov = json_object_get(p, "overlay");
	const json_t *ct = json_object_get(p, "certificate_table");
	range_line(out, json_is_object(ct) && num(ct, "offset") >= num(ov, "offset")
		   ? "overlay (after the last section; the certificate table is in it)"
		   : "overlay (after the last section)", ov);
}

static void elf(FILE *out, const json_t *e)
{
	fprintf(out, "  kind         %s %s-endian %s, machine %s\n", str(e, "class", 0),
		str(e, "endianness", 1), str(e, "type", 2),
		has(e, "machine_name") ? str(e, "machine_name", 3) : "unknown");
	fprintf(out, "  entry point  0x%llx\n", num(e, "entry_point"));
	fprintf(out, "  interpreter  %s\n", str(e, "interpreter", 0));
	if (has(e, "soname"))
		fprintf(out, "  soname       %s\n", str(e, "soname", 0));
	fprintf(out, "  build-id     %s\n", str(e, "build_id", 0));
	const json_t *n = json_object_get(e, "needed"), *v, *s;
	size_t i;
	if (json_array_size(n)) {
		fputs("  needed       ", out);
		struct wrap w = {out, 15, 15, 1};
		json_array_foreach(n, i, v) {
			if (!json_is_string(v))
				continue;
			char *x = vigil_escape_str(json_string_value(v));
			wrap_word(&w, x ? x : "?");
			free(x);
		}
		fputc('\n', out);
	}
	anomalies(out, e);
	const json_t *seg = json_object_get(e, "segments");
	fprintf(out, "\nsegments (%zu)\n", json_array_size(seg));
	json_array_foreach(seg, i, s)
		fprintf(out, "  %-14s %s offset 0x%08llx vaddr 0x%08llx"
			" filesz 0x%llx memsz 0x%llx"
			"\n", str(s, "type", 0), str(s, "flags", 1),
			num(s, "offset"), num(s, "vaddr"), num(s, "file_size"), num(s, "memory_size"));
	const json_t *sec = json_object_get(e, "sections");
	fprintf(out, "\nsections (%zu)\n", json_array_size(sec));
	json_array_foreach(sec, i, s) {
		fprintf(out, "  %-20s %s offset 0x%08llx size 0x%08llx"
			" entropy ", str(s, "name", 0), str(s, "flags", 1),
			num(s, "offset"), num(s, "size"));
		entropy(out, s);
		fputc('\n', out);
	}
	range_line(out, "appended after the ELF data", json_object_get(e, "appended"));
}

static void macho(FILE *out, const json_t *m)
{
	const json_t *a = json_object_get(m, "slices"), *s, *d;
	size_t i, j;
	fprintf(out, "  kind         %s, %zu slice%s\n", truth(m, "fat") ? "universal (fat)" : "thin",
		json_array_size(a), json_array_size(a) == 1 ? "" : "s");
	json_array_foreach(a, i, s) {
		fprintf(out, "\nslice %zu: %s %" JSON_INTEGER_FORMAT "-bit %s, at 0x%llx"
			", %" JSON_INTEGER_FORMAT " bytes, %"
			JSON_INTEGER_FORMAT " load commands\n", i,
			has(s, "cpu_name") ? str(s, "cpu_name", 0) : "unknown CPU", num(s, "bits"),
			str(s, "filetype_name", 1), num(s, "offset"), num(s, "size"),
			num(s, "load_commands"));
		if (has(s, "install_name"))
			fprintf(out, "  install name %s\n", str(s, "install_name", 0));
		anomalies(out, s);
		const json_t *cs = json_object_get(s, "code_signature");
		if (json_is_object(cs))
			fprintf(out, "  signature    %s%s, identifier %s, Team ID %s\n",
				truth(cs, "cms_signature") ? "CMS-signed" :
				truth(cs, "ad_hoc") ? "ad hoc" : "code directory only",
				truth(cs, "superblob_ok") ? "" : " (malformed)",
				str(cs, "identifier", 0), str(cs, "team_id", 1));
		else
			fputs("  signature    none (no LC_CODE_SIGNATURE)\n", out);
		const json_t *dl = json_object_get(s, "dylibs");
		fprintf(out, "  dylibs (%zu)\n", json_array_size(dl));
		json_array_foreach(dl, j, d)
			fprintf(out, "    %s (%s)\n", str(d, "name", 0), str(d, "command", 1));
	}
}

static void network(FILE *out, const json_t *r)
{
	const json_t *a = json_object_get(r, "network"), *n;
	fprintf(out, "\nnetwork indicators in strings (%zu%s)\n", json_array_size(a),
		truth(r, "network_capped") ? ", capped" : "");
	size_t i;
	json_array_foreach(a, i, n) {
		if (i == MAX_NETWORK) {
			fprintf(out, "  ... %zu more (--json lists all)\n", json_array_size(a) - i);
			break;
		}
		fprintf(out, "  %-6s %s  (offset 0x%llx%s)\n", str(n, "kind", 0),
			str(n, "value", 1), num(n, "offset"), truth(n, "utf16") ? ", UTF-16" : "");
	}
}

static void findings(FILE *out, const json_t *r)
{
	const json_t *a = json_object_get(r, "findings"), *f;
	fprintf(out, "\nfindings: score %" JSON_INTEGER_FORMAT " (%s)\n", num(r, "score"),
		str(r, "level", 0));
	size_t i;
	json_array_foreach(a, i, f)
		fprintf(out, "  [%s %" JSON_INTEGER_FORMAT "] %s: %s\n", str(f, "level", 0),
			num(f, "score"), str(f, "id", 1), str(f, "message", 2));
	if (!json_array_size(a))
		fputs("  none\n", out);
}

void inspect_print_text(FILE *out, const json_t *r)
{
	header(out, r);
	if (json_is_object(json_object_get(r, "pe")))
		pe(out, json_object_get(r, "pe"));
	else if (json_is_object(json_object_get(r, "elf")))
		elf(out, json_object_get(r, "elf"));
	else if (json_is_object(json_object_get(r, "macho")))
		macho(out, json_object_get(r, "macho"));
	network(out, r);
	findings(out, r);
}
