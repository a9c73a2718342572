// tanh and exp for Float, evaluated in double and rounded once: the one implementation behind
// `Float.tanh` and `Float.exp` (Swift inlines these functions) and the array loops
// `ckernels_tanh_f32`, `ckernels_exp_f32`, so both give the same bits. See
// Float+ElementaryFunctions.swift for the derivation.
#ifndef CKERNELS_TANH_H
#define CKERNELS_TANH_H

#include <stdint.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

/// tanh x:  a = |x|,  e = e^{2·min(a, 10)} − 1,  tanh a = e/(e + 2)  (a ≥ 2⁻¹²),  a − a³/3  (a < 2⁻¹²),
/// e^{b} = 2ⁿ·(1 + r + r²/2! + … + r⁸/8!),  n = round(b·log₂e),  r = (b − n·ln2Hi) − n·ln2Lo.
static inline __attribute__((always_inline)) float ckernels_tanhf(float x) {
    const double ln2Hi = 0x1.62e42fefa3800p-1, ln2Lo = 0x1.ef35793c76730p-45, log2e = 0x1.71547652b82fep+0;
    const double shifter = 0x1.8p52;
    double a = __builtin_fabs((double)x);
    double b = 2 * (a > 10 ? 10 : a);              // NaN stays NaN
    double shifted = b * log2e + shifter;          // n = round(b·log₂e) sits in the low bits
    double n = shifted - shifter;
    double r = (b - n * ln2Hi) - n * ln2Lo;
    double p = 1.0 / 40320;
    p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 1.0 / 2;
    uint64_t bits, shifterBits;
    memcpy(&bits, &shifted, sizeof bits);
    memcpy(&shifterBits, &shifter, sizeof shifterBits);
    bits = (bits - shifterBits + 1023) << 52;      // 2ⁿ
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    double e = scale * (1 + (r + r * r * p)) - 1;
    double large = e / (e + 2);
    double small = a - a * a * a * (1.0 / 3);
    double t = a < 0x1p-12 ? small : large;
    return __builtin_copysignf((float)t, x);
}

/// x[i] ← tanh(x[i]) for i < count (AVX-512 or AVX2 when the CPU has it; the same bits either way).
void ckernels_tanh_f32(float *x, long count);

/// eˣ:  b = x clamped to [−104, 89],  e^b = 2ⁿ·(1 + r + r²/2! + … + r⁸/8!),
/// n = round(b·log₂e),  r = (b − n·ln2Hi) − n·ln2Lo, rounded once to float.
static inline __attribute__((always_inline)) float ckernels_expf(float x) {
    const double ln2Hi = 0x1.62e42fefa3800p-1, ln2Lo = 0x1.ef35793c76730p-45, log2e = 0x1.71547652b82fep+0;
    const double shifter = 0x1.8p52;
    double b = (double)x;
    b = b < -104 ? -104 : b;
    b = b > 89 ? 89 : b;                           // NaN passes both and stays NaN
    double shifted = b * log2e + shifter;
    double n = shifted - shifter;
    double r = (b - n * ln2Hi) - n * ln2Lo;
    double p = 1.0 / 40320;
    p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 1.0 / 2;
    uint64_t bits, shifterBits;
    memcpy(&bits, &shifted, sizeof bits);
    memcpy(&shifterBits, &shifter, sizeof shifterBits);
    bits = (bits - shifterBits + 1023) << 52;      // 2ⁿ, |n| ≤ 150
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return (float)(scale * (1 + (r + r * r * p)));
}

/// x[i] ← eˣ⁽ⁱ⁾ for i < count (AVX-512 or AVX2 when the CPU has it; the same bits either way).
void ckernels_exp_f32(float *x, long count);

#endif
