/* Tracking codes; see tracking.h. */
#include "domain/tracking.h"

#include <sodium.h>
#include <string.h>

static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
#define N 32

static int value_of(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* The code is valid when sum((i + 1) * v[i]) is 0 mod 37. 37 is prime and larger than both the
 * alphabet and every weight, so changing one symbol, or swapping any two, changes the sum by a
 * non-zero amount mod 37: always detected. A check value of 32..36 has no symbol; such draws
 * are simply drawn again. Returns the check value for v[0..n). */
static int check_value(const int *v, int n)
{
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += (i + 1) * v[i];
    /* (n + 1) * check = -sum (mod 37); 27 is the inverse of 11 mod 37, and n + 1 == 11 */
    return ((37 - sum % 37) % 37) * 27 % 37;
}

static void format(const int *v, char out[TRACKING_TEXT])
{
    int k = 0;
    for (int i = 0; i < TRACKING_SYMBOLS; i++) {
        if (i == 4 || i == 8)
            out[k++] = '-';
        out[k++] = alphabet[v[i]];
    }
    out[k] = 0;
}

void tracking_new(char out[TRACKING_TEXT])
{
    int v[TRACKING_SYMBOLS];
    do {
        for (int i = 0; i < TRACKING_SYMBOLS - 1; i++)
            v[i] = (int)randombytes_uniform(N);
        v[TRACKING_SYMBOLS - 1] = check_value(v, TRACKING_SYMBOLS - 1);
    } while (v[TRACKING_SYMBOLS - 1] >= N);
    format(v, out);
}

bool tracking_normalise(const char *typed, char out[TRACKING_TEXT])
{
    int v[TRACKING_SYMBOLS], n = 0;
    for (const char *p = typed; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        int x = value_of(*p);
        if (x < 0 || n == TRACKING_SYMBOLS)
            return false;
        v[n++] = x;
    }
    if (n != TRACKING_SYMBOLS || check_value(v, n - 1) != v[n - 1])
        return false;
    format(v, out);
    return true;
}
