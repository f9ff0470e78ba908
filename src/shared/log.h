/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <syslog.h>

#include "macro.h"

/* Logging for the daemon and the CLIs. Lines go to stderr with a "<N>" priority prefix when stderr is
 * connected to the journal (as under systemd), plain otherwise. Library code in src/shared only ever
 * uses log_debug(). All *_errno() variants return -abs(error), so "return log_error_errno(r, ...)" works,
 * and support %m for the error. */

void log_set_max_level(int level);
int log_get_max_level(void);
void log_parse_environment(void);

int log_internal(int level, int error, const char *file, int line, const char *func, const char *format, ...)
        _printf_(6, 7);

#define log_full_errno(level, error, ...)                                                        \
        ({                                                                                       \
                int _l_ = (level), _e_ = (error);                                                \
                _l_ <= log_get_max_level() ? log_internal(_l_, _e_, __FILE__, __LINE__, __func__, \
                                                          __VA_ARGS__)                           \
                                           : -abs(_e_);                                          \
        })

/* libsystemd keeps the socket of sd_journal_send() open from its first message on. Sending one debug entry
 * (MESSAGE) at start, when stderr is the journal, opens it there rather than with the first machine's
 * message, so that a daemon's fd count is steady from the start (leak checks compare it). */
void log_open_journal(const char *message);

/* A structured message about a machine: to the journal with MESSAGE_ID=ID and MACHINE=NAME (sd_journal_send())
 * when stderr is connected to the journal, as a plain line on stderr otherwise. */
int log_machine_internal(int level, int error, const char *file, int line, const char *func,
                         const char *message_id, const char *machine, const char *format, ...) _printf_(8, 9);

#define log_machine_errno(level, error, id, machine, ...)                                                  \
        ({                                                                                                 \
                int _l_ = (level), _e_ = (error);                                                          \
                _l_ <= log_get_max_level() ? log_machine_internal(_l_, _e_, __FILE__, __LINE__, __func__,  \
                                                                  (id), (machine), __VA_ARGS__)            \
                                           : -abs(_e_);                                                    \
        })

#define log_machine(level, id, machine, ...) (void) log_machine_errno(level, 0, id, machine, __VA_ARGS__)

#define log_full(level, ...) (void) log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_info_errno(e, ...)    log_full_errno(LOG_INFO, e, __VA_ARGS__)
#define log_notice_errno(e, ...)  log_full_errno(LOG_NOTICE, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, e, __VA_ARGS__)

#define log_oom() log_error_errno(ENOMEM, "Out of memory.")
