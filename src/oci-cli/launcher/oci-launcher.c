/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* machined-ext-oci as installed in $PATH: a static program without a C library that runs the OCI CLI (in
 * libexecdir) from a detached read-only mount of its file (priv_launch()). The CLI's create, run and exec put
 * processes of its own into containers, so it must run from such a mount (CVE-2019-5736, priv.h); started
 * from anywhere else, it executes itself again, which costs a second start-up of a program with a dozen
 * libraries (3–4 ms here, issue #17). This costs a tenth of a millisecond. It decides nothing: the CLI checks
 * where it runs from, whichever way it was started. Every verb runs that way: for those that
 * need no such mount, it costs nothing measurable here (and this program has no table of the CLI's verbs). */

#include "priv-launch.h"

__attribute__((noreturn, used)) void launcher_main(long *sp);

void launcher_main(long *sp) {
        long argc = sp[0];
        char **argv = (char **) (sp + 1), **envp = argv + argc + 1;
        char *name_only[] = { (char *) "machined-ext-oci", 0 };

        /* execve() with an empty argv: the CLI gets a name. */
        if (argc <= 0)
                argv = name_only;
        priv_launch(OCI_CLI_PATH, argv, envp);
}

/* The kernel's entry: the stack holds argc, argv[], NULL, envp[], NULL. */
#if defined(__x86_64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        xor %rbp, %rbp\n"
        "        mov %rsp, %rdi\n"
        "        and $-16, %rsp\n"
        "        call launcher_main\n"
        "        hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        mov x29, #0\n"
        "        mov x30, #0\n"
        "        mov x0, sp\n"
        "        bl launcher_main\n");
#endif
