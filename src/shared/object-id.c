/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "object-id.h"

typedef struct BuildId {
        const void *address;            /* in the object asked about */
        unsigned char id[64];
        size_t size;
        bool found;                     /* ADDRESS is in an object */
} BuildId;

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
                const char *p = (const char *) (info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;

                if (ph->p_type != PT_NOTE)
                        continue;
                while (p + sizeof(ElfW(Nhdr)) <= end) {
                        const ElfW(Nhdr) *n = (const ElfW(Nhdr) *) p;
                        const char *name = p + sizeof(*n), *desc = name + ((n->n_namesz + 3) & ~3U);

                        if (desc + ((n->n_descsz + 3) & ~3U) > end)
                                break;
                        if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
                            n->n_descsz <= sizeof(b->id)) {
                                memcpy(b->id, desc, n->n_descsz);
                                b->size = n->n_descsz;
                                return 1;
                        }
                        p = desc + ((n->n_descsz + 3) & ~3U);
                }
        }
        return 1;       /* the object, without a build ID */
}

int path_identity(const char *path, char **ret) {
        struct stat st;

        if (!path || !ret)
                return -EINVAL;
        if (stat(path, &st) < 0)
                return -errno;
        if (asprintf(ret, "%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRIi64 ".%09li", (uint64_t) st.st_dev,
                     (uint64_t) st.st_ino, (uint64_t) st.st_size, (int64_t) st.st_mtim.tv_sec,
                     st.st_mtim.tv_nsec) < 0)
                return -ENOMEM;
        return 0;
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
