/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* object_file_identity(): a file is described only if it holds the code of the object asked about (its GNU
 * build ID), and a file that is not such an ELF file, or a malformed one, is refused without reading past
 * what it holds (the sanitized build checks the reads). */

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "object-id.h"
#include "test-assert.h"

static char dir[] = "/tmp/test-object-id.XXXXXX";

static char *temp_path(const char *name) {
        char *p;

        ASSERT(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void write_file(const char *path, const void *data, size_t size) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        ASSERT(fd >= 0);
        ASSERT_EQ(write(fd, data, size), (ssize_t) size);
        ASSERT_EQ(close(fd), 0);
}

static void copy_file(const char *from, const char *to, size_t max) {
        static char buf[1 << 16];
        int in = open(from, O_RDONLY | O_CLOEXEC), out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        size_t done = 0;
        ssize_t n;

        ASSERT(in >= 0 && out >= 0);
        while (done < max && (n = read(in, buf, sizeof(buf) < max - done ? sizeof(buf) : max - done)) > 0) {
                ASSERT_EQ(write(out, buf, (size_t) n), n);
                done += (size_t) n;
        }
        ASSERT_EQ(close(in), 0);
        ASSERT_EQ(close(out), 0);
}

/* An ELF header of our class with one PT_NOTE program header whose notes are NOTES (SIZE bytes). */
static void write_elf_with_notes(const char *path, const void *notes, size_t size) {
        struct {
                ElfW(Ehdr) eh;
                ElfW(Phdr) ph;
                unsigned char notes[256];
        } f = {};

        ASSERT(size <= sizeof(f.notes));
        memcpy(f.eh.e_ident, ELFMAG, SELFMAG);
        f.eh.e_ident[EI_CLASS] = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
        f.eh.e_phoff = offsetof(typeof(f), ph);
        f.eh.e_phentsize = sizeof(f.ph);
        f.eh.e_phnum = 1;
        f.ph.p_type = PT_NOTE;
        f.ph.p_offset = offsetof(typeof(f), notes);
        f.ph.p_filesz = size;
        memcpy(f.notes, notes, size);
        write_file(path, &f, sizeof(f));
}

int main(void) {
        char *id = NULL, *exe_id = NULL;
        const void *here = (const void *) main;
        Dl_info libc;

        ASSERT(mkdtemp(dir));

        /* Our own program: described as path_identity() describes it. */
        ASSERT_EQ(object_file_identity(here, "/proc/self/exe", &id), 0);
        ASSERT_EQ(path_identity("/proc/self/exe", &exe_id), 0);
        ASSERT_STREQ(id, exe_id);
        id = (free(id), NULL);

        /* A library: the file the loader mapped it from. */
        ASSERT(dladdr((const void *) printf, &libc) && libc.dli_fname);
        ASSERT_EQ(object_file_identity((const void *) printf, libc.dli_fname, &id), 0);
        id = (free(id), NULL);

        /* Another program, another library: other code. */
        ASSERT_EQ(object_file_identity(here, "/bin/true", &id), -ESTALE);
        ASSERT_EQ(object_file_identity(here, libc.dli_fname, &id), -ESTALE);
        ASSERT_EQ(object_file_identity((const void *) printf, "/proc/self/exe", &id), -ESTALE);
        ASSERT(!id);

        /* A copy of our program holds our code: it is described, as itself. */
        {
                _cleanup_free_ char *copy = temp_path("copy"), *copy_id = NULL;

                copy_file("/proc/self/exe", copy, SIZE_MAX);
                ASSERT_EQ(object_file_identity(here, copy, &id), 0);
                ASSERT_EQ(path_identity(copy, &copy_id), 0);
                ASSERT_STREQ(id, copy_id);
                ASSERT(strcmp(id, exe_id) != 0);
                id = (free(id), NULL);
                unlink(copy);
        }

        /* Not an ELF file, not a file, no file, no object. */
        ASSERT_EQ(object_file_identity(here, "/etc/passwd", &id), -ENOEXEC);
        ASSERT_EQ(object_file_identity(here, "/", &id), -ENOEXEC);
        ASSERT_EQ(object_file_identity(here, "/nonexistent/libx.so", &id), -ENOENT);
        {
                char *heap = malloc(16);

                ASSERT(heap);
                ASSERT_EQ(object_file_identity(heap, "/proc/self/exe", &id), -ENOENT);
                free(heap);
        }
        ASSERT_EQ(object_file_identity(here, NULL, &id), -EINVAL);
        ASSERT(!id);

        /* Malformed: cut after the ELF header; notes whose sizes run past their segment; a build ID too big
         * to be one; a program header table far out. */
        {
                _cleanup_free_ char *cut = temp_path("cut"), *bad = temp_path("bad");
                const uint32_t long_name[] = { UINT32_MAX - 2, 20, NT_GNU_BUILD_ID, 0x554e47 /* "GNU" */ };
                const uint32_t long_desc[] = { 4, UINT32_MAX, NT_GNU_BUILD_ID, 0x554e47 };
                uint32_t huge_id[3 + 1 + 40] = { 4, 160, NT_GNU_BUILD_ID, 0x554e47 };
                ElfW(Ehdr) eh = {};

                copy_file("/proc/self/exe", cut, sizeof(ElfW(Ehdr)) + 8);
                ASSERT_EQ(object_file_identity(here, cut, &id), -ENOEXEC);

                write_elf_with_notes(bad, long_name, sizeof(long_name));
                ASSERT_EQ(object_file_identity(here, bad, &id), -ESTALE);
                write_elf_with_notes(bad, long_desc, sizeof(long_desc));
                ASSERT_EQ(object_file_identity(here, bad, &id), -ESTALE);
                write_elf_with_notes(bad, huge_id, sizeof(huge_id));
                ASSERT_EQ(object_file_identity(here, bad, &id), -ESTALE);

                memcpy(eh.e_ident, ELFMAG, SELFMAG);
                eh.e_ident[EI_CLASS] = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
                eh.e_phentsize = sizeof(ElfW(Phdr));
                eh.e_phnum = 1;
                eh.e_phoff = (ElfW(Off)) 1 << 40;
                write_file(bad, &eh, sizeof(eh));
                ASSERT_EQ(object_file_identity(here, bad, &id), -ENOEXEC);
                eh.e_phoff = sizeof(eh);        /* where the file ends */
                write_file(bad, &eh, sizeof(eh));
                ASSERT_EQ(object_file_identity(here, bad, &id), -ENOEXEC);
                ASSERT(!id);
                unlink(cut);
                unlink(bad);
        }

        /* The build ID of the copy, changed in place: other code. */
        {
                _cleanup_free_ char *copy = temp_path("changed");
                unsigned char buf[1 << 12];
                int fd;
                ssize_t n;

                copy_file("/proc/self/exe", copy, SIZE_MAX);
                fd = open(copy, O_RDWR | O_CLOEXEC);
                ASSERT(fd >= 0);
                /* The note: "GNU\0" after a header whose type is NT_GNU_BUILD_ID, in the first pages. */
                n = pread(fd, buf, sizeof(buf), 0);
                ASSERT(n > 16);
                for (ssize_t i = 12; i + 4 < n; i++)
                        if (memcmp(buf + i, "GNU", 4) == 0 && buf[i - 4] == NT_GNU_BUILD_ID) {
                                buf[i + 4] ^= 0xff;
                                ASSERT_EQ(pwrite(fd, buf + i + 4, 1, i + 4), 1);
                                break;
                        }
                ASSERT_EQ(close(fd), 0);
                ASSERT_EQ(object_file_identity(here, copy, &id), -ESTALE);
                unlink(copy);
        }
        ASSERT_EQ(rmdir(dir), 0);
        free(exe_id);
        printf("test-object-id: OK\n");
        return 0;
}
