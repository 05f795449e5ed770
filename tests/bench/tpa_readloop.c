/* tpa_readloop.c - the baseline of the engine benchmark: a bare libpcap read loop.
 *
 * Reads every record of a capture with pcap_next_ex and touches nothing but the
 * header lengths, so its time is the floor any analyzer on libpcap pays for I/O and
 * record parsing. Prints {"packets","bytes","seconds"}.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long long packets = 0, bytes = 0;
    struct timespec t0, t1;
    pcap_t *p;
    int rc;

    if (argc != 2 || argv[1][0] == '-') {
        fprintf(argc == 2 ? stdout : stderr, "usage: tpa-readloop CAPTURE\n"
                "Reads every packet with libpcap and prints the count, bytes and seconds.\n");
        return argc == 2 ? 0 : 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "tpa-readloop: %s\n", err);
        return 1;
    }
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packets++;
        bytes += h->len;
    }
    pcap_close(p);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("{\"packets\":%llu,\"bytes\":%llu,\"seconds\":%.6f}\n", packets, bytes,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return rc == -2 ? 0 : 1;
}
