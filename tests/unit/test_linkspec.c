/* Mininet's --link option (link/linkspec.h): both spellings to the same
 * impairments, Mininet's unitless bw and loss, the tc-only settings
 * ignored, and the exact error of each bad spec. */
#include "check.h"
#include "link/linkspec.h"

static const struct {
	const char *spec, *want; /* want: vl_impair_format's text, or "error: ..." */
} cases[] = {
    {"bw=10Mbit,delay=5ms,jitter=1ms,loss=1%,queue=100",
     "rate 10Mbit delay 5ms jitter 1ms/uniform loss 1% queue 100"},
    {"tc,bw=10,delay=5ms", "rate 10Mbit delay 5ms"},
    {"tc,bw=0.5,loss=2", "rate 500kbit loss 2%"},
    {"tc,bw=10,max_queue_size=50,use_htb=True", "rate 10Mbit queue 50"},
    {"default", "none"},
    {"", "error: --link \"\": setting 1 is empty (settings are KEY=VALUE, one comma between "
         "two: e.g. --link bw=10Mbit,delay=5ms)"},
    {",,,", "error: --link \",,,\": setting 1 is empty (settings are KEY=VALUE, one comma "
            "between two: e.g. --link bw=10Mbit,delay=5ms)"},
    {"bw=10,,delay=5ms", "error: --link \"bw=10,,delay=5ms\": setting 2 is empty (settings are "
                         "KEY=VALUE, one comma between two: e.g. --link bw=10Mbit,delay=5ms)"},
    {"tc,", "error: --link \"tc,\": setting 2 is empty (settings are KEY=VALUE, one comma "
            "between two: e.g. --link bw=10Mbit,delay=5ms)"},
    {"=5", "error: --link: \"=5\" has no KEY before its = (e.g. --link bw=10Mbit,delay=5ms)"},
    {"bw=", "error: --link: bw=: expected a rate of at least 8kbit such as 10Mbit or 1Gbit (0: "
            "no limit)"},
    {"delay=20ms,distribution=normal,jitter=2ms", "delay 20ms jitter 2ms/normal"},
    {"loss=0.5%", "loss 0.5%"},
    {"bw=fast", "error: --link: bw=fast: expected a rate of at least 8kbit such as 10Mbit or "
                "1Gbit (0: no limit)"},
    {"delay=5", "error: --link: delay=5: expected a time up to 60s such as 20ms or 150us"},
    {"loss=150", "error: --link: loss=150: expected a probability such as 1% or 0.01"},
    {"colour=red", "error: --link: unknown setting \"colour\" (bw, delay, jitter, loss, queue or "
                   "max_queue_size, distribution, loss-model)"},
    {"bw=10,bw=20", "error: --link: bw given twice"},
    {"bw=10,tc", "error: --link: \"tc\" is not KEY=VALUE (e.g. --link bw=10Mbit,delay=5ms, or "
                 "Mininet's --link tc,bw=10,delay=5ms)"},
};

int main(void)
{
	for (size_t i = 0; i < VL_ARRAY_SIZE(cases); i++) {
		struct vl_link_spec ls;
		struct vl_impair im = {0};
		struct vl_err err = {0};
		char got[1100];

		if (vl_link_spec_parse(cases[i].spec, &ls, &err) < 0) {
			snprintf(got, sizeof(got), "error: %s", err.msg);
		} else {
			vl_link_spec_apply(&ls, &im);
			vl_impair_format(&im, got, sizeof(got));
			vl_link_spec_free(&ls);
		}
		result(cases[i].spec, !strcmp(got, cases[i].want), "got [%s], want [%s]", got,
		       cases[i].want);
	}
	/* tc-only settings are kept to be warned of */
	{
		struct vl_link_spec ls;
		struct vl_err err = {0};
		int ok = vl_link_spec_parse("tc,bw=1,use_htb=True,enable_red=1", &ls, &err) == 0 &&
		         ls.n_ignored == 2 && !strcmp(ls.ignored[0], "use_htb") &&
		         !strcmp(ls.ignored[1], "enable_red");

		result("ignored", ok, "use_htb and enable_red set aside");
		vl_link_spec_free(&ls);
	}
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
