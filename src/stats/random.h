/* random.h — a small, seeded, reproducible random number generator for
 * statistics (bootstrap resampling, simulation).
 *
 * xoshiro256** (Blackman and Vigna), seeded through splitmix64 so that any
 * 64-bit seed, including 0, gives a well-mixed state. Why our own generator
 * and not rand(): results must be identical on every platform and libc for a
 * given seed, so that a reported bootstrap interval can be reproduced.
 *
 * Not for cryptography. The state is a plain value owned by the caller; no
 * function here allocates, and none is thread-safe on a shared state (give
 * each thread its own). */
#ifndef ASSAY_STATS_RANDOM_H
#define ASSAY_STATS_RANDOM_H

#include <stdint.h>

struct stats_random {
    uint64_t state[4];
};

/* Seeds the generator; the same seed always gives the same sequence. */
void stats_random_seed(struct stats_random *random, uint64_t seed);
/* The next 64 uniformly distributed bits. */
uint64_t stats_random_next(struct stats_random *random);
/* Uniform on [0, 1) with 53 random bits. */
double stats_random_uniform(struct stats_random *random);
/* Uniform integer on [0, bound) without modulo bias; bound must be > 0. */
uint64_t stats_random_below(struct stats_random *random, uint64_t bound);
/* Standard normal deviate (Box–Muller; one of the pair is discarded, which
 * costs a log and a sqrt per call and keeps the state a plain value). */
double stats_random_normal(struct stats_random *random);
/* splitmix64 step: mixes a 64-bit value; useful to derive independent seeds
 * (for example one per agent) from one user-given seed. */
uint64_t stats_random_mix(uint64_t value);

#endif
