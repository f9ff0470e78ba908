/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A machine's console output as journal lines, rate-limited per machine (console-journal.h). */

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "console-journal.h"
#include "log.h"
#include "macro.h"

#define CONSOLE_LINE_MAX 2048U          /* a longer line goes to the journal in pieces */

typedef enum EscapeState {
        ESCAPE_NONE,
        ESCAPE_ESC,                     /* after ESC */
        ESCAPE_CSI,                     /* after ESC [ : parameters until a final byte 0x40..0x7e */
        ESCAPE_OSC,                     /* after ESC ] : until BEL or ESC \ */
} EscapeState;

struct ConsoleJournal {
        sd_event *event;
        char *name;

        char *line;                     /* "MESSAGE=" + CONSOLE_LINE_MAX bytes: the current partial line */
        size_t line_size;
        EscapeState escape;

        ConsoleRateLimit ratelimit;
        sd_event_source *suppressed_event_source;       /* reports the suppressed lines when the window ends */

        char *field_machine;            /* "MACHINE=NAME", ...: the journal fields of every line */
        char *field_identifier;
        char *field_unit;
};

/* All machines' lines beyond their quiet share, together. The daemon has one journal connection: one budget. */
static RateLimit shared_budget = RATELIMIT_INIT(CONSOLE_LINES_INTERVAL, CONSOLE_LINES_SHARED);

bool console_line_allowed(ConsoleRateLimit *rl, RateLimit *shared, usec_t now) {
        assert(rl);
        assert(shared);

        if (!ratelimit_below_at(&rl->own, now)) {
                rl->suppressed++;
                return false;
        }
        /* ratelimit_below_at() counted the line: rl->own.num is its number in this machine's window. */
        if (rl->own.num <= CONSOLE_LINES_QUIET || ratelimit_below_at(shared, now))
                return true;
        rl->suppressed++;
        return false;
}

static void console_journal_report_suppressed(ConsoleJournal *j) {
        if (j->ratelimit.suppressed == 0)
                return;
        log_warning("%u console lines of machine %s suppressed (more than %u in %llu s, or all machines' "
                    "consoles above %u).", j->ratelimit.suppressed, j->name, CONSOLE_LINES_BURST,
                    (unsigned long long) (CONSOLE_LINES_INTERVAL / USEC_PER_SEC), CONSOLE_LINES_SHARED);
        j->ratelimit.suppressed = 0;
}

static int on_window_end(sd_event_source *s, uint64_t usec, void *userdata) {
        ConsoleJournal *j = userdata;

        console_journal_report_suppressed(j);
        return 0;
}

/* The first line dropped in a window arms a timer for the end of the later of the two windows that may have
 * dropped it; later ones find it armed. */
static void console_journal_arm_report(ConsoleJournal *j) {
        usec_t own_end = ratelimit_end(&j->ratelimit.own), shared_end = ratelimit_end(&shared_budget);
        usec_t end = own_end > shared_end ? own_end : shared_end;
        int enabled = SD_EVENT_OFF;
        int r;

        if (j->suppressed_event_source &&
            sd_event_source_get_enabled(j->suppressed_event_source, &enabled) >= 0 && enabled != SD_EVENT_OFF)
                return;
        if (j->suppressed_event_source) {
                r = sd_event_source_set_time(j->suppressed_event_source, end);
                if (r >= 0)
                        r = sd_event_source_set_enabled(j->suppressed_event_source, SD_EVENT_ONESHOT);
        } else {
                r = sd_event_add_time(j->event, &j->suppressed_event_source, CLOCK_MONOTONIC, end,
                                      USEC_PER_SEC / 10, on_window_end, j);
                if (r >= 0)
                        (void) sd_event_source_set_description(j->suppressed_event_source,
                                                               "console-suppressed");
        }
        if (r < 0)
                /* Reported at the latest when the console goes. */
                log_debug_errno(r, "Failed to arm the console rate limit timer of machine '%s': %m", j->name);
}

/* The line buffer holds "MESSAGE=" followed by up to CONSOLE_LINE_MAX bytes of text, so that the message is
 * one iovec for sd_journal_sendv() without a copy. */
#define LINE_PREFIX "MESSAGE="
#define LINE_PREFIX_LEN (sizeof(LINE_PREFIX) - 1)

void console_journal_flush(ConsoleJournal *j) {
        struct iovec iov[6];
        int r;

        if (!j || j->line_size == 0)
                return;

        if (!console_line_allowed(&j->ratelimit, &shared_budget, now(CLOCK_MONOTONIC))) {
                console_journal_arm_report(j);
                j->line_size = 0;
                return;
        }

        /* sd_journal_sendv() takes fields with their lengths: no NUL termination, no format strings. */
        memcpy(j->line, LINE_PREFIX, LINE_PREFIX_LEN);
        iov[0] = (struct iovec) { j->line, LINE_PREFIX_LEN + j->line_size };
        iov[1] = (struct iovec) { j->field_machine, strlen(j->field_machine) };
        iov[2] = (struct iovec) { j->field_identifier, strlen(j->field_identifier) };
        iov[3] = (struct iovec) { j->field_unit, strlen(j->field_unit) };
        iov[4] = (struct iovec) { (char *) "PRIORITY=6", strlen("PRIORITY=6") };
        iov[5] = (struct iovec) { (char *) "MACHINE_CONSOLE=1", strlen("MACHINE_CONSOLE=1") };

        r = sd_journal_sendv(iov, ELEMENTSOF(iov));
        if (r < 0)
                log_debug_errno(r, "Failed to send console output of machine '%s' to the journal: %m", j->name);

        j->line_size = 0;
}

static void console_journal_add(ConsoleJournal *j, char ch) {
        if (j->line_size >= CONSOLE_LINE_MAX)
                console_journal_flush(j);
        j->line[LINE_PREFIX_LEN + j->line_size++] = ch;
}

/* Splits output into journal lines: drops \r and other control characters, and terminal escape sequences
 * (colours, cursor movement), which would make journalctl show the message as a blob. */
void console_journal_write(ConsoleJournal *j, const uint8_t *p, size_t n) {
        assert(j);

        for (size_t i = 0; i < n; i++) {
                uint8_t ch = p[i];

                switch (j->escape) {

                case ESCAPE_ESC:
                        j->escape = ch == '[' ? ESCAPE_CSI : ch == ']' ? ESCAPE_OSC : ESCAPE_NONE;
                        continue;

                case ESCAPE_CSI:
                        if (ch >= 0x40 && ch <= 0x7e)
                                j->escape = ESCAPE_NONE;
                        else if (ch < 0x20 || ch > 0x7e)       /* malformed: give up on it */
                                j->escape = ESCAPE_NONE;
                        continue;

                case ESCAPE_OSC:
                        if (ch == '\a' || ch == '\n')
                                j->escape = ESCAPE_NONE;
                        else if (ch == 0x1b)
                                j->escape = ESCAPE_ESC;         /* ESC \ ends it; ESC then anything is fine */
                        if (ch != '\n')
                                continue;
                        break;

                case ESCAPE_NONE:
                        break;
                }

                if (ch == '\n')
                        console_journal_flush(j);
                else if (ch == 0x1b)
                        j->escape = ESCAPE_ESC;
                else if (ch == '\t' || (ch >= 0x20 && ch != 0x7f))
                        console_journal_add(j, (char) ch);
                /* else: \r, backspace, bell, NUL, ...: dropped */
        }
}

int console_journal_set_unit(ConsoleJournal *j, const char *unit) {
        char *field;

        assert(j);
        if (asprintf(&field, "OBJECT_SYSTEMD_UNIT=%s", unit) < 0)
                return -ENOMEM;
        free(j->field_unit);
        j->field_unit = field;
        return 0;
}

static void console_journal_freep(ConsoleJournal **j) {
        console_journal_free(*j);
}

int console_journal_new(sd_event *event, const char *name, const char *unit, ConsoleJournal **ret) {
        _cleanup_(console_journal_freep) ConsoleJournal *j = NULL;

        assert(event);
        assert(name);
        assert(unit);
        assert(ret);

        j = new0(ConsoleJournal, 1);
        if (!j)
                return -ENOMEM;
        *j = (ConsoleJournal) {
                .event = sd_event_ref(event),
                .ratelimit.own = RATELIMIT_INIT(CONSOLE_LINES_INTERVAL, CONSOLE_LINES_BURST),
        };
        j->name = strdup(name);
        j->line = malloc(LINE_PREFIX_LEN + CONSOLE_LINE_MAX);
        if (!j->name || !j->line || console_journal_set_unit(j, unit) < 0)
                return -ENOMEM;
        if (asprintf(&j->field_machine, "MACHINE=%s", name) < 0) {
                j->field_machine = NULL;
                return -ENOMEM;
        }
        if (asprintf(&j->field_identifier, "SYSLOG_IDENTIFIER=%s", name) < 0) {
                j->field_identifier = NULL;
                return -ENOMEM;
        }
        *ret = TAKE_PTR(j);
        return 0;
}

ConsoleJournal *console_journal_free(ConsoleJournal *j) {
        if (!j)
                return NULL;

        if (j->field_identifier)        /* fully set up */
                console_journal_flush(j);
        console_journal_report_suppressed(j);

        sd_event_source_disable_unref(j->suppressed_event_source);
        sd_event_unref(j->event);
        free(j->line);
        free(j->name);
        free(j->field_machine);
        free(j->field_identifier);
        free(j->field_unit);
        return mfree(j);
}
