/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

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

void log_open_journal(const char *message) {
        if (use_prefix < 0)
                use_prefix = stderr_is_journal();
        if (use_prefix)
                (void) sd_journal_send("MESSAGE=%s", message, "PRIORITY=%i", LOG_DEBUG,
                                       "SYSLOG_IDENTIFIER=%s", program_invocation_short_name, NULL);
}

int log_machine_internal(int level, int error, const char *file, int line, const char *func,
                         const char *message_id, const char *machine, const char *format, ...) {
        int saved_errno = errno, r = -1;
        char *message = NULL;
        va_list ap;

        if (use_prefix < 0)
                use_prefix = stderr_is_journal();

        if (error != 0)
                errno = abs(error);
        va_start(ap, format);
        if (vasprintf(&message, format, ap) < 0)
                message = NULL;
        va_end(ap);

        /* Under systemd: the structured fields go with the message. Else (or if the journal refuses it),
         * the line on stderr as log_internal() writes it. */
        if (use_prefix && message) {
                char code_file[PATH_MAX + 16], code_line[32];

                (void) snprintf(code_file, sizeof code_file, "CODE_FILE=%s", file);
                (void) snprintf(code_line, sizeof code_line, "CODE_LINE=%i", line);
                r = sd_journal_send_with_location(code_file, code_line, func,
                                                  "MESSAGE=%s", message,
                                                  "PRIORITY=%i", level,
                                                  "MESSAGE_ID=%s", message_id,
                                                  "MACHINE=%s", machine,
                                                  "SYSLOG_IDENTIFIER=%s", program_invocation_short_name,
                                                  error != 0 ? "ERRNO=%i" : NULL, abs(error),
                                                  NULL);
        }
        if (r < 0) {
                if (use_prefix)
                        fprintf(stderr, "<%i>", level);
                fputs(message ?: format, stderr);
                fputc('\n', stderr);
                fflush(stderr);
        }

        free(message);
        errno = saved_errno;
        return -abs(error);
}
