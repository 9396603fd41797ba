/* The vendor's application: shows the codec's version. Benign. */
#include <windows.h>

__declspec(dllimport) int av_codec_version(void);

int main(void)
{
	char text[64];
	wsprintfA(text, "codec %d", av_codec_version());
#ifdef APP_UPTIME
	/* release N+1: a harmless new import */
	wsprintfA(text + lstrlenA(text), " up %lu", (unsigned long)GetTickCount());
#endif
	return MessageBoxA(NULL, text, "Contoso Phone", MB_OK) == 0;
}
