/* test_log.c - tpa_log line format: "<ISO-8601 UTC ms> <LEVEL> <prog>[<pid>] job=<id|-> <msg>". */
#include "tpa_log.h"
#include "tpa_test.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char captured[16384];

/* Runs the logging calls of `which` with stderr redirected into captured. */
static void capture(void (*fn)(void))
{
    FILE *f = tmpfile();
    int saved = dup(2);
    size_t n;
    fflush(stderr);
    dup2(fileno(f), 2);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(f);
    n = fread(captured, 1, sizeof captured - 1, f);
    captured[n] = '\0';
    fclose(f);
}

static void emit(void)
{
    tpa_log_init("/usr/local/bin/tpa-unit", "info");
    tpa_info("0123abcd", "hello %d", 42);
    tpa_debug("x", "hidden");
    tpa_warn(NULL, "line one\nline two\r\n");
    tpa_error("bad job\nid", "oops");
    tpa_log_init(NULL, "debug");
    tpa_debug(NULL, "now visible");
}

static void emit_long(void)
{
    char big[10000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tpa_info("j", "%s", big);
}

int main(void)
{
    regex_t re;
    char pat[256];
    char *line, *save = NULL;
    int nlines = 0;

    capture(emit);
    snprintf(pat, sizeof pat,
             "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
             "(DEBUG|INFO|WARN|ERROR) tpa-unit\\[%ld\\] job=[^ ]+ .*$",
             (long)getpid());
    CHECK(regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) == 0);
    for (line = strtok_r(captured, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        nlines++;
        CHECKF(regexec(&re, line, 0, NULL, 0) == 0, "bad line: %s", line);
        if (nlines == 1)
            CHECKF(strstr(line, " INFO tpa-unit[") && strstr(line, " job=0123abcd hello 42"), "%s",
                   line);
        if (nlines == 2)
            CHECKF(strstr(line, " WARN ") && strstr(line, "job=- line one line two"), "%s", line);
        if (nlines == 3)
            CHECKF(strstr(line, " ERROR ") && strstr(line, "job=bad?job?id oops"), "%s", line);
        if (nlines == 4) CHECKF(strstr(line, " DEBUG ") && strstr(line, "now visible"), "%s", line);
    }
    regfree(&re);
    CHECKF(nlines == 4, "got %d lines (debug must be filtered at info, newlines stripped)", nlines);

    capture(emit_long);
    CHECK(strlen(captured) < 4300 && strstr(captured, "...\n") != NULL);
    CHECK(strchr(captured, '\n') == captured + strlen(captured) - 1);
    return TEST_DONE();
}
