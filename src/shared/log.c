/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "log.h"

static int max_level = LOG_INFO;
static int use_prefix = -1;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_parse_environment(void) {
        const char *e = getenv("SYSTEMD_LOG_LEVEL");

        if (!e)
                return;
        if (streq(e, "debug"))
                max_level = LOG_DEBUG;
        else if (streq(e, "info"))
                max_level = LOG_INFO;
        else if (streq(e, "notice"))
                max_level = LOG_NOTICE;
        else if (streq(e, "warning"))
                max_level = LOG_WARNING;
        else if (streq(e, "err"))
                max_level = LOG_ERR;
}

/* Whether stderr is the journal stream systemd connected us to ($JOURNAL_STREAM is "dev:ino"). */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return st.st_dev == dev && st.st_ino == ino;
}

int log_internal(int level, int error, const char *file, int line, const char *func, const char *format, ...) {
        int saved_errno = errno;
        va_list ap;

        if (use_prefix < 0)
                use_prefix = stderr_is_journal();

        if (error != 0)
                errno = abs(error);

        va_start(ap, format);
        if (use_prefix)
                fprintf(stderr, "<%i>", level);
        vfprintf(stderr, format, ap);
        fputc('\n', stderr);
        va_end(ap);
        fflush(stderr);

        errno = saved_errno;
        return -abs(error);
}
