/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A machine's console output as journal lines: split into lines, stripped of terminal escapes, rate-limited per
 * machine before it reaches journald, so that one machine's flood never uses up journald's rate limit of the
 * daemon's unit, which the daemon's own messages and every other machine's lines share. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "ratelimit.h"

/* Every machine may send CONSOLE_LINES_QUIET lines per window whatever the others do; beyond that, up to
 * CONSOLE_LINES_BURST, it draws on a budget all machines share (CONSOLE_LINES_SHARED per window). So a single
 * flood costs journald at most CONSOLE_LINES_BURST lines per window, all floods together CONSOLE_LINES_SHARED
 * plus CONSOLE_LINES_QUIET per machine, well below journald's default of 10000 per 30 s for the unit. */
#define CONSOLE_LINES_INTERVAL (10 * USEC_PER_SEC)
#define CONSOLE_LINES_QUIET 100U
#define CONSOLE_LINES_BURST 1000U
#define CONSOLE_LINES_SHARED 2000U

typedef struct ConsoleJournal ConsoleJournal;

/* The rate limit of one machine's lines. */
typedef struct ConsoleRateLimit {
        RateLimit own;                  /* this machine's window */
        unsigned suppressed;            /* lines dropped in it, not reported yet */
} ConsoleRateLimit;

/* Whether one more line of the machine with limit RL may go to the journal at NOW, with SHARED the budget
 * of all machines. Counts the line where it went (or in rl->suppressed). */
bool console_line_allowed(ConsoleRateLimit *rl, RateLimit *shared, usec_t now);

/* A journal writer for machine NAME in UNIT (the OBJECT_SYSTEMD_UNIT= field); EVENT runs the timer that
 * reports suppressed lines when the window ends. Returns 0 or -ENOMEM. */
int console_journal_new(sd_event *event, const char *name, const char *unit, ConsoleJournal **ret);
/* Sends a partial last line and the count of suppressed lines, and frees. Returns NULL. */
ConsoleJournal *console_journal_free(ConsoleJournal *j);
/* Adds console output: complete lines go to the journal (within the rate limit). */
void console_journal_write(ConsoleJournal *j, const uint8_t *p, size_t n);
/* Sends the partial line there is, if any. */
void console_journal_flush(ConsoleJournal *j);
/* Lines from now on name UNIT. Returns 0 or -ENOMEM. */
int console_journal_set_unit(ConsoleJournal *j, const char *unit);
