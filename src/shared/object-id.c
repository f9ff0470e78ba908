/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "object-id.h"

/* Bounds for reading an ELF file's notes (fd_build_id()): far above what a library has. */
#define ELF_PHNUM_MAX 1024U
#define ELF_NOTES_MAX (64U * 1024U)
#define ELF_OFFSET_MAX ((uint64_t) INT32_MAX)

typedef struct BuildId {
        const void *address;            /* in the object asked about */
        unsigned char id[64];
        size_t size;
        bool found;                     /* ADDRESS is in an object */
} BuildId;

/* The GNU build ID among the notes in P (SIZE bytes, 4-aligned as in a PT_NOTE segment) into *B: whether it
 * was there. Sizes are checked against what is left, as the notes may come from a file. */
static bool notes_build_id(const char *p, size_t size, BuildId *b) {
        size_t off = 0;

        while (size - off >= sizeof(ElfW(Nhdr))) {
                ElfW(Nhdr) n;
                size_t name, namesz, descsz;

                memcpy(&n, p + off, sizeof(n));
                name = off + sizeof(n);
                namesz = ((uint64_t) n.n_namesz + 3) & ~(uint64_t) 3;
                descsz = ((uint64_t) n.n_descsz + 3) & ~(uint64_t) 3;
                if (namesz > size - name || descsz > size - name - namesz)
                        return false;
                if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 && memcmp(p + name, "GNU", 4) == 0 &&
                    n.n_descsz <= sizeof(b->id)) {
                        memcpy(b->id, p + name + namesz, n.n_descsz);
                        b->size = n.n_descsz;
                        return true;
                }
                off = name + namesz + descsz;
        }
        return false;
}

static int find_build_id(struct dl_phdr_info *info, size_t size, void *userdata) {
        BuildId *b = userdata;
        bool here = false;

        (void) size;
        for (size_t i = 0; i < info->dlpi_phnum && !here; i++) {
                const ElfW(Phdr) *ph = info->dlpi_phdr + i;
                uintptr_t start = info->dlpi_addr + ph->p_vaddr;

                here = ph->p_type == PT_LOAD && (uintptr_t) b->address >= start &&
                       (uintptr_t) b->address < start + ph->p_memsz;
        }
        if (!here)
                return 0;
        b->found = true;
        for (size_t i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = info->dlpi_phdr + i;

                if (ph->p_type == PT_NOTE &&
                    notes_build_id((const char *) (info->dlpi_addr + ph->p_vaddr), ph->p_memsz, b))
                        return 1;
        }
        return 1;       /* the object, without a build ID */
}

/* The GNU build ID of the ELF file open at FD (an object of our class) into *B. Returns 1 (found), 0 (none),
 * -ENOEXEC (not such an ELF file), -ENOMEM, or pread()'s -errno. */
static int fd_build_id(int fd, BuildId *b) {
        ElfW(Ehdr) eh;
        ssize_t n;

        n = pread(fd, &eh, sizeof(eh), 0);
        if (n < 0)
                return -errno;
        if ((size_t) n != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
            eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
            eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum > ELF_PHNUM_MAX || eh.e_phoff > ELF_OFFSET_MAX)
                return -ENOEXEC;
        for (size_t i = 0; i < eh.e_phnum; i++) {
                _cleanup_free_ char *notes = NULL;
                ElfW(Phdr) ph;

                n = pread(fd, &ph, sizeof(ph), (off_t) (eh.e_phoff + i * sizeof(ph)));
                if (n < 0)
                        return -errno;
                if ((size_t) n != sizeof(ph))
                        return -ENOEXEC;
                if (ph.p_type != PT_NOTE)
                        continue;
                if (ph.p_filesz > ELF_NOTES_MAX || ph.p_offset > ELF_OFFSET_MAX)
                        return -ENOEXEC;
                notes = malloc(ph.p_filesz + 1);
                if (!notes)
                        return -ENOMEM;
                n = pread(fd, notes, ph.p_filesz, (off_t) ph.p_offset);
                if (n < 0)
                        return -errno;
                if ((size_t) n != ph.p_filesz)
                        return -ENOEXEC;
                if (notes_build_id(notes, ph.p_filesz, b))
                        return 1;
        }
        return 0;
}

static int stat_identity(const struct stat *st, char **ret) {
        if (asprintf(ret, "%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRIi64 ".%09li", (uint64_t) st->st_dev,
                     (uint64_t) st->st_ino, (uint64_t) st->st_size, (int64_t) st->st_mtim.tv_sec,
                     st->st_mtim.tv_nsec) < 0)
                return -ENOMEM;
        return 0;
}

int path_identity(const char *path, char **ret) {
        struct stat st;

        if (!path || !ret)
                return -EINVAL;
        if (stat(path, &st) < 0)
                return -errno;
        return stat_identity(&st, ret);
}

int object_file_identity(const void *address, const char *path, char **ret) {
        _cleanup_close_ int fd = -EBADF;
        BuildId mem = { .address = address }, file = {};
        struct stat st;
        int r;

        if (!path || !ret)
                return -EINVAL;
        (void) dl_iterate_phdr(find_build_id, &mem);
        if (!mem.found)
                return -ENOENT;
        /* One open file is both checked and described: one that replaced it meanwhile is neither. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -ENOEXEC;
        r = fd_build_id(fd, &file);
        if (r < 0)
                return r;
        if (mem.size == 0 || file.size != mem.size || memcmp(file.id, mem.id, mem.size) != 0)
                return -ESTALE;
        return stat_identity(&st, ret);
}

int object_identity(const void *address, char **ret) {
        _cleanup_free_ char *file = NULL;
        BuildId b = { .address = address };
        Dl_info info;
        char *s;
        int r;

        if (!ret)
                return -EINVAL;
        (void) dl_iterate_phdr(find_build_id, &b);
        if (!b.found)
                return -ENOENT;
        if (b.size > 0) {
                static const char prefix[] = "build-id ";

                s = malloc(sizeof(prefix) + 2 * b.size);
                if (!s)
                        return -ENOMEM;
                memcpy(s, prefix, sizeof(prefix));
                for (size_t i = 0; i < b.size; i++)
                        snprintf(s + sizeof(prefix) - 1 + 2 * i, 3, "%02x", b.id[i]);
                *ret = s;
                return 0;
        }
        if (dladdr(address, &info) == 0 || !info.dli_fname)
                return -ENOENT;
        r = path_identity(info.dli_fname[0] ? info.dli_fname : "/proc/self/exe", &file);
        if (r < 0)
                return r;
        if (asprintf(ret, "file %s", file) < 0)
                return -ENOMEM;
        return 0;
}
