/*
 * The Mach-O pair: libffmpeg.dylib (no SDK here: the few declarations it
 * needs are written out). With CODEC_DOWNLOADER it gains the shape of the
 * macOS 3CX library's new behaviour (reference: ../shared/reference/3cx.md
 * §4.2): popen/pclose and a reference to the NSURLRequest class with a
 * user-agent string. Nothing is run.
 */
typedef struct FILE FILE;

int av_codec_version(void)
{
	return CODEC_VERSION;
}

#ifdef CODEC_DOWNLOADER
FILE *popen(const char *cmd, const char *mode);
int pclose(FILE *f);
extern char OBJC_CLASS_$_NSURLRequest __asm__("_OBJC_CLASS_$_NSURLRequest");

const char ua[] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) NSURLRequest";
void *url_class = &OBJC_CLASS_$_NSURLRequest;

int av_probe(void)
{
	FILE *f = popen("true", "r");
	return f ? pclose(f) : -1;
}
#endif
