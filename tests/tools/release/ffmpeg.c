/*
 * The bundled codec: a few arithmetic exports. With CODEC_SIDELOAD it also
 * carries the shape of the 3CX loader (reference: ../shared/reference/3cx.md
 * §1.2 step 3): it builds the path of the sibling d3dcompiler_47.dll, reads
 * it with CreateFileW/ReadFile, looks for a marker, makes a buffer
 * PAGE_EXECUTE_READWRITE with VirtualProtect and starts a thread. The
 * thread runs a harmless function, the buffer is never executed, and the
 * code is never run by the tests (it is a Windows DLL built on Linux).
 */
#include <windows.h>

__declspec(dllexport) int av_codec_version(void)
{
	return CODEC_VERSION;
}

__declspec(dllexport) int av_decode_frame(const unsigned char *in, int n, unsigned char *out)
{
	for (int i = 0; i < n; i++)
		out[i] = (unsigned char)(in[i] ^ 0x5a);
	return n;
}

#ifdef CODEC_TIMING
/* release N+1: frame timing, a harmless new import */
__declspec(dllexport) unsigned long av_frame_clock(void)
{
	return GetTickCount();
}
#endif

#ifdef CODEC_SIDELOAD
static DWORD WINAPI idle(LPVOID arg)
{
	(void)arg;
	return 0;
}

__declspec(dllexport) int av_init_tables(void)
{
	static unsigned char buf[65536];
	WCHAR path[MAX_PATH];
	DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH);
	while (n > 0 && path[n - 1] != L'\\')
		n--;
	lstrcpyW(path + n, L"d3dcompiler_47.dll");
	HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return 0;
	DWORD got = 0;
	BOOL ok = ReadFile(h, buf, sizeof buf, &got, NULL);
	CloseHandle(h);
	if (!ok || got < 2 || buf[0] != 'M' || buf[1] != 'Z')
		return 0;
	DWORD i = 0;
	while (i + 4 <= got && !(buf[i] == 0xfe && buf[i + 1] == 0xed && buf[i + 2] == 0xfa &&
				 buf[i + 3] == 0xce))
		i++;
	DWORD old;
	if (!VirtualProtect(buf, sizeof buf, PAGE_EXECUTE_READWRITE, &old))
		return 0;
	VirtualProtect(buf, sizeof buf, old, &old);
	HANDLE t = CreateThread(NULL, 0, idle, NULL, 0, NULL);
	if (t)
		CloseHandle(t);
	return (int)i;
}
#endif

BOOL WINAPI DllMain(HINSTANCE h, DWORD reason, LPVOID r)
{
	(void)h;
	(void)reason;
	(void)r;
	return TRUE;
}
