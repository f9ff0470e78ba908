/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI seccomp profiles of any shape, from config.json to a loaded filter: a Docker-default-like profile
 * (SCMP_ACT_ERRNO default, an allow list of every call this libseccomp knows minus a few, names it does not
 * know, argument conditions with SCMP_CMP_MASKED_EQ and SCMP_CMP_EQ, three architectures) is mapped, built and
 * loaded in a child, which checks what each call does; the other default actions; the filter stacked on
 * nspawn's deny list; and snippets that are refused with their JSON path. Loading needs no privileges: each
 * child sets no_new_privs first. */

#include <errno.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config-oci.h"
#include "priv/priv.h"
#include "seccomp-oci.h"
#include "seccomp-policy.h"
#include "strv.h"
#include "test-assert.h"

static bool strv_find_startswith(char **l, const char *prefix) {
        STRV_FOREACH(s, l)
                if (startswith(*s, prefix))
                        return true;
        return false;
}

/* Calls the allow list leaves out; the rules below bring some back with conditions. */
static const char *const left_out[] = {
        "getppid", "personality", "clone", "clone3", "getpgid", "sethostname", NULL,
};

/* Every call libseccomp knows on this architecture, minus LEFT_OUT, plus names it does not know, as a JSON
 * array. */
static char *allow_list_json(size_t *ret_n) {
        _cleanup_strv_free_ char **names = NULL;
        char *s;
        size_t n;

        for (int nr = 0; nr < 1024; nr++) {
                _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
                char q[128];

                if (!name || strv_find((char **) left_out, name))
                        continue;
                snprintf(q, sizeof(q), "\"%s\"", name);
                ASSERT_EQ(strv_extend(&names, q), 0);
        }
        ASSERT_EQ(strv_extend(&names, "\"no_such_call_one\""), 0);
        ASSERT_EQ(strv_extend(&names, "\"no_such_call_two\""), 0);
        n = strv_length(names);
        ASSERT(n > 250);
        s = strv_join(names, ", ");
        ASSERT(s);
        *ret_n = n;
        return s;
}

/* config.json around the linux.seccomp object SECCOMP. Returns the model, or NULL and the error in *ret_error. */
static OciContainer *model(const char *seccomp, char **ret_error) {
        _cleanup_free_ char *json = NULL;
        OciContainer *c = NULL;
        OciSpec *spec = NULL;
        int r;

        ASSERT(asprintf(&json, "{ \"ociVersion\": \"1.0.2\", \"root\": { \"path\": \"/r\" },"
                        "  \"process\": { \"cwd\": \"/\", \"args\": [ \"/bin/true\" ] },"
                        "  \"linux\": { \"seccomp\": %s } }", seccomp) > 0);
        r = oci_spec_parse(json, strlen(json), &spec, ret_error);
        if (r < 0) {
                ASSERT_EQ(r, -EINVAL);
                return NULL;
        }
        r = oci_container_from_spec(spec, "/b", "m", NULL, &c, ret_error);
        if (r < 0) {
                ASSERT_EQ(r, -EINVAL);
                ASSERT(!c);
                return NULL;
        }
        ASSERT_EQ(container_config_validate(&c->config), 0);
        return c;
}

static OciContainer *model_ok(const char *seccomp) {
        _cleanup_free_ char *error = NULL;
        OciContainer *c = model(seccomp, &error);

        if (!c) {
                fprintf(stderr, "refused: %s\n", error);
                abort();
        }
        return c;
}

/* Builds the profile of C and runs FN in a child that loaded it (after nspawn's deny list if NSPAWN too).
 * Returns the child's wait status. */
static int run_with_filter(const OciContainer *c, bool nspawn, int (*fn)(void)) {
        _cleanup_free_ struct sock_fprog *prog = NULL, *deny = NULL;
        unsigned flags = 0;
        SetupLog l = {};
        int status;
        pid_t pid;

        ASSERT(c->config.seccomp_profile);
        ASSERT_EQ(seccomp_profile_build(c->config.seccomp_profile, &prog, &flags, NULL, &l), 0);
        if (nspawn)
                ASSERT_EQ(seccomp_policy_build(0, CONTAINER_KEEP_READ_ONLY_NO, NULL, NULL, &deny, &l), 0);
        fflush(NULL);
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                if (priv_set_no_new_privs() < 0)
                        _exit(100);
                if (deny && priv_seccomp_load(deny, 0) < 0)
                        _exit(101);
                if (priv_seccomp_load(prog, flags) < 0)
                        _exit(102);
                _exit(fn());
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        return status;
}

static int expect_exit0(int status) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "child: %s %d\n", WIFEXITED(status) ? "exit" : "signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                return -1;
        }
        return 0;
}

/* In the child of the Docker-like profile: each check its own exit status. */
static int docker_like_checks(void) {
        pid_t pid;
        int status;

        /* Not in the allow list: the default action, ERRNO(EPERM). */
        /* (Through syscall(): glibc's getppid() never sets errno, a call that cannot fail.) */
        if (syscall(SYS_getppid) != -1 || errno != EPERM)
                return 1;
        if (syscall(SYS_getpgid, 0) != -1 || errno != EPERM)
                return 2;
        /* clone3: its own rule, ENOSYS (what Docker's profile does, so that libc falls back to clone). */
        if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
                return 3;
        /* clone: allowed without namespace flags (SCMP_CMP_MASKED_EQ), so fork() works ... */
        pid = fork();
        if (pid < 0)
                return 4;
        if (pid == 0)
                _exit(7);
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 7)
                return 5;
        /* ... and is denied with one. */
        if (syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0) != -1 || errno != EPERM)
                return 6;
        /* personality: the query and PER_LINUX are allowed (SCMP_CMP_EQ), nothing else. */
        if (personality(0xffffffff) < 0)
                return 7;
        if (personality(PER_LINUX) < 0)
                return 8;
        if (personality(PER_BSD) != -1 || errno != EPERM)
                return 9;
        /* An allowed call works. */
        if (syscall(SYS_getpid) <= 0)
                return 10;
        return 0;
}

static void test_docker_like(void) {
        _cleanup_free_ char *allow = NULL, *json = NULL;
        _cleanup_(oci_container_freep) OciContainer *c = NULL;
        const ContainerSeccompProfile *p;
        size_t n_allow;

        allow = allow_list_json(&n_allow);
        ASSERT(asprintf(&json,
                        "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,"
                        "  \"architectures\": [ \"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\" ],"
                        "  \"flags\": [ \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\" ],"
                        "  \"syscalls\": ["
                        "    { \"names\": [ %s ], \"action\": \"SCMP_ACT_ALLOW\" },"
                        "    { \"names\": [ \"personality\" ], \"action\": \"SCMP_ACT_ALLOW\","
                        "      \"args\": [ { \"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\" } ] },"
                        "    { \"names\": [ \"personality\" ], \"action\": \"SCMP_ACT_ALLOW\","
                        "      \"args\": [ { \"index\": 0, \"value\": 4294967295, \"op\": \"SCMP_CMP_EQ\" } ] },"
                        "    { \"names\": [ \"clone\" ], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {}, \"excludes\": {},"
                        "      \"args\": [ { \"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\" } ] },"
                        "    { \"names\": [ \"clone3\" ], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38 },"
                        "    { \"names\": [ \"getppid\" ], \"action\": \"SCMP_ACT_ERRNO\" }"
                        "  ] }", allow) > 0);
        c = model_ok(json);
        p = c->config.seccomp_profile;
        ASSERT_EQ(p->default_action, CONTAINER_SECCOMP_ERRNO);
        ASSERT_EQ(p->default_data, EPERM);
        ASSERT_EQ(p->n_architectures, 3);
        ASSERT_EQ(p->flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
        /* Every known name is a rule; the two unknown ones are skipped with one warning. */
        ASSERT_EQ(p->n_rules, n_allow - 2 + 5);
        ASSERT(strv_find_startswith(c->warnings, "linux.seccomp.syscalls[0]: 2 unknown system calls "
                                                 "(no_such_call_one, no_such_call_two), skipping"));
        ASSERT_EQ(expect_exit0(run_with_filter(c, false, docker_like_checks)), 0);
        /* Stacked on nspawn's deny list, as the init loads them, it still holds. */
        ASSERT_EQ(expect_exit0(run_with_filter(c, true, docker_like_checks)), 0);
}

static int call_getppid(void) {
        return syscall(SYS_getppid) == -1 ? (errno == ENOSYS ? 38 : 1) : 0;
}

static int call_open_by_handle_at(void) {
        /* An invalid mount fd and no handle: EBADF or EFAULT (depending on the kernel) if no filter stops it;
         * EACCES is the profile's default, EPERM nspawn's. */
        if (syscall(SYS_open_by_handle_at, -1, NULL, 0) != -1)
                return 1;
        return errno == EPERM ? 0 : errno == EACCES ? 3 : 2;
}

static void test_default_actions(void) {
        _cleanup_(oci_container_freep) OciContainer *kill = NULL, *trap = NULL, *log = NULL, *trace = NULL,
                *thread = NULL, *allow = NULL;
        int status;

        /* KILL_PROCESS, KILL (the thread: the child is single-threaded) and TRAP: SIGSYS. */
        kill = model_ok("{ \"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [ { \"names\": [ \"exit_group\","
                        " \"exit\", \"write\", \"rt_sigreturn\" ], \"action\": \"SCMP_ACT_ALLOW\" } ] }");
        ASSERT_EQ(kill->config.seccomp_profile->default_action, CONTAINER_SECCOMP_KILL_PROCESS);
        status = run_with_filter(kill, false, call_getppid);
        ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);

        thread = model_ok("{ \"defaultAction\": \"SCMP_ACT_KILL\", \"syscalls\": [ { \"names\": [ \"exit_group\","
                          " \"exit\" ], \"action\": \"SCMP_ACT_ALLOW\" } ] }");
        ASSERT_EQ(thread->config.seccomp_profile->default_action, CONTAINER_SECCOMP_KILL_THREAD);
        status = run_with_filter(thread, false, call_getppid);
        ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);

        trap = model_ok("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
                        " \"action\": \"SCMP_ACT_TRAP\" } ] }");
        status = run_with_filter(trap, false, call_getppid);
        ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);

        /* LOG allows (and logs), with the flag that logs every non-ALLOW action. */
        log = model_ok("{ \"defaultAction\": \"SCMP_ACT_LOG\", \"flags\": [ \"SECCOMP_FILTER_FLAG_LOG\","
                       " \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\" ] }");
        ASSERT_EQ(log->config.seccomp_profile->flags, SECCOMP_FILTER_FLAG_LOG);
        ASSERT(strv_find_startswith(log->warnings, "linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
        ASSERT_EQ(expect_exit0(run_with_filter(log, false, call_getppid)), 0);

        /* TRACE without a tracer: ENOSYS. */
        trace = model_ok("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ \"getppid\" ],"
                         " \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 7 } ] }");
        ASSERT_EQ(trace->config.seccomp_profile->rules[0].action, CONTAINER_SECCOMP_TRACE);
        ASSERT_EQ(trace->config.seccomp_profile->rules[0].data, 7);
        status = run_with_filter(trace, false, call_getppid);
        ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 38);

        /* A profile cannot widen nspawn's deny list: it allows open_by_handle_at(), nspawn's filter does not. */
        allow = model_ok("{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 13, \"syscalls\": [ { \"names\": ["
                         " \"open_by_handle_at\", \"exit_group\", \"exit\" ], \"action\": \"SCMP_ACT_ALLOW\" } ] }");
#ifndef __SANITIZE_ADDRESS__
        /* (Not under AddressSanitizer: its runtime in the child makes calls this three-call allow list denies,
         * and cannot even write its report.) */
        status = run_with_filter(allow, false, call_open_by_handle_at);
        ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 2);     /* the profile alone lets it through */
        ASSERT_EQ(expect_exit0(run_with_filter(allow, true, call_open_by_handle_at)), 0);
#endif
}

#define RULE(x) "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [ { \"names\": [ \"read\" ], \"action\": " \
                "\"SCMP_ACT_ALLOW\" }, { \"names\": [ \"clone\" ], " x " } ] }"

static const struct {
        const char *json;
        const char *error;
} refused[] = {
        { RULE("\"action\": \"SCMP_ACT_FOO\""),
          "linux.seccomp.syscalls[1].action: unknown seccomp action \"SCMP_ACT_FOO\"" },
        { "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [ \"SCMP_ARCH_X86_64\", \"SCMP_ARCH_PDP11\" ] }",
          "linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_PDP11\"" },
        { RULE("\"action\": \"SCMP_ACT_ALLOW\", \"args\": [ { \"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_SORTOF\" } ]"),
          "linux.seccomp.syscalls[1].args[0].op: unknown seccomp operator \"SCMP_CMP_SORTOF\"" },
        { RULE("\"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
               "{ \"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_NE\" }, { \"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_NE\" },"
               "{ \"index\": 2, \"value\": 1, \"op\": \"SCMP_CMP_NE\" }, { \"index\": 3, \"value\": 1, \"op\": \"SCMP_CMP_NE\" },"
               "{ \"index\": 4, \"value\": 1, \"op\": \"SCMP_CMP_NE\" }, { \"index\": 5, \"value\": 1, \"op\": \"SCMP_CMP_NE\" },"
               "{ \"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_NE\" } ]"),
          "linux.seccomp.syscalls[1].args: at most 6 conditions, not 7" },
        { RULE("\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 4096"),
          "linux.seccomp.syscalls[1].errnoRet: 4096 is not an errno (at most 4095)" },
        { RULE("\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 65536"),
          "linux.seccomp.syscalls[1].errnoRet: value 65536 out of range" },
        { "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 9999 }",
          "linux.seccomp.defaultErrnoRet: 9999 is not an errno (at most 4095)" },
        { "{ \"defaultAction\": \"SCMP_ACT_NOTIFY\" }",
          "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY is not supported" },
        { RULE("\"action\": \"SCMP_ACT_NOTIFY\""),
          "linux.seccomp.syscalls[1].action: SCMP_ACT_NOTIFY is not supported" },
        { "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\" }",
          "linux.seccomp.listenerPath: not supported" },
        /* Two conditions on one argument: libseccomp refuses the rule, and the error names it. */
        { RULE("\"action\": \"SCMP_ACT_ALLOW\", \"args\": [ { \"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_NE\" },"
               "{ \"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_NE\" } ]"),
          "linux.seccomp.syscalls[1]: libseccomp refuses the rule for clone: Invalid argument" },
};

static void test_refused(void) {
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                _cleanup_free_ char *error = NULL;
                OciContainer *c = model(refused[i].json, &error);

                ASSERT(!c);
                ASSERT(error);
                if (strncmp(error, refused[i].error, strlen(refused[i].error)) != 0) {
                        fprintf(stderr, "expected '%s...', got '%s'\n", refused[i].error, error);
                        abort();
                }
        }
}

/* OCI_MODEL_SECCOMP_UNCHECKED: the rule libseccomp refuses gets through the model (nothing is compiled), and
 * oci_container_check_seccomp() gives the same error as the checked model; a valid profile passes both. */
static void test_unchecked(void) {
        const char *refused_rule = refused[ELEMENTSOF(refused) - 1].json;
        const char *error_prefix = refused[ELEMENTSOF(refused) - 1].error;
        const char *valid = RULE("\"action\": \"SCMP_ACT_ALLOW\"");
        const char *jsons[] = { refused_rule, valid };

        for (size_t i = 0; i < ELEMENTSOF(jsons); i++) {
                _cleanup_free_ char *json = NULL, *error = NULL;
                _cleanup_(oci_container_freep) OciContainer *c = NULL;
                OciSpec *spec = NULL;

                ASSERT(asprintf(&json, "{ \"ociVersion\": \"1.0.2\", \"root\": { \"path\": \"/r\" },"
                                "  \"process\": { \"cwd\": \"/\", \"args\": [ \"/bin/true\" ] },"
                                "  \"linux\": { \"seccomp\": %s } }", jsons[i]) > 0);
                ASSERT_EQ(oci_spec_parse(json, strlen(json), &spec, &error), 0);
                ASSERT_EQ(oci_container_from_spec_full(spec, "/b", "m", NULL, OCI_MODEL_SECCOMP_UNCHECKED, &c,
                                                       &error), 0);
                ASSERT(c->config.seccomp_profile);
                if (jsons[i] == valid) {
                        ASSERT_EQ(oci_container_check_seccomp(c, &error), 0);
                        ASSERT(!error);
                        continue;
                }
                ASSERT_EQ(oci_container_check_seccomp(c, &error), -EINVAL);
                ASSERT(error);
                if (strncmp(error, error_prefix, strlen(error_prefix)) != 0) {
                        fprintf(stderr, "expected '%s...', got '%s'\n", error_prefix, error);
                        abort();
                }
        }
}

static void test_action_table(void) {
        for (ContainerSeccompAction a = 0; a < _CONTAINER_SECCOMP_ACTION_MAX; a++) {
                uint32_t v;

                ASSERT(container_seccomp_action_to_string(a));
                ASSERT_EQ(container_seccomp_action_from_string(container_seccomp_action_to_string(a)), a);
                ASSERT_EQ(seccomp_action_to_scmp(a, 0, &v), 0);
        }
        ASSERT(!container_seccomp_action_to_string(_CONTAINER_SECCOMP_ACTION_MAX));
        ASSERT_EQ(container_seccomp_action_from_string("NOTIFY"), -EINVAL);
}

int main(void) {
        test_action_table();
        test_refused();
        test_unchecked();
        test_docker_like();
        test_default_actions();
        return 0;
}
