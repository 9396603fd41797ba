/* Release N+1's new vendor component: a settings plugin. */
#include <windows.h>

__declspec(dllexport) int plugin_settings_version(void)
{
	return 2;
}

BOOL WINAPI DllMain(HINSTANCE h, DWORD reason, LPVOID r)
{
	(void)h;
	(void)reason;
	(void)r;
	return TRUE;
}
