/* fuzz_replay_main.c - runs a fuzz target over saved inputs, without libFuzzer.
 *
 * Usage: fuzz-replay-<target> PATH...
 * Each PATH is a file or a directory (its regular files, in name order; names
 * starting with '.' or "README" are skipped). Every input is read into a buffer of
 * exactly its size and passed to LLVMFuzzerTestOneInput, so an ASan build of the
 * test suite checks every byte a target reads. Exits 0 when all inputs ran, 1 when
 * a path cannot be read or no input was found (a replay of nothing proves nothing);
 * a crash or a failed property aborts the process.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz-replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0) break;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        fprintf(stderr, "fuzz-replay: cannot read %s\n", path);
        free(buf);
        return -1;
    }
    /* exact size, so reading one byte past the input is an ASan error */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int skip_name(const struct dirent *e)
{
    return e->d_name[0] != '.' && strncmp(e->d_name, "README", 6) != 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("usage: %s PATH...\n"
               "Runs this fuzz target once on every file of the given files and directories\n"
               "(regression replay of crashes and seeds, no fuzzing).\n",
               argv[0]);
        return argc < 2 ? 1 : 0;
    }
    size_t total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) < 0) {
            fprintf(stderr, "fuzz-replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (!S_ISDIR(sb.st_mode)) {
            if (run_file(argv[i]) < 0) return 1;
            total++;
            continue;
        }
        struct dirent **names = NULL;
        int n = scandir(argv[i], &names, skip_name, alphasort);
        if (n < 0) {
            fprintf(stderr, "fuzz-replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        size_t here = 0;
        int rc = 0;
        for (int k = 0; k < n; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
            struct stat fs;
            if (rc == 0 && stat(path, &fs) == 0 && S_ISREG(fs.st_mode)) {
                if (run_file(path) < 0)
                    rc = -1;
                else
                    here++;
            }
            free(names[k]);
        }
        free(names);
        if (rc < 0) return 1;
        printf("%s: %zu inputs\n", argv[i], here);
        total += here;
    }
    if (total == 0) {
        fprintf(stderr, "fuzz-replay: no inputs found\n");
        return 1;
    }
    printf("replayed %zu inputs\n", total);
    return 0;
}
