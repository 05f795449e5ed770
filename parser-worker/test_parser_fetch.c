/* test_parser_fetch.c - unit test of tpa_parser_fetch (tpa_parser_fetch.h) against a
 * tiny HTTP server on loopback run by this test.
 * Clauses checked: "GET <url> with the header X-TPA-Token: <cluster token>", "the
 * download must have exactly this size", "TPA_ERR_NOTFOUND (HTTP 404/410)",
 * "TPA_ERR_CONN (cannot reach, refused token ...)", "TPA_ERR_CANCELLED (progress returned
 * false)" and "the file is then already removed".
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tpa_err.h"
#include "tpa_parser_fetch.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define BODY_SIZE 300000

static int listen_fd;
static char last_request[4096];
static char body[BODY_SIZE];

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

/* Serves one request per connection until the listening socket is shut down. */
static void *serve(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(listen_fd, NULL, NULL);
        if (c < 0) return NULL;
        size_t got = 0;
        last_request[0] = '\0';
        while (got + 1 < sizeof last_request) {
            ssize_t r = recv(c, last_request + got, sizeof last_request - 1 - got, 0);
            if (r <= 0) break;
            got += (size_t)r;
            last_request[got] = '\0';
            if (strstr(last_request, "\r\n\r\n")) break;
        }
        char hdr[256];
        size_t len = 0;
        int status = 200;
        if (!strncmp(last_request, "GET /ok ", 8) || !strncmp(last_request, "GET /slow ", 10))
            len = BODY_SIZE;
        else if (!strncmp(last_request, "GET /short ", 11))
            len = 10;
        else if (!strncmp(last_request, "GET /forbidden ", 15))
            status = 403;
        else
            status = 404;
        snprintf(hdr, sizeof hdr,
                 "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", status, len);
        send_all(c, hdr, strlen(hdr));
        if (!strncmp(last_request, "GET /slow ", 10)) {
            send_all(c, body, 1000); /* a pause, so progress sees a partial transfer */
            usleep(300000);
            send_all(c, body + 1000, len - 1000);
        } else {
            send_all(c, body, len);
        }
        close(c);
    }
}

static int count_files(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1) n = -1;
        pclose(p);
    }
    return n;
}

static bool stop_at_once(void *ud, uint64_t done, uint64_t total)
{
    (void)ud;
    (void)total;
    return done == 0; /* abort as soon as bytes arrive */
}

int main(void)
{
    char dir[] = "/tmp/tpa-test-fetch-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (char)(i * 31 + 7);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t slen = sizeof sa;
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) ||
        listen(listen_fd, 8) || getsockname(listen_fd, (struct sockaddr *)&sa, &slen)) {
        perror("listen");
        return 2;
    }
    pthread_t th;
    pthread_create(&th, NULL, serve, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    char url[128], path[512], err[256];
    int port = ntohs(sa.sin_port);
    tpa_fetch_opts_t o = {
        .token = "s3cret", .dir = dir, .suffix = ".pcap", .expect_size = BODY_SIZE};

    /* Success: exact bytes, token header sent, file kept for the caller. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", port);
    int rc = tpa_parser_fetch(url, &o, path, sizeof path, err, sizeof err);
    CHECK(rc == 0, "fetch ok: %d %s", rc, err);
    CHECK(strstr(last_request, "X-TPA-Token: s3cret\r\n") != NULL, "token header sent: %s",
          last_request);
    struct stat st;
    CHECK(rc == 0 && stat(path, &st) == 0 && st.st_size == BODY_SIZE, "file has the body's size");
    CHECK(strlen(path) > 5 && !strcmp(path + strlen(path) - 5, ".pcap"), "suffix kept: %s", path);
    FILE *f = fopen(path, "rb");
    char *back = malloc(BODY_SIZE);
    CHECK(f && back && fread(back, 1, BODY_SIZE, f) == BODY_SIZE && !memcmp(back, body, BODY_SIZE),
          "content intact");
    free(back);
    if (f) fclose(f);
    if (rc == 0) unlink(path);

    /* Failures: the right code and no file left behind. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/missing", port);
    rc = tpa_parser_fetch(url, &o, path, sizeof path, err, sizeof err);
    CHECK(rc == TPA_ERR_NOTFOUND, "404 -> NOTFOUND, got %d (%s)", rc, err);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/forbidden", port);
    rc = tpa_parser_fetch(url, &o, path, sizeof path, err, sizeof err);
    CHECK(rc == TPA_ERR_CONN && strstr(err, "403") && strstr(err, "TPA_CLUSTER_TOKEN"),
          "403 -> CONN with a hint, got %d (%s)", rc, err);
    CHECK(!strstr(err, "s3cret"), "the token never appears in errors");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/short", port);
    rc = tpa_parser_fetch(url, &o, path, sizeof path, err, sizeof err);
    CHECK(rc == TPA_ERR_FORMAT, "size mismatch -> FORMAT, got %d (%s)", rc, err);
    tpa_fetch_opts_t oc = o;
    oc.progress = stop_at_once;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/slow", port);
    rc = tpa_parser_fetch(url, &oc, path, sizeof path, err, sizeof err);
    CHECK(rc == TPA_ERR_CANCELLED, "progress false -> CANCELLED, got %d (%s)", rc, err);
    CHECK(count_files(dir) == 0, "no temporary file left behind (%d)", count_files(dir));

    shutdown(listen_fd, SHUT_RDWR);
    close(listen_fd);
    pthread_join(th, NULL);
    /* Nothing listens any more: cannot reach. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", port);
    rc = tpa_parser_fetch(url, &o, path, sizeof path, err, sizeof err);
    CHECK(rc == TPA_ERR_CONN, "unreachable -> CONN, got %d (%s)", rc, err);
    CHECK(count_files(dir) == 0, "no temporary file left behind");

    char tmp[1024];
    tpa_parser_tmpdir(dir, tmp, sizeof tmp);
    char want[1024];
    snprintf(want, sizeof want, "%s/tmp", dir);
    CHECK(!strcmp(tmp, want), "tmpdir under the data dir: %s", tmp);
    rmdir(want);
    tpa_parser_tmpdir("/nonexistent/data", tmp, sizeof tmp);
    CHECK(tmp[0] == '/' && strcmp(tmp, "/nonexistent/data/tmp"), "tmpdir falls back: %s", tmp);
    rmdir(dir);
    curl_global_cleanup();
    if (failures) {
        fprintf(stderr, "test_parser_fetch: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_parser_fetch: ok\n");
    return 0;
}
