/*
 * The MSI reader (containers/msi.c) through its vg_container_ops, on
 * installers that wixl (msitools) builds at test time from benign
 * look-alikes of the 3CX installer's files: ContosoPhone/ffmpeg.dll and
 * ContosoPhone/d3dcompiler_47.dll in an embedded cabinet, and a
 * custom-action DLL in the Binary table. Damaged variants (every
 * truncation on a 64-byte grid, every byte of the directory sector
 * flipped, a File row deleted, a File row without cabinet member, a
 * Directory_Parent loop) must
 * give errors, keep the other members, and not crash (run under ASan).
 * Skipped when wixl or msibuild is not installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsf/gsf.h>
#include <openssl/evp.h>

#include "containers/container.h"
#include "containers/msi_tables.h"
#include "test_files.h"

extern const vg_container_ops vg_reader_msi, vg_reader_ole2;

static char dir[512];
static int have_tools;

/* the files the installer carries */
static uint8_t ffmpeg[4096], d3d[100000], ca[600];

static void fill(uint8_t *b, size_t n, uint32_t seed, const char *text)
{
	b[0] = 'M';
	b[1] = 'Z';
	for (size_t i = 2; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
	memcpy(b + 64, text, strlen(text));
}

static const char wxs[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Wix xmlns=\"http://schemas.microsoft.com/wix/2006/wi\">\n"
	" <Product Id=\"*\" Name=\"Contoso Phone\" Language=\"1033\" Version=\"1.0.0\"\n"
	"  Manufacturer=\"Contoso\" UpgradeCode=\"6d3f1d52-0f7e-4b8e-9d43-1a2b3c4d5e6f\">\n"
	"  <Package InstallerVersion=\"200\" Compressed=\"yes\"/>\n"
	"  <Media Id=\"1\" Cabinet=\"payload.cab\" EmbedCab=\"yes\"/>\n"
	"  <Binary Id=\"CustomActionDll\" SourceFile=\"ca.dll\"/>\n"
	"  <CustomAction Id=\"RunIt\" BinaryKey=\"CustomActionDll\" DllEntry=\"Go\"\n"
	"   Execute=\"immediate\" Return=\"ignore\"/>\n"
	"  <Directory Id=\"TARGETDIR\" Name=\"SourceDir\">\n"
	"   <Directory Id=\"INSTALLDIR\" Name=\"ContosoPhone\">\n"
	"    <Component Id=\"C1\" Guid=\"11111111-2222-3333-4444-555555555555\">\n"
	"     <File Id=\"ffmpeg.dll\" Name=\"ffmpeg.dll\" Source=\"ffmpeg.dll\" KeyPath=\"yes\"/>\n"
	"    </Component>\n"
	"    <Component Id=\"C2\" Guid=\"11111111-2222-3333-4444-555555555556\">\n"
	"     <File Id=\"d3dcompiler_47.dll\" Name=\"d3dcompiler_47.dll\"\n"
	"      Source=\"d3dcompiler_47.dll\" KeyPath=\"yes\"/>\n"
	"    </Component>\n"
	"   </Directory>\n"
	"  </Directory>\n"
	"  <Feature Id=\"Main\" Level=\"1\"><ComponentRef Id=\"C1\"/><ComponentRef Id=\"C2\"/></Feature>\n"
	"  <InstallExecuteSequence><Custom Action=\"RunIt\" After=\"CostFinalize\"/></InstallExecuteSequence>\n"
	" </Product>\n"
	"</Wix>\n";

static void path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* a shell command in the scratch directory */
static int run(const char *what)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "cd '%s' && %s", dir, what);
	return system(cmd);
}

static int setup_all(void **state)
{
	test_scratch_path("msi", dir, sizeof dir);
	mkdir(dir, 0700);
	have_tools = system("command -v wixl >/dev/null 2>&1 && "
			    "command -v msibuild >/dev/null 2>&1") == 0;
	if (!have_tools)
		return 0;
	fill(ffmpeg, sizeof ffmpeg, 1, "benign ffmpeg look-alike for vigil tests");
	fill(d3d, sizeof d3d, 2, "benign d3dcompiler look-alike for vigil tests");
	fill(ca, sizeof ca, 3, "benign custom action for vigil tests");
	char p[600];
	path_in(p, sizeof p, "ffmpeg.dll");
	test_write_file(p, ffmpeg, sizeof ffmpeg);
	path_in(p, sizeof p, "d3dcompiler_47.dll");
	test_write_file(p, d3d, sizeof d3d);
	path_in(p, sizeof p, "ca.dll");
	test_write_file(p, ca, sizeof ca);
	path_in(p, sizeof p, "s.wxs");
	test_write_file(p, wxs, strlen(wxs));
	if (run("wixl -o setup.msi s.wxs") != 0)
		return -1;
	/* a File row deleted: its cabinet member has no installed name */
	if (run("cp setup.msi del.msi && msibuild del.msi -q "
		"\"DELETE FROM \\`File\\` WHERE \\`File\\` = 'd3dcompiler_47.dll'\"") ||
	    /* a File row whose key is in no cabinet */
	    run("cp setup.msi ghost.msi && msibuild ghost.msi -q "
		"\"INSERT INTO \\`File\\` (\\`File\\`, \\`Component_\\`, \\`FileName\\`, "
		"\\`FileSize\\`, \\`Attributes\\`, \\`Sequence\\`) VALUES "
		"('ghost.dll', 'C1', 'GHOST~1.DLL|ghost.dll', 5, 512, 2)\"") ||
	    /* a Directory_Parent loop: TARGETDIR under INSTALLDIR */
	    run("cp setup.msi loop.msi && msibuild loop.msi -q "
		"\"UPDATE \\`Directory\\` SET \\`Directory_Parent\\` = 'INSTALLDIR' "
		"WHERE \\`Directory\\` = 'TARGETDIR'\""))
		return -1;
	return 0;
}

static int teardown_all(void **state)
{
	if (dir[0])
		run("rm -rf ./*");
	return 0;
}

static uint8_t *slurp(const char *name, size_t *n)
{
	char p[600];
	path_in(p, sizeof p, name);
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	uint8_t *b = malloc((size_t)len);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

#define MAXM 16

typedef struct got {
	size_t n, ndamaged;
	char name[MAXM][256];
	uint64_t size[MAXM];
	size_t nread[MAXM];
	uint8_t sha[MAXM][32];
	const char *unreadable[MAXM];
	char damaged[MAXM][VG_C_ERRLEN];
	int open_failed, fatal;
} got;

/* Every member read to its end through ops; bounded so that a reader that
 * never ends fails the test instead of hanging it. */
static void walk_all(const vg_container_ops *ops, const vg_blob *src, got *g)
{
	char err[VG_C_ERRLEN];
	memset(g, 0, sizeof *g);
	void *st = ops->open(src, err);
	if (!st) {
		assert_true(err[0] != '\0');
		g->open_failed = 1;
		return;
	}
	static uint8_t buf[8192];
	for (int guard = 0; guard < 10000; guard++) {
		vg_member m;
		int r = ops->next(st, &m, err);
		if (r == VG_C_END)
			break;
		if (r == VG_C_FATAL) {
			assert_true(err[0] != '\0');
			g->fatal = 1;
			break;
		}
		if (r == VG_C_DAMAGED) {
			assert_true(err[0] != '\0');
			if (g->ndamaged < MAXM)
				snprintf(g->damaged[g->ndamaged], VG_C_ERRLEN, "%s", err);
			g->ndamaged++;
			continue;
		}
		assert_int_equal(r, VG_C_OK);
		assert_non_null(m.name);
		size_t i = g->n < MAXM ? g->n : MAXM - 1;
		snprintf(g->name[i], sizeof g->name[i], "%s", m.name);
		g->size[i] = m.size;
		g->unreadable[i] = m.unreadable;
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		EVP_DigestInit_ex(md, EVP_sha256(), NULL);
		size_t n;
		int rr;
		g->nread[i] = 0;
		while ((rr = ops->read(st, buf, sizeof buf, &n, err)) == VG_C_OK) {
			assert_true(n > 0 && n <= sizeof buf);
			EVP_DigestUpdate(md, buf, n);
			g->nread[i] += n;
		}
		EVP_DigestFinal_ex(md, g->sha[i], NULL);
		EVP_MD_CTX_free(md);
		if (rr != VG_C_END)
			g->ndamaged++;
		g->n++;
	}
	ops->close(st);
}

static int find(const got *g, const char *name)
{
	for (size_t i = 0; i < g->n && i < MAXM; i++)
		if (!strcmp(g->name[i], name))
			return (int)i;
	return -1;
}

static void assert_member(const got *g, const char *name, const uint8_t *b,
			  size_t n)
{
	int i = find(g, name);
	if (i < 0)
		fail_msg("member '%s' not found", name);
	assert_int_equal(g->size[i], n);
	assert_int_equal(g->nread[i], n);
	uint8_t sha[32];
	EVP_Digest(b, n, sha, NULL, EVP_sha256(), NULL);
	assert_memory_equal(g->sha[i], sha, 32);
}

static void test_members(void **state)
{
	if (!have_tools)
		skip();
	size_t n;
	uint8_t *b = slurp("setup.msi", &n);
	vg_blob src = vg_blob_mem(b, n);
	size_t hn = n < 65536 ? n : 65536;
	assert_ptr_equal(vg_container_detect(&src, b, hn, "setup.msi"), &vg_reader_msi);
	/* the root CLSID decides, not the name */
	assert_true(vg_reader_msi.probe(&src, b, hn, "x.bin"));
	assert_false(vg_reader_ole2.probe(&src, b, hn, "x.bin"));
	got g;
	walk_all(&vg_reader_msi, &src, &g);
	assert_false(g.open_failed);
	assert_int_equal(g.ndamaged, 0);
	/* the cabinet's files under their installed names, the custom action,
	 * the summary stream; no table stream, no cabinet stream */
	assert_int_equal(g.n, 4);
	assert_string_equal(g.name[0], "ContosoPhone/ffmpeg.dll");
	assert_string_equal(g.name[1], "ContosoPhone/d3dcompiler_47.dll");
	assert_string_equal(g.name[2], "Binary/CustomActionDll");
	assert_string_equal(g.name[3], "\005SummaryInformation");
	assert_member(&g, "ContosoPhone/ffmpeg.dll", ffmpeg, sizeof ffmpeg);
	assert_member(&g, "ContosoPhone/d3dcompiler_47.dll", d3d, sizeof d3d);
	assert_member(&g, "Binary/CustomActionDll", ca, sizeof ca);
	free(b);
}

/* the same through a descriptor, and read as plain OLE2 */
static void test_fd_and_ole2(void **state)
{
	if (!have_tools)
		skip();
	char p[600];
	path_in(p, sizeof p, "setup.msi");
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	vg_blob src = {NULL, fd, (uint64_t)st.st_size};
	got g;
	walk_all(&vg_reader_msi, &src, &g);
	assert_int_equal(g.n, 4);
	assert_member(&g, "ContosoPhone/d3dcompiler_47.dll", d3d, sizeof d3d);
	/* as OLE2: the streams under their stored (encoded) names, the
	 * cabinet not opened */
	walk_all(&vg_reader_ole2, &src, &g);
	assert_false(g.open_failed);
	assert_true(g.n >= 4);
	assert_int_equal(find(&g, "ContosoPhone/ffmpeg.dll"), -1);
	close(fd);
}

static void test_not_ole(void **state)
{
	static const uint8_t zip[] = "PK\003\004 not a compound file";
	vg_blob src = vg_blob_mem(zip, sizeof zip);
	assert_false(vg_reader_msi.probe(&src, zip, sizeof zip, "setup.msi"));
	assert_false(vg_reader_ole2.probe(&src, zip, sizeof zip, "setup.msi"));
	/* OLE2 magic, nothing else: probe says msi by name, open fails */
	uint8_t hdr[512] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	src = vg_blob_mem(hdr, sizeof hdr);
	assert_true(vg_reader_msi.probe(&src, hdr, sizeof hdr, "setup.msi"));
	assert_false(vg_reader_msi.probe(&src, hdr, sizeof hdr, "setup.bin"));
	assert_true(vg_reader_ole2.probe(&src, hdr, sizeof hdr, "setup.bin"));
	char err[VG_C_ERRLEN];
	assert_null(vg_reader_msi.open(&src, err));
	assert_non_null(strstr(err, "OLE2"));
}

static void test_truncated(void **state)
{
	if (!have_tools)
		skip();
	size_t n;
	uint8_t *b = slurp("setup.msi", &n);
	size_t failed = 0, partial = 0, cuts = 0;
	for (size_t cut = 0; cut < n; cut += cut < 1024 ? 8 : 64, cuts++) {
		/* an exact-size copy so that ASan sees a read past the end */
		uint8_t *c = malloc(cut ? cut : 1);
		memcpy(c, b, cut);
		vg_blob src = vg_blob_mem(c, cut);
		got g;
		walk_all(&vg_reader_msi, &src, &g);
		if (g.open_failed)
			failed++;
		else if (g.ndamaged || g.n < 4)
			partial++;
		free(c);
	}
	/* a cut file is refused or damaged, never silently complete (wixl
	 * writes the allocation table last, so libgsf refuses every cut) */
	assert_true(failed > 0);
	assert_int_equal(failed + partial, cuts);
	free(b);
}

static void test_flipped_directory(void **state)
{
	if (!have_tools)
		skip();
	size_t n;
	uint8_t *b = slurp("setup.msi", &n);
	unsigned shift = b[0x1e] | b[0x1f] << 8;
	uint32_t dsec = (uint32_t)b[0x30] | (uint32_t)b[0x31] << 8 |
			(uint32_t)b[0x32] << 16 | (uint32_t)b[0x33] << 24;
	size_t off = ((size_t)dsec + 1) << shift, sect = (size_t)1 << shift;
	assert_true(off + sect <= n);
	size_t changed = 0;
	for (size_t i = 0; i < sect; i++) {
		uint8_t *c = malloc(n);
		memcpy(c, b, n);
		c[off + i] ^= 0xff;
		vg_blob src = vg_blob_mem(c, n);
		got g;
		walk_all(&vg_reader_msi, &src, &g);
		if (g.open_failed || g.ndamaged || g.n != 4)
			changed++;
		free(c);
	}
	assert_true(changed > 0);
	free(b);
}

static size_t find_mscf(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i++)
		if (!memcmp(b + i, "MSCF", 4))
			return i;
	fail_msg("no cabinet in the installer");
	return 0;
}

/* a cabinet that libarchive refuses is said, and its bytes are still a
 * member; damage inside the cabinet's data is damage, not a crash */
static void test_cabinet_damaged(void **state)
{
	if (!have_tools)
		skip();
	size_t n;
	uint8_t *b = slurp("setup.msi", &n);
	size_t at = find_mscf(b, n);
	vg_blob src = vg_blob_mem(b, n);
	got g;
	b[at] = 'X';
	walk_all(&vg_reader_msi, &src, &g);
	/* the cabinet, and its two files that were not found in it */
	assert_int_equal(g.ndamaged, 3);
	assert_non_null(strstr(g.damaged[0], "cabinet 'payload.cab' cannot be read"));
	assert_string_equal(g.damaged[1],
			    "File table key 'd3dcompiler_47.dll' is not in cabinet 'payload.cab'");
	assert_true(find(&g, "payload.cab") >= 0);
	assert_member(&g, "Binary/CustomActionDll", ca, sizeof ca);
	/* the first CFFILE (at coffFiles, offset 16 of the header) claims
	 * 16 MiB: libarchive refuses the header, the files are missing */
	b[at] = 'M';
	uint32_t coff = (uint32_t)b[at + 16] | (uint32_t)b[at + 17] << 8;
	assert_true(at + coff + 4 <= n);
	b[at + coff] = 0xff;
	b[at + coff + 1] = 0xff;
	b[at + coff + 2] = 0xff;
	walk_all(&vg_reader_msi, &src, &g);
	assert_int_equal(g.ndamaged, 3);
	assert_non_null(strstr(g.damaged[0], "cabinet 'payload.cab': "));
	assert_member(&g, "Binary/CustomActionDll", ca, sizeof ca);
	free(b);
}

static void test_file_row_missing(void **state)
{
	if (!have_tools)
		skip();
	size_t n;
	uint8_t *b = slurp("del.msi", &n);
	vg_blob src = vg_blob_mem(b, n);
	got g;
	walk_all(&vg_reader_msi, &src, &g);
	assert_int_equal(g.ndamaged, 0);
	assert_member(&g, "ContosoPhone/ffmpeg.dll", ffmpeg, sizeof ffmpeg);
	/* the cabinet member without File row keeps the cabinet's name */
	assert_member(&g, "payload.cab/d3dcompiler_47.dll", d3d, sizeof d3d);
	free(b);
}

static void test_file_not_in_cabinet(void **state)
{
	if (!have_tools)
		skip();
	size_t n;
	uint8_t *b = slurp("ghost.msi", &n);
	vg_blob src = vg_blob_mem(b, n);
	got g;
	walk_all(&vg_reader_msi, &src, &g);
	assert_int_equal(g.ndamaged, 1);
	assert_string_equal(g.damaged[0],
			    "File table key 'ghost.dll' is not in cabinet 'payload.cab'");
	assert_member(&g, "ContosoPhone/ffmpeg.dll", ffmpeg, sizeof ffmpeg);
	assert_member(&g, "ContosoPhone/d3dcompiler_47.dll", d3d, sizeof d3d);
	free(b);
}

static void test_directory_loop(void **state)
{
	if (!have_tools)
		skip();
	size_t n;
	uint8_t *b = slurp("loop.msi", &n);
	vg_blob src = vg_blob_mem(b, n);
	got g;
	walk_all(&vg_reader_msi, &src, &g);
	assert_int_equal(g.ndamaged, 1);
	assert_non_null(strstr(g.damaged[0], "2 file(s) of the File table have no installed path"));
	/* the files are still read, under the cabinet's names */
	assert_member(&g, "payload.cab/ffmpeg.dll", ffmpeg, sizeof ffmpeg);
	assert_member(&g, "payload.cab/d3dcompiler_47.dll", d3d, sizeof d3d);
	free(b);
}

/* a plain compound file (a .doc's shape, written with libgsf): the ole2
 * reader's members are its streams under their storage paths */
static void test_plain_ole2(void **state)
{
	GsfOutput *mem = gsf_output_memory_new();
	GsfOutfile *ole = gsf_outfile_msole_new(mem);
	assert_non_null(ole);
	static const char doc[] = "benign WordDocument stream";
	static uint8_t macro[5000];
	fill(macro, sizeof macro, 4, "benign macro stream");
	GsfOutput *w = gsf_outfile_new_child(ole, "WordDocument", FALSE);
	gsf_output_write(w, sizeof doc, (const guint8 *)doc);
	gsf_output_close(w);
	g_object_unref(w);
	GsfOutput *st = gsf_outfile_new_child(ole, "Macros", TRUE);
	GsfOutput *v = gsf_outfile_new_child(GSF_OUTFILE(st), "VBA", TRUE);
	GsfOutput *mod = gsf_outfile_new_child(GSF_OUTFILE(v), "Module1", FALSE);
	gsf_output_write(mod, sizeof macro, macro);
	gsf_output_close(mod);
	g_object_unref(mod);
	gsf_output_close(v);
	g_object_unref(v);
	gsf_output_close(st);
	g_object_unref(st);
	gsf_output_close(GSF_OUTPUT(ole));
	g_object_unref(ole);
	size_t n = (size_t)gsf_output_size(mem);
	const uint8_t *b = gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem));
	vg_blob src = vg_blob_mem(b, n);
	size_t hn = n < 65536 ? n : 65536;
	assert_ptr_equal(vg_container_detect(&src, b, hn, "report.doc"), &vg_reader_ole2);
	got g;
	walk_all(&vg_reader_ole2, &src, &g);
	assert_int_equal(g.ndamaged, 0);
	assert_int_equal(g.n, 2);
	assert_member(&g, "WordDocument", (const uint8_t *)doc, sizeof doc);
	assert_member(&g, "Macros/VBA/Module1", macro, sizeof macro);
	gsf_output_close(mem);
	g_object_unref(mem);
}

/* the string pool by hand: 3-byte references, an unused id, a string of
 * 64 KiB or more (its length split over two pairs), and a pool that
 * claims more bytes than the string data holds */
static void test_string_pool(void **state)
{
	static uint8_t data[4 + 70000];
	memcpy(data, "File", 4);
	memset(data + 4, 'x', 70000);
	const uint8_t pool[] = {
		0xe4, 0x04, 0x00, 0x80, /* codepage 1252, long references */
		4, 0, 1, 0,             /* id 1: "File" */
		0, 0, 0, 0,             /* id 2: unused */
		0, 0, 1, 0,             /* id 3: long, refcount 1... */
		0x70, 0x11, 1, 0,       /* ...length 0x1_1170 = 70000 */
	};
	vg_msi_strings st;
	char err[256];
	assert_int_equal(vg_msi_strings_parse(&st, pool, sizeof pool, data,
					      sizeof data, err, sizeof err), 0);
	assert_true(st.long_refs);
	assert_string_equal(vg_msi_string(&st, 1), "File");
	assert_string_equal(vg_msi_string(&st, 2), "");
	assert_int_equal(strlen(vg_msi_string(&st, 3)), 70000);
	assert_null(vg_msi_string(&st, 4));
	assert_null(vg_msi_string(&st, 0));
	vg_msi_strings_clear(&st);
	assert_int_equal(vg_msi_strings_parse(&st, pool, sizeof pool, data,
					      sizeof data - 1, err, sizeof err), -1);
	assert_string_equal(err, "string 3 (70000 bytes) runs past the string data (70003 bytes)");
	/* a long entry cut after its first pair */
	assert_int_equal(vg_msi_strings_parse(&st, pool, sizeof pool - 4, data,
					      sizeof data, err, sizeof err), -1);
	assert_non_null(strstr(err, "ends inside the entry of string 3"));
	assert_int_equal(vg_msi_strings_parse(&st, pool, 3, data, 0, err, sizeof err), -1);
}

/* MSI stream names: two packed characters per code point 0x3800..0x47ff,
 * one per 0x4800..0x483f, the table mark 0x4840 */
static void test_stream_names(void **state)
{
	/* "Bi" = B(11) + i(44)<<6, "na", "ry", "." alone */
	const uint32_t bin[] = {0x3800 + 11 + (44 << 6), 0x3800 + 49 + (36 << 6),
				0x3800 + 53 + (60 << 6), 0x4800 + 62};
	char out[64];
	int table;
	assert_int_equal(vg_msi_decode_name(bin, 4, out, sizeof out, &table), 0);
	assert_string_equal(out, "Binary.");
	assert_false(table);
	const uint32_t tab[] = {0x4840, 0x3800 + 15 + (18 << 6), 0x3800 + 21 + (14 << 6)};
	assert_int_equal(vg_msi_decode_name(tab, 3, out, sizeof out, &table), 0);
	assert_string_equal(out, "FILE");
	assert_true(table);
	const uint32_t other[] = {5, 'S', 0xe9};
	assert_int_equal(vg_msi_decode_name(other, 3, out, sizeof out, &table), 0);
	assert_string_equal(out, "\005S\303\251");
	assert_int_equal(vg_msi_decode_name(bin, 4, out, 7, &table), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_fd_and_ole2),
		cmocka_unit_test(test_not_ole),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_flipped_directory),
		cmocka_unit_test(test_cabinet_damaged),
		cmocka_unit_test(test_file_row_missing),
		cmocka_unit_test(test_file_not_in_cabinet),
		cmocka_unit_test(test_directory_loop),
		cmocka_unit_test(test_plain_ole2),
		cmocka_unit_test(test_string_pool),
		cmocka_unit_test(test_stream_names),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
