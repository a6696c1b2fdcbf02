/* random.c — xoshiro256** seeded by splitmix64; see random.h. */
#include "stats/random.h"

#include <assert.h>
#include <math.h>

uint64_t stats_random_mix(uint64_t value)
{
    value += 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

void stats_random_seed(struct stats_random *random, uint64_t seed)
{
    /* Each word is a further splitmix64 step, as the xoshiro authors advise:
     * it can never produce the all-zero state xoshiro must avoid. */
    uint64_t value = seed;
    for (int index = 0; index < 4; index++) {
        random->state[index] = stats_random_mix(value);
        value += 0x9e3779b97f4a7c15ULL;
    }
}

static uint64_t rotate_left(uint64_t value, int count)
{
    return (value << count) | (value >> (64 - count));
}

uint64_t stats_random_next(struct stats_random *random)
{
    uint64_t *state = random->state;
    uint64_t result = rotate_left(state[1] * 5, 7) * 9;
    uint64_t shifted = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= shifted;
    state[3] = rotate_left(state[3], 45);
    return result;
}

double stats_random_uniform(struct stats_random *random)
{
    return (double)(stats_random_next(random) >> 11) * 0x1.0p-53;
}

uint64_t stats_random_below(struct stats_random *random, uint64_t bound)
{
    assert(bound > 0);
    /* Rejection on the top of the range: at most one retry in expectation,
     * and exactly uniform, unlike `next % bound`. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t value;
    do
        value = stats_random_next(random);
    while (value >= limit);
    return value % bound;
}

double stats_random_normal(struct stats_random *random)
{
    /* 1 - u lies in (0, 1], so the logarithm is finite. */
    double radius = sqrt(-2.0 * log(1.0 - stats_random_uniform(random)));
    double angle = 2.0 * M_PI * stats_random_uniform(random);
    return radius * cos(angle);
}
