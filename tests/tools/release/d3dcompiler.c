/* The third party's shader compiler stand-in: one export that refuses. */
#include <windows.h>

__declspec(dllexport) long D3DCompile(const void *src, size_t n, const char *name)
{
	(void)src;
	(void)n;
	(void)name;
	return (long)0x80004001L; /* E_NOTIMPL */
}

BOOL WINAPI DllMain(HINSTANCE h, DWORD reason, LPVOID r)
{
	(void)h;
	(void)reason;
	(void)r;
	return TRUE;
}
