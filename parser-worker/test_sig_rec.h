/* test_sig_rec.h - a copy of every message a dissector reports, for the tests that tap
 * the tpa_sig_t stream (test_3gpp_util.h through tpa_3gpp_set_tap, test_nas_rig.h
 * through tpa_nas_set_observer): the reported strings are borrowed only for the call.
 * Test-only; static state, one test program per include. */
#ifndef TEST_SIG_REC_H
#define TEST_SIG_REC_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tpa_sig.h"

/* A copy of one reported message. */
typedef struct rec {
    char protocol[16], code[16], name[96], procedure[64], key[96], cause_name[96], family[16];
    int kind, outcome, has_cause;
    long long cause;
    unsigned n_ids;
    int id_kind[TPA_SIG_MAX_IDS];
    char id_value[TPA_SIG_MAX_IDS][200];
} rec_t;

#define MAX_RECS 64
static rec_t recs[MAX_RECS];
static int nrecs;

static inline void rec_cpy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

/* Appends a copy of m to recs[] (nothing once MAX_RECS are kept). */
static inline void rec_add(const tpa_sig_t *m)
{
    if (nrecs >= MAX_RECS) return;
    rec_t *r = &recs[nrecs++];
    memset(r, 0, sizeof *r);
    rec_cpy(r->protocol, sizeof r->protocol, m->protocol);
    rec_cpy(r->code, sizeof r->code, m->code);
    rec_cpy(r->name, sizeof r->name, m->name);
    rec_cpy(r->procedure, sizeof r->procedure, m->procedure);
    rec_cpy(r->key, sizeof r->key, m->key);
    rec_cpy(r->cause_name, sizeof r->cause_name, m->cause_name);
    rec_cpy(r->family, sizeof r->family, m->cause_family);
    r->kind = (int)m->kind;
    r->outcome = (int)m->outcome;
    r->has_cause = m->has_cause;
    r->cause = (long long)m->cause;
    r->n_ids = m->n_ids;
    for (unsigned i = 0; i < m->n_ids && i < TPA_SIG_MAX_IDS; i++) {
        r->id_kind[i] = (int)m->ids[i].kind;
        rec_cpy(r->id_value[i], sizeof r->id_value[i], m->ids[i].value);
    }
}

/* The value of r's first identity of kind, or NULL. */
static inline const char *id_of(const rec_t *r, tpa_id_kind_t kind)
{
    for (unsigned i = 0; i < r->n_ids; i++)
        if (r->id_kind[i] == (int)kind) return r->id_value[i];
    return NULL;
}

/* Whether r holds identity (kind, value). */
static inline bool has_id(const rec_t *r, tpa_id_kind_t kind, const char *value)
{
    for (unsigned i = 0; i < r->n_ids; i++)
        if (r->id_kind[i] == (int)kind && strcmp(r->id_value[i], value) == 0) return true;
    return false;
}

#endif
