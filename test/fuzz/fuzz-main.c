/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays a corpus through a fuzz target without libFuzzer, so that every build checks the corpus:
 *     fuzz-settings-replay DIR|FILE...
 * Runs LLVMFuzzerTestOneInput() on every regular file (directories are read one level deep). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "macro.h"

static int run_file(int dir_fd, const char *name) {
        _cleanup_free_ uint8_t *buf = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        size_t n = 0;

        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                fprintf(stderr, "Failed to open %s: %m\n", name);
                return -errno;
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return 0;

        buf = malloc(st.st_size ?: 1);
        if (!buf)
                return -ENOMEM;
        while (n < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + n, st.st_size - n);
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += k;
        }

        printf("%s (%zu bytes)\n", name, n);
        (void) LLVMFuzzerTestOneInput(buf, n);
        return 1;
}

static int run_dir(const char *path) {
        _cleanup_close_ int fd = -EBADF;
        struct dirent **names = NULL;
        int n, r = 0, count = 0;

        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return run_file(AT_FDCWD, path);

        n = scandirat(fd, ".", &names, NULL, alphasort);
        if (n < 0) {
                fprintf(stderr, "Failed to list %s: %m\n", path);
                return -errno;
        }

        for (int i = 0; i < n; i++) {
                if (r >= 0 && names[i]->d_name[0] != '.') {
                        r = run_file(fd, names[i]->d_name);
                        if (r > 0)
                                count++;
                }
                free(names[i]);
        }
        free(names);

        return r < 0 ? r : count;
}

int main(int argc, char *argv[]) {
        int total = 0;

        if (argc < 2) {
                fprintf(stderr, "Usage: %s DIR|FILE...\n", argv[0]);
                return EXIT_FAILURE;
        }

        for (int i = 1; i < argc; i++) {
                int r = run_dir(argv[i]);
                if (r < 0)
                        return EXIT_FAILURE;
                total += r;
        }

        if (total == 0) {
                fprintf(stderr, "No inputs found.\n");
                return EXIT_FAILURE;
        }

        printf("Ran %d inputs.\n", total);
        return EXIT_SUCCESS;
}
