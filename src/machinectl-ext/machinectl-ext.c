/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* machinectl-ext: a thin client of org.machinedext1. This file parses the command line and dispatches to the
 * verbs; everything the verbs do happens behind D-Bus (verbs-info.c, verbs-lifecycle.c). */

#include <assert.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <time.h>

#include "escape.h"
#include "fd-util.h"
#include "machinectl-ext.h"
#include "name.h"
#include "parse-util.h"
#include "state.h"
#include "strv.h"
#include "util.h"

bool arg_legend = true;
bool arg_all = false;
JsonMode arg_json = JSON_MODE_OFF;
bool arg_quiet = false;
bool arg_value = false;
bool arg_wait = false;
bool arg_no_block = false;
bool arg_ready = false;
bool arg_keep_unit = false;
bool arg_read_only = false;
bool arg_mkdir = false;
bool arg_console_log = false;
bool arg_console_stream = false;
const char *arg_kill_whom = "all";      /* like machinectl */
int arg_signal = SIGTERM;
char **arg_property = NULL;
unsigned arg_lines = 10;
static bool arg_lines_set = false;
bool arg_full = false;
const char *arg_uid = NULL;
char **arg_setenv = NULL;
static char **arg_positional = NULL;   /* the verb and its arguments, in order */

typedef struct Verb {
        const char *name;
        unsigned min_args;              /* not counting the verb itself */
        unsigned max_args;
        int (*func)(sd_bus *bus, char **args);
} Verb;

#define ARGS_MANY UINT_MAX

static const Verb verbs[] = {
        { "list",   0, 0,         verb_list   },
        { "status", 1, ARGS_MANY, verb_status },
        { "show",   1, ARGS_MANY, verb_show   },
        { "start",  1, ARGS_MANY, verb_start  },
        { "stop",   1, ARGS_MANY, verb_stop   },
        { "kill",   1, ARGS_MANY, verb_kill   },
        { "bind",   2, 3,         verb_bind   },
        { "console", 1, 1,        verb_console },
        { "shell",  1, ARGS_MANY, verb_shell  },
        { "exec",   2, ARGS_MANY, verb_exec   },
};

int log_bus_error(int r, const sd_bus_error *error, const char *format, ...) {
        va_list ap;

        assert(r < 0);

        va_start(ap, format);
        (void) vfprintf(stderr, format, ap);
        va_end(ap);

        /* Whether dbus-daemon's policy refused the call ("Rejected send message, 2 matched rules; ...") or the
         * daemon did: the same cause, and the raw policy text helps nobody. Polkit wanting a password (we run
         * no agent to ask for it) is the same for the user. */
        if (error && (sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED) ||
                      sd_bus_error_has_name(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED)))
                fprintf(stderr, ": Permission denied (needs root)\n");
        else if (error && sd_bus_error_is_set(error) && !isempty(error->message))
                fprintf(stderr, ": %s\n", error->message);
        else
                fprintf(stderr, ": %s\n", strerror(-r));
        return r;
}

const char *terminal_safe(FILE *f, const char *s, char **buf) {
        *buf = NULL;
        if (!s || !isatty(fileno(f)) || !needs_terminal_escape(s, strlen(s), 0))
                return s;
        *buf = escape_terminal(s, strlen(s), 0);
        return *buf ?: "(out of memory)";
}

bool property_selected(const char *name) {
        return !arg_property || strv_find(arg_property, name);
}

char *format_timestamp(char *buf, size_t size, uint64_t usec) {
        struct tm tm;
        time_t sec;

        if (usec == 0 || usec == UINT64_MAX)
                return NULL;

        sec = (time_t) (usec / USEC_PER_SEC);
        if (!localtime_r(&sec, &tm))
                return NULL;
        if (strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                return NULL;
        return buf;
}

bool colors_enabled(void) {
        static int cached = -1;
        const char *e, *term;

        if (cached >= 0)
                return cached;

        e = getenv("SYSTEMD_COLORS");
        if (e && (streq(e, "16") || streq(e, "256") || streq(e, "24bit") || parse_boolean(e) > 0))
                cached = true;
        else if (e && parse_boolean(e) == 0)
                cached = false;
        else if (getenv("NO_COLOR"))
                cached = false;
        else {
                term = getenv("TERM");
                cached = isatty(STDOUT_FILENO) && !(term && streq(term, "dumb"));
        }
        return cached;
}

const char *ansi_highlight_green(void) {
        return colors_enabled() ? "\x1B[0;1;32m" : "";
}

const char *ansi_highlight_red(void) {
        return colors_enabled() ? "\x1B[0;1;31m" : "";
}

const char *ansi_grey(void) {
        return colors_enabled() ? "\x1B[0;38;5;245m" : "";
}

const char *ansi_normal(void) {
        return colors_enabled() ? "\x1B[0m" : "";
}

bool locale_is_utf8(void) {
        static int cached = -1;
        const char *e, *set;

        if (cached >= 0)
                return cached;

        /* As systemd's is_locale_utf8(): $SYSTEMD_UTF8 first, then the codeset of LC_CTYPE; the plain C locale
         * counts as UTF-8 unless it was asked for explicitly. Only LC_CTYPE is set: dates keep the C locale. */
        e = getenv("SYSTEMD_UTF8");
        if (e && parse_boolean(e) >= 0)
                cached = parse_boolean(e) > 0;
        else if (!setlocale(LC_CTYPE, ""))
                cached = true;
        else if ((set = nl_langinfo(CODESET)) && streq(set, "UTF-8"))
                cached = true;
        else {
                set = setlocale(LC_CTYPE, NULL);
                cached = !set || ((streq(set, "C") || streq(set, "POSIX")) &&
                                  !getenv("LC_ALL") && !getenv("LC_CTYPE") && !getenv("LANG"));
        }
        return cached;
}

size_t columns(void) {
        struct winsize ws = {};
        const char *e = getenv("COLUMNS");
        unsigned long v;
        char *end;

        if (e) {
                errno = 0;
                v = strtoul(e, &end, 10);
                if (errno == 0 && end != e && *end == 0 && v > 0 && v <= INT_MAX)
                        return v;
        }
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) >= 0 && ws.ws_col > 0)
                return ws.ws_col;
        return 80;
}

/* Splits "A,B" and appends the pieces to arg_property. Returns 0 or -ENOMEM. */
static int property_add(const char *list) {
        const char *p = list;

        for (;;) {
                size_t len = strcspn(p, ",");

                if (len > 0) {
                        char *piece = strndup(p, len);
                        if (!piece || strv_push(&arg_property, piece) < 0) {
                                free(piece);
                                return -ENOMEM;
                        }
                }

                if (p[len] == '\0')
                        return 0;
                p += len + 1;
        }
}

static void help(void) {
        printf("%s [OPTIONS...] COMMAND ...\n"
               "\n"
               "Start, stop and inspect containers run by machined-ext.\n"
               "\n"
               "Commands:\n"
               "  list                        List machines (the default)\n"
               "  status NAME...              Show information about machines\n"
               "  show NAME...                Show properties of machines\n"
               "  start NAME...               Start machines\n"
               "  stop NAME...                Stop machines and wait until they are gone\n"
               "  kill NAME...                Send a signal to processes of machines\n"
               "  bind NAME SRC [DST]         Bind-mount a host path into a running machine\n"
               "  console NAME                Attach to the console of a machine (detach: ^]^]^])\n"
               "  console --log NAME          Show the last 64 KiB of a machine's console output\n"
               "  shell NAME [PATH [ARGS...]] Open a shell (or run PATH) in a machine on a new\n"
               "                              terminal\n"
               "  exec NAME CMD [ARGS...]     Run a command in a machine with this stdio\n"
               "\n"
               "Options:\n"
               "  -h --help                   Show this help\n"
               "     --version                Show package version\n"
               "     --no-pager               Accepted for compatibility; no pager is used\n"
               "     --no-legend              Do not show the headers and footers\n"
               "  -a --all                    With 'list': also machines whose last run ended\n"
               "     --json=MODE              With 'list', 'status', 'show': print JSON (short,\n"
               "                              pretty, off)\n"
               "  -q --quiet                  Suppress informational messages\n"
               "  -p --property=NAME          Show only properties by this name\n"
               "  -n --lines=INTEGER          With 'status': number of console lines to show\n"
               "                              (default: 10)\n"
               "  -l --full                   Do not ellipsize process command lines in the\n"
               "                              cgroup tree of 'status'\n"
               "     --value                  When showing properties, only print the value\n"
               "     --wait                   With 'start': wait until the machine's payload has\n"
               "                              ended and exit with its exit status\n"
               "     --console                With 'start --wait': show the payload's console\n"
               "                              output meanwhile\n"
               "     --no-block               With 'stop': return once the stop is under way,\n"
               "                              without waiting for the machine to be gone\n"
               "     --ready                  With 'start': wait until the machine reported\n"
               "                              READY=1, showing its STATUS= meanwhile\n"
               "     --keep-unit              With 'start': run the machine in the cgroup of the\n"
               "                              calling service (used by container@.service), and\n"
               "                              notify systemd when it is ready\n"
               "     --read-only              With 'bind': make the mount read-only\n"
               "     --mkdir                  With 'bind': create the destination if missing\n"
               "     --log                    With 'console': print the console log and exit\n"
               "     --kill-whom=WHOM         Whom to send the signal to: 'leader' or 'all'\n"
               "                              (default: all)\n"
               "  -s --signal=SIGNAL          Which signal to send (default: SIGTERM)\n"
               "     --uid=USER               With 'shell' and 'exec': run as this user of the\n"
               "                              machine (default: root)\n"
               "  -E --setenv=VAR[=VALUE]     With 'shell' and 'exec': set this environment\n"
               "                              variable for the command\n"
               "\n"
               "See the machinectl-ext(1) man page for details.\n",
               program_invocation_short_name);
}

/* Returns 1 to go on, 0 to exit successfully (--help, --version), < 0 on a usage error (already printed). */
static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_NO_PAGER,
                ARG_NO_LEGEND,
                ARG_JSON,
                ARG_VALUE,
                ARG_WAIT,
                ARG_READY,
                ARG_NO_BLOCK,
                ARG_KEEP_UNIT,
                ARG_READ_ONLY,
                ARG_MKDIR,
                ARG_KILL_WHOM,
                ARG_LOG,
                ARG_CONSOLE,
                ARG_UID,
        };

        static const struct option options[] = {
                { "help",      no_argument,       NULL, 'h'           },
                { "version",   no_argument,       NULL, ARG_VERSION   },
                { "no-pager",  no_argument,       NULL, ARG_NO_PAGER  },
                { "no-legend", no_argument,       NULL, ARG_NO_LEGEND },
                { "all",       no_argument,       NULL, 'a'           },
                { "json",      required_argument, NULL, ARG_JSON      },
                { "quiet",     no_argument,       NULL, 'q'           },
                { "property",  required_argument, NULL, 'p'           },
                { "value",     no_argument,       NULL, ARG_VALUE     },
                { "wait",      no_argument,       NULL, ARG_WAIT      },
                { "ready",     no_argument,       NULL, ARG_READY     },
                { "no-block",  no_argument,       NULL, ARG_NO_BLOCK  },
                { "keep-unit", no_argument,       NULL, ARG_KEEP_UNIT },
                { "read-only", no_argument,       NULL, ARG_READ_ONLY },
                { "mkdir",     no_argument,       NULL, ARG_MKDIR     },
                { "kill-whom", required_argument, NULL, ARG_KILL_WHOM },
                { "log",       no_argument,       NULL, ARG_LOG       },
                { "console",   no_argument,       NULL, ARG_CONSOLE   },
                { "signal",    required_argument, NULL, 's'           },
                { "lines",     required_argument, NULL, 'n'           },
                { "full",      no_argument,       NULL, 'l'           },
                { "uid",       required_argument, NULL, ARG_UID       },
                { "setenv",    required_argument, NULL, 'E'           },
                {}
        };

        int c, r;

        /* "-": arguments come in order (as 1), so that after "shell NAME" or "exec NAME" the rest is the
         * command's own, options included, as with machinectl. */
        while ((c = getopt_long(argc, argv, "-hqap:s:n:lE:", options, NULL)) >= 0)
                switch (c) {

                case 1:
                        if (strv_extend(&arg_positional, optarg) < 0) {
                                fprintf(stderr, "Out of memory.\n");
                                return -ENOMEM;
                        }
                        if (strv_length(arg_positional) == 2 &&
                            (streq(arg_positional[0], "shell") || streq(arg_positional[0], "exec"))) {
                                for (; optind < argc; optind++)
                                        if (strv_extend(&arg_positional, argv[optind]) < 0) {
                                                fprintf(stderr, "Out of memory.\n");
                                                return -ENOMEM;
                                        }
                                return 1;
                        }
                        break;

                case ARG_UID:
                        arg_uid = optarg;
                        break;

                case 'E': {
                        const char *v;
                        char *a;

                        /* VAR=VALUE, or VAR: its value here. */
                        if (strchr(optarg, '='))
                                a = strdup(optarg);
                        else if ((v = getenv(optarg)))
                                a = asprintf(&a, "%s=%s", optarg, v) < 0 ? NULL : a;
                        else {
                                fprintf(stderr, "--setenv=%s: no such variable here, expected VAR=VALUE.\n", optarg);
                                return -EINVAL;
                        }
                        if (!a || strv_push(&arg_setenv, a) < 0) {
                                free(a);
                                fprintf(stderr, "Out of memory.\n");
                                return -ENOMEM;
                        }
                        break;
                }

                case 'h':
                        help();
                        return 0;

                case ARG_VERSION:
                        printf("machinectl-ext %s\n", PACKAGE_VERSION);
                        return 0;

                case ARG_NO_PAGER:
                        break;

                case ARG_NO_LEGEND:
                        arg_legend = false;
                        break;

                case 'q':
                        arg_quiet = true;
                        break;

                case 'a':
                        arg_all = true;
                        break;

                case ARG_JSON:
                        if (streq(optarg, "help")) {
                                printf("short\npretty\noff\n");
                                return 0;
                        }
                        if (streq(optarg, "short"))
                                arg_json = JSON_MODE_SHORT;
                        else if (streq(optarg, "pretty"))
                                arg_json = JSON_MODE_PRETTY;
                        else if (streq(optarg, "off"))
                                arg_json = JSON_MODE_OFF;
                        else {
                                fprintf(stderr, "Invalid --json= mode '%s': expected 'short', 'pretty' or 'off'.\n",
                                        optarg);
                                return -EINVAL;
                        }
                        break;

                case 'p':
                        r = property_add(optarg);
                        if (r < 0) {
                                fprintf(stderr, "Out of memory.\n");
                                return r;
                        }
                        break;

                case 'n': {
                        unsigned long v;
                        char *end;

                        errno = 0;
                        v = strtoul(optarg, &end, 10);
                        if (errno != 0 || end == optarg || *end != 0 || optarg[0] == '-' || v > INT_MAX) {
                                fprintf(stderr, "Invalid --lines= value '%s': expected a number of lines.\n",
                                        optarg);
                                return -EINVAL;
                        }
                        arg_lines = (unsigned) v;
                        arg_lines_set = true;
                        break;
                }

                case 'l':
                        arg_full = true;
                        break;

                case ARG_VALUE:
                        arg_value = true;
                        break;

                case ARG_WAIT:
                        arg_wait = true;
                        break;

                case ARG_READY:
                        arg_ready = true;
                        break;

                case ARG_NO_BLOCK:
                        arg_no_block = true;
                        break;

                case ARG_KEEP_UNIT:
                        arg_keep_unit = true;
                        break;

                case ARG_READ_ONLY:
                        arg_read_only = true;
                        break;

                case ARG_MKDIR:
                        arg_mkdir = true;
                        break;

                case ARG_LOG:
                        arg_console_log = true;
                        break;

                case ARG_CONSOLE:
                        arg_console_stream = true;
                        break;

                case ARG_KILL_WHOM:
                        if (!streq(optarg, "leader") && !streq(optarg, "all")) {
                                fprintf(stderr, "Invalid --kill-whom= value '%s': expected 'leader' or 'all'.\n",
                                        optarg);
                                return -EINVAL;
                        }
                        arg_kill_whom = optarg;
                        break;

                case 's':
                        if (streq(optarg, "help")) {
                                char buf[SIGNAL_STRING_MAX];

                                for (int sig = 1; sig < SIGRTMIN; sig++)
                                        if (signal_to_string(sig, buf))
                                                printf("%s\n", signal_to_string(sig, buf));
                                return 0;
                        }
                        r = signal_from_string(optarg);
                        if (r < 0) {
                                fprintf(stderr, "Invalid signal '%s'.\n", optarg);
                                return r;
                        }
                        arg_signal = r;
                        break;

                case '?':
                        return -EINVAL;

                default:
                        assert(!"Unhandled option");
                }

        /* What follows "--". */
        for (; optind < argc; optind++)
                if (strv_extend(&arg_positional, argv[optind]) < 0) {
                        fprintf(stderr, "Out of memory.\n");
                        return -ENOMEM;
                }
        return 1;
}

static const Verb *find_verb(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return verbs + i;
        return NULL;
}

/* Checks the verb and its arguments before anything is sent. Returns the verb, or NULL after printing why. */
/* The verbs that also take the ID of a container of machined-ext-oci. */
static bool verb_takes_oci_ids(const Verb *v) {
        return streq(v->name, "stop") || streq(v->name, "kill") || streq(v->name, "status") ||
                streq(v->name, "show");
}

static const Verb *verb_check(const char *name, char **args, unsigned n_args) {
        const Verb *v;

        v = find_verb(name);
        if (!v) {
                fprintf(stderr, "Unknown command verb '%s'; see '%s --help'.\n",
                        name, program_invocation_short_name);
                return NULL;
        }

        if (n_args < v->min_args) {
                fprintf(stderr, "Command '%s' requires at least one machine name.\n", v->name);
                return NULL;
        }
        if (n_args > v->max_args) {
                if (v->max_args == 0)
                        fprintf(stderr, "Command '%s' takes no arguments.\n", v->name);
                else
                        fprintf(stderr, "Command '%s' takes at most %u arguments.\n", v->name, v->max_args);
                return NULL;
        }

        if (arg_wait || arg_ready || arg_keep_unit) {
                if (!streq(v->name, "start")) {
                        fprintf(stderr, "--wait, --ready and --keep-unit are only supported with 'start'.\n");
                        return NULL;
                }
                if (n_args != 1) {
                        fprintf(stderr, "'start --wait/--ready/--keep-unit' takes exactly one machine name.\n");
                        return NULL;
                }
        }

        if (arg_no_block && !streq(v->name, "stop")) {
                fprintf(stderr, "--no-block is only supported with 'stop'.\n");
                return NULL;
        }

        if ((arg_read_only || arg_mkdir) && !streq(v->name, "bind")) {
                fprintf(stderr, "--read-only and --mkdir are only supported with 'bind'.\n");
                return NULL;
        }

        if (arg_console_stream && (!streq(v->name, "start") || !arg_wait)) {
                fprintf(stderr, "--console is only supported with 'start --wait'.\n");
                return NULL;
        }

        if (arg_console_log && !streq(v->name, "console")) {
                fprintf(stderr, "--log is only supported with 'console'.\n");
                return NULL;
        }

        if (arg_all && !streq(v->name, "list")) {
                fprintf(stderr, "--all is only supported with 'list'.\n");
                return NULL;
        }
        if (arg_json != JSON_MODE_OFF && !streq(v->name, "list") && !streq(v->name, "status") && !streq(v->name, "show")) {
                fprintf(stderr, "--json= is only supported with 'list', 'status' and 'show'.\n");
                return NULL;
        }
        if (arg_json != JSON_MODE_OFF && arg_value) {
                fprintf(stderr, "--value cannot be combined with --json=.\n");
                return NULL;
        }

        if (arg_lines_set && !streq(v->name, "status")) {
                fprintf(stderr, "--lines= is only supported with 'status'.\n");
                return NULL;
        }

        if ((arg_property || arg_value) && !streq(v->name, "show")) {
                fprintf(stderr, "--property= and --value are only supported with 'show'.\n");
                return NULL;
        }

        if ((arg_uid || arg_setenv) && !streq(v->name, "shell") && !streq(v->name, "exec")) {
                fprintf(stderr, "--uid= and --setenv= are only supported with 'shell' and 'exec'.\n");
                return NULL;
        }

        /* Every argument of every verb but bind, shell and exec is a machine name (of those: the first): catch
         * typos before anything is sent. stop, kill, status and show also take the ID of a container of
         * machined-ext-oci (which may be no host name: '_', up to 255 characters). */
        bool only_first = streq(v->name, "bind") || streq(v->name, "shell") || streq(v->name, "exec");
        for (char **a = args; *a && (a == args || !only_first); a++) {
                const char *reason = machine_name_invalid_reason(*a);

                if (reason && container_id_is_valid(*a) && verb_takes_oci_ids(v))
                        continue;       /* asked the daemon in check_oci_ids() */
                if (reason) {
                        fprintf(stderr, "Invalid machine name '%s': %s (a machine name is a hostname of at "
                                "most 64 characters).\n", *a, reason);
                        return NULL;
                }
        }

        return v;
}

/* The names that verb_check() let through only as IDs of containers of machined-ext-oci: if the daemon does not
 * know such a container either (InvalidArgs), they are invalid machine names after all, said as for any other.
 * Returns 0, or -EINVAL after printing why. */
static int check_oci_ids(sd_bus *bus, const Verb *v, char **names) {
        if (!verb_takes_oci_ids(v))
                return 0;
        for (char **a = names; *a; a++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                const char *reason = machine_name_invalid_reason(*a);

                if (!reason)
                        continue;
                if (sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "GetMachine", &error,
                                       NULL, "s", *a) >= 0 ||
                    !sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS))
                        continue;       /* one of its containers (or the verb says what is wrong) */
                fprintf(stderr, "Invalid machine name '%s': %s (a machine name is a hostname of at most 64 "
                        "characters).\n", *a, reason);
                return -EINVAL;
        }
        return 0;
}

static int run(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        char *default_args[] = { (char *) "list", NULL };
        char **args;
        const Verb *v;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                goto finish;

        args = arg_positional ?: default_args;

        v = verb_check(args[0], args + 1, (unsigned) (arg_positional ? strv_length(arg_positional) - 1 : 0));
        if (!v) {
                r = -EINVAL;
                goto finish;
        }

        /* sd_bus_call() then returns the errno of our error names (bus-api.h), not -EIO. */
        r = bus_api_add_error_map();
        if (r < 0) {
                (void) log_bus_error(r, NULL, "Failed to register the D-Bus error map");
                goto finish;
        }

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                (void) log_bus_error(r, NULL, "Failed to connect to system bus");
                goto finish;
        }

        r = check_oci_ids(bus, v, args + 1);
        if (r < 0)
                goto finish;

        r = v->func(bus, args + 1);

finish:
        arg_property = strv_free(arg_property);
        arg_positional = strv_free(arg_positional);
        arg_setenv = strv_free(arg_setenv);
        return r < 0 ? EXIT_FAILURE : r;
}

int main(int argc, char *argv[]) {
        int fd, r;

        /* Before anything is opened: what we print must not go to our bus connection (fd-util.h). */
        r = stdio_ensure_open(&fd);
        if (r < 0) {
                fprintf(stderr, "fd %d is closed, and /dev/null cannot be opened in its place: %s\n", fd, strerror(-r));
                cli_exit(EXIT_FAILURE);
        }
        cli_exit(run(argc, argv));
}
