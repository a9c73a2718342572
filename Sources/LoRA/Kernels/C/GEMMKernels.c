// Deterministic GEMM: C ← α·op(A)·op(B) + β·C, row-major, with the same bits on every machine.
//
// Every element is computed in one fixed order, whatever the instruction set, thread count or
// blocking:
//
//     s = 0;  for p = 0, 1, …, k−1:  s = s + a_ip·b_pj      (product rounded, then sum rounded)
//     c_ij = α·s + β·c_ij       (α·s skipped when α = 1; β·c_ij skipped when β = 0, β = 1 adds c_ij)
//
// Vectors hold neighbouring *columns* j of one row, so a vector instruction performs the same
// scalar steps for several elements at once and never reorders one element's sum. Multiply and
// add stay separate instructions: FP_CONTRACT is off, so the compiler may not fuse them into an
// FMA (which rounds once instead of twice and would give other bits on machines that have it).
// IEEE 754 fixes the result of each rounded + and ×, so the value of c_ij is fixed by the order
// above, on x86-64 with or without AVX2, on ARM with NEON, in any thread.
//
// Speed comes from register blocking: a tile of MR = 6 rows × NR = 2 vectors of columns is
// accumulated in 12 vector registers while p runs over k (one vector when the last panel is at
// most one vector wide; with AVX-512, 12 rows × one 16-lane vector), and op(B) is read from
// column panels of width NR (packed, zero-padded, when B is transposed or large, and at the
// last, partial panel). The instruction set is chosen once, from CPUID: AVX-512F, AVX2 or the
// x86-64 baseline (SSE2); on ARM the compiler's NEON code for the same source.
#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "CKernels.h"
#include <stdlib.h>
#include <string.h>

// Rows per tile: 6 rows × 2 vectors of sums, 2 panel vectors, a broadcast and a product fill the
// 16 AVX2 registers exactly, which is why the sums loop does nothing else (see sums_*).
#define MR 6

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <cpuid.h>
#define CKERNELS_X86 1
#define TARGET_AVX2 __attribute__((target("avx2")))

#define TARGET_AVX512 __attribute__((target("avx512f")))

/// 2 when AVX-512F is usable, 1 for AVX2, 0 for the baseline: the CPU must have the instructions
/// and the operating system must save their registers (CPUID.1:ECX.OSXSAVE and AVX, XCR0 bits
/// 1–2 for YMM and 5–7 for ZMM, CPUID.7.0:EBX bit 5 for AVX2 and bit 16 for AVX-512F).
static int cpu_level(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!((c >> 27) & 1) || !((c >> 28) & 1)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 6) != 6) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    if (!((b >> 5) & 1)) return 0;
    return ((b >> 16) & 1) && (lo & 0xE0) == 0xE0 ? 2 : 1;
}

static int forced = -1;  // ckernels_limit_instruction_set; -1: what the CPU has

static int level(void) {
    static int state = -1;  // -1 unknown; a racing first call computes the same value
    int s = __atomic_load_n(&state, __ATOMIC_RELAXED);
    if (s < 0) {
        s = cpu_level();
        __atomic_store_n(&state, s, __ATOMIC_RELAXED);
    }
    int f = __atomic_load_n(&forced, __ATOMIC_RELAXED);
    return f >= 0 && f < s ? f : s;
}
#endif

int ckernels_limit_instruction_set(int limit) {
#if defined(CKERNELS_X86)
    int before = __atomic_load_n(&forced, __ATOMIC_RELAXED);
    __atomic_store_n(&forced, limit, __ATOMIC_RELAXED);
    return before;
#else
    (void)limit;
    return -1;
#endif
}
#if defined(CKERNELS_X86)
#endif

const char *ckernels_instruction_set(void) {
#if defined(CKERNELS_X86)
    return level() == 2 ? "AVX-512" : level() == 1 ? "AVX2" : "SSE2";
#elif defined(__aarch64__) || defined(__ARM_NEON)
    return "NEON";
#else
    return "portable";
#endif
}

// One element type: T scalar, V a vector of VL lanes, NR = 2·VL columns per panel.
#define DEFINE_GEMM(SUFFIX, T, VL)                                                                 \
typedef T V_##SUFFIX __attribute__((vector_size(VL * sizeof(T)), aligned(sizeof(T))));           \
enum { NR_##SUFFIX = 2 * VL };                                                                     \
                                                                                                   \
/* The sums of one tile: s[r][j] = Σ_p a_r[p·cs]·b[p·bs + j], p = 0..<k in order, for r < MR and   \
   j < NR (or j < VL when narrow). The loop keeps its 2·MR (or MR) sums in registers and nothing  \
   else live, so the compiler does not spill them; the caller finishes the tile from `out`. */    \
static inline __attribute__((always_inline))                                                       \
void sums_##SUFFIX(int k, const T *const *arow, long cs, const T *b, long bs, T out[MR][2 * VL]) { \
    V_##SUFFIX s00 = {0}, s01 = {0}, s10 = {0}, s11 = {0}, s20 = {0}, s21 = {0},                   \
               s30 = {0}, s31 = {0}, s40 = {0}, s41 = {0}, s50 = {0}, s51 = {0};                   \
    const T *a0 = arow[0], *a1 = arow[1], *a2 = arow[2], *a3 = arow[3], *a4 = arow[4], *a5 = arow[5]; \
    for (int p = 0; p < k; p++) {                                                                  \
        V_##SUFFIX b0 = *(const V_##SUFFIX *)b, b1 = *(const V_##SUFFIX *)(b + VL), t;             \
        T x;                                                                                       \
        /* each row: rounded products, then rounded sums */                                        \
        x = *a0; t = b0 * x; s00 = s00 + t; t = b1 * x; s01 = s01 + t;                             \
        x = *a1; t = b0 * x; s10 = s10 + t; t = b1 * x; s11 = s11 + t;                             \
        x = *a2; t = b0 * x; s20 = s20 + t; t = b1 * x; s21 = s21 + t;                             \
        x = *a3; t = b0 * x; s30 = s30 + t; t = b1 * x; s31 = s31 + t;                             \
        x = *a4; t = b0 * x; s40 = s40 + t; t = b1 * x; s41 = s41 + t;                             \
        x = *a5; t = b0 * x; s50 = s50 + t; t = b1 * x; s51 = s51 + t;                             \
        a0 += cs; a1 += cs; a2 += cs; a3 += cs; a4 += cs; a5 += cs;                                \
        b += bs;                                                                                   \
    }                                                                                              \
    memcpy(out[0], &s00, sizeof s00); memcpy(out[0] + VL, &s01, sizeof s01);                       \
    memcpy(out[1], &s10, sizeof s10); memcpy(out[1] + VL, &s11, sizeof s11);                       \
    memcpy(out[2], &s20, sizeof s20); memcpy(out[2] + VL, &s21, sizeof s21);                       \
    memcpy(out[3], &s30, sizeof s30); memcpy(out[3] + VL, &s31, sizeof s31);                       \
    memcpy(out[4], &s40, sizeof s40); memcpy(out[4] + VL, &s41, sizeof s41);                       \
    memcpy(out[5], &s50, sizeof s50); memcpy(out[5] + VL, &s51, sizeof s51);                       \
}                                                                                                  \
                                                                                                   \
static inline __attribute__((always_inline))                                                       \
void narrow_sums_##SUFFIX(int k, const T *const *arow, long cs, const T *b, long bs, T out[MR][2 * VL]) { \
    V_##SUFFIX s[MR];                                                                              \
    for (int r = 0; r < MR; r++) s[r] = (V_##SUFFIX){0};                                           \
    const T *a[MR];                                                                                \
    for (int r = 0; r < MR; r++) a[r] = arow[r];                                                   \
    for (int p = 0; p < k; p++) {                                                                  \
        V_##SUFFIX b0 = *(const V_##SUFFIX *)b;                                                    \
        for (int r = 0; r < MR; r++) {                                                             \
            V_##SUFFIX t0 = b0 * *a[r];                                                            \
            s[r] = s[r] + t0;                                                                      \
            a[r] += cs;                                                                            \
        }                                                                                          \
        b += bs;                                                                                   \
    }                                                                                              \
    for (int r = 0; r < MR; r++) memcpy(out[r], &s[r], sizeof s[r]);                               \
}                                                                                                  \
                                                                                                   \
/* AVX-512: 12 rows × one vector of NR lanes (zmm), for half the instructions per product. */   \
typedef T W_##SUFFIX __attribute__((vector_size(2 * VL * sizeof(T)), aligned(sizeof(T))));       \
static inline __attribute__((always_inline))                                                       \
void wide_sums_##SUFFIX(int k, const T *const *arow, long cs, const T *b, long bs, T out[][2 * VL]) { \
    W_##SUFFIX s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0}, s4 = {0}, s5 = {0},                         \
               s6 = {0}, s7 = {0}, s8 = {0}, s9 = {0}, s10 = {0}, s11 = {0};                       \
    const T *a0 = arow[0], *a1 = arow[1], *a2 = arow[2], *a3 = arow[3], *a4 = arow[4], *a5 = arow[5], \
            *a6 = arow[6], *a7 = arow[7], *a8 = arow[8], *a9 = arow[9], *a10 = arow[10], *a11 = arow[11]; \
    for (int p = 0; p < k; p++) {                                                                  \
        W_##SUFFIX b0 = *(const W_##SUFFIX *)b, t;                                                 \
        t = b0 * *a0; s0 = s0 + t;   t = b0 * *a1; s1 = s1 + t;   t = b0 * *a2; s2 = s2 + t;       \
        t = b0 * *a3; s3 = s3 + t;   t = b0 * *a4; s4 = s4 + t;   t = b0 * *a5; s5 = s5 + t;       \
        t = b0 * *a6; s6 = s6 + t;   t = b0 * *a7; s7 = s7 + t;   t = b0 * *a8; s8 = s8 + t;       \
        t = b0 * *a9; s9 = s9 + t;   t = b0 * *a10; s10 = s10 + t; t = b0 * *a11; s11 = s11 + t;   \
        a0 += cs; a1 += cs; a2 += cs; a3 += cs; a4 += cs; a5 += cs;                                \
        a6 += cs; a7 += cs; a8 += cs; a9 += cs; a10 += cs; a11 += cs;                              \
        b += bs;                                                                                   \
    }                                                                                              \
    memcpy(out[0], &s0, sizeof s0); memcpy(out[1], &s1, sizeof s1); memcpy(out[2], &s2, sizeof s2); \
    memcpy(out[3], &s3, sizeof s3); memcpy(out[4], &s4, sizeof s4); memcpy(out[5], &s5, sizeof s5); \
    memcpy(out[6], &s6, sizeof s6); memcpy(out[7], &s7, sizeof s7); memcpy(out[8], &s8, sizeof s8); \
    memcpy(out[9], &s9, sizeof s9); memcpy(out[10], &s10, sizeof s10); memcpy(out[11], &s11, sizeof s11); \
}                                                                                                  \
                                                                                                   \
/* c[r][j] = α·s[r][j] (+ β·c[r][j]) for r < rows, j < w; the common cases (α = 1 with β = 0   \
   or 1) in loops of their own, which the compiler vectorizes. */                                 \
static inline __attribute__((always_inline))                                                       \
void finish_##SUFFIX(T sums[][2 * VL], T alpha, T beta, T *c, long ldc, int rows, int w) {         \
    if (alpha == 1 && beta == 0) {                                                                 \
        for (int r = 0; r < rows; r++) memcpy(c + r * ldc, sums[r], (size_t)w * sizeof(T));        \
    } else if (alpha == 1 && beta == 1) {                                                          \
        for (int r = 0; r < rows; r++) {                                                           \
            T *cr = c + r * ldc;                                                                   \
            if (w == 2 * VL) { for (int j = 0; j < 2 * VL; j++) cr[j] = sums[r][j] + cr[j]; }      \
            else { for (int j = 0; j < w; j++) cr[j] = sums[r][j] + cr[j]; }                       \
        }                                                                                          \
    } else {                                                                                       \
        for (int r = 0; r < rows; r++) {                                                           \
            T *cr = c + r * ldc;                                                                   \
            for (int j = 0; j < w; j++) {                                                          \
                T v = alpha == 1 ? sums[r][j] : alpha * sums[r][j];                                \
                if (beta != 0) { T u = beta == 1 ? cr[j] : beta * cr[j]; v = v + u; }              \
                cr[j] = v;                                                                         \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
/* The sums loops as functions of their own, for each instruction set: alone in a function, the \
   loop gets its registers without spills. */                                                     \
__attribute__((noinline)) static void sums_portable_##SUFFIX(int k, const T *const *arow, long cs, \
                                                             const T *b, long bs, T out[MR][2 * VL]) { \
    sums_##SUFFIX(k, arow, cs, b, bs, out);                                                        \
}                                                                                                  \
__attribute__((noinline)) static void narrow_sums_portable_##SUFFIX(int k, const T *const *arow, long cs, \
                                                                    const T *b, long bs, T out[MR][2 * VL]) { \
    narrow_sums_##SUFFIX(k, arow, cs, b, bs, out);                                                 \
}                                                                                                  \
__attribute__((noinline, unused)) static void wide_sums_portable_##SUFFIX(int k, const T *const *arow, long cs, \
                                                                   const T *b, long bs, T out[][2 * VL]) { \
    wide_sums_##SUFFIX(k, arow, cs, b, bs, out);                                                   \
}                                                                                                  \
SUMS_AVX2(SUFFIX, T, VL)                                                                             \
                                                                                                   \
/* op(B) is read in place when B is not transposed and its k rows span at most 256 KiB (they  \
   stay in cache); otherwise every panel is packed. The last, partial panel is always packed. */ \
static int packs_all_##SUFFIX(bool transB, int k, long ldb) {                                     \
    return transB || (long)k * ldb * (long)sizeof(T) > 256 * 1024;                                 \
}                                                                                                  \
                                                                                                   \
long ckernels_packed_count_##SUFFIX(bool transB, int k, int n, long ldb) {                        \
    long panels = (n + NR_##SUFFIX - 1) / NR_##SUFFIX;                                             \
    if (packs_all_##SUFFIX(transB, k, ldb)) return panels * k * NR_##SUFFIX;                       \
    return n % NR_##SUFFIX ? (long)k * NR_##SUFFIX : 0;                                            \
}                                                                                                  \
                                                                                                   \
void ckernels_pack_b_##SUFFIX(bool transB, int k, int n, const T *b, long ldb, T *packed) {       \
    const int nr = NR_##SUFFIX;                                                                    \
    int panels = (n + nr - 1) / nr, all = packs_all_##SUFFIX(transB, k, ldb);                      \
    for (int q = all ? 0 : panels - 1; q < panels; q++) {                                          \
        int j0 = q * nr, w = n - j0 < nr ? n - j0 : nr;                                            \
        if (!all && w == nr) break;                                                                \
        T *panel = packed + (all ? (long)q * k * nr : 0);                                          \
        for (int p = 0; p < k; p++) {                                                              \
            T *dst = panel + (long)p * nr;                                                         \
            for (int j = 0; j < w; j++) dst[j] = transB ? b[(long)(j0 + j) * ldb + p] : b[p * ldb + j0 + j]; \
            for (int j = w; j < nr; j++) dst[j] = 0;                                               \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
/* The loop over tiles, compiled once per instruction set (so that finishing a tile reads the   \
   sums with the vector width that wrote them). */                                               \
static inline __attribute__((always_inline))                                                       \
void rows_##SUFFIX(int level, bool transA, bool transB, int rowBegin, int rowEnd, int n, int k,    \
                   T alpha, const T *a, long lda, const T *b, long ldb,                            \
                   const T *packed, T beta, T *c, long ldc) {                                      \
    const int nr = NR_##SUFFIX;                                                                    \
    long rs = transA ? 1 : lda, cs = transA ? lda : 1;                                             \
    int panels = (n + nr - 1) / nr, all = packs_all_##SUFFIX(transB, k, ldb);                      \
    const int mr = level == 2 ? 2 * MR : MR;   /* AVX-512 tiles have twice the rows */             \
    /* AVX-512 tiles read 12 rows of A at once; when they lie a multiple of 4 KiB apart (lda =     \
       1024 floats) they compete for the same 8-way cache sets, so they are first copied next to  \
       each other (the copy moves values, the sums are unchanged). */                              \
    T stackCopy[4096];                                                                             \
    T *copy = NULL;                                                                                \
    if (level == 2 && !transA && (lda * (long)sizeof(T)) % 4096 == 0)                              \
        copy = (long)k * mr <= 4096 ? stackCopy : malloc(sizeof(T) * (size_t)k * (size_t)mr);      \
    for (int i0 = rowBegin; i0 < rowEnd; i0 += mr) {                                               \
        int rows = rowEnd - i0 < mr ? rowEnd - i0 : mr;                                            \
        const T *arow[2 * MR];  /* rows past the end repeat the last row; their sums are not stored */ \
        for (int r = 0; r < mr; r++) arow[r] = a + (long)(i0 + (r < rows ? r : rows - 1)) * rs;    \
        long step = cs;                                                                            \
        if (copy) {                                                                                \
            for (int p = 0; p < k; p++)                                                            \
                for (int r = 0; r < mr; r++) copy[(long)p * mr + r] = arow[r][p];                  \
            for (int r = 0; r < mr; r++) arow[r] = copy + r;                                       \
            step = mr;                                                                             \
        }                                                                                          \
        for (int q = 0; q < panels; q++) {                                                         \
            int j0 = q * nr, w = n - j0 < nr ? n - j0 : nr;                                        \
            const T *panel; long bs;                                                               \
            if (all) { panel = packed + (long)q * k * nr; bs = nr; }                               \
            else if (w < nr) { panel = packed; bs = nr; }                                          \
            else { panel = b + j0; bs = ldb; }                                                     \
            T sums[2 * MR][2 * VL];                                                                \
            if (level == 2) {                                                                      \
                CALL_AVX512(wide_sums, SUFFIX, k, arow, step, panel, bs, sums);                      \
            } else if (w <= VL) {                                                                  \
                if (level == 1) CALL_AVX2(narrow_sums, SUFFIX, k, arow, step, panel, bs, sums);      \
                else narrow_sums_portable_##SUFFIX(k, arow, step, panel, bs, sums);                  \
            } else {                                                                               \
                if (level == 1) CALL_AVX2(sums, SUFFIX, k, arow, step, panel, bs, sums);             \
                else sums_portable_##SUFFIX(k, arow, step, panel, bs, sums);                         \
            }                                                                                      \
            finish_##SUFFIX(sums, alpha, beta, c + (long)i0 * ldc + j0, ldc, rows, w);             \
        }                                                                                          \
    }                                                                                              \
    if (copy && copy != stackCopy) free(copy);                                                     \
}                                                                                                  \
                                                                                                   \
static void rows_portable_##SUFFIX(bool transA, bool transB, int rowBegin, int rowEnd, int n, int k, \
                                   T alpha, const T *a, long lda, const T *b, long ldb,            \
                                   const T *packed, T beta, T *c, long ldc) {                      \
    rows_##SUFFIX(0, transA, transB, rowBegin, rowEnd, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc); \
}                                                                                                  \
ROWS_AVX2(SUFFIX, T)                                                                               \
                                                                                                   \
void ckernels_gemm_rows_##SUFFIX(bool transA, bool transB, int rowBegin, int rowEnd, int n, int k, \
                                 T alpha, const T *a, long lda, const T *b, long ldb,              \
                                 const T *packed, T beta, T *c, long ldc) {                        \
    int l = LEVEL();                                                                               \
    if (l == 2) CALL_AVX512(rows, SUFFIX, transA, transB, rowBegin, rowEnd, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc); \
    else if (l == 1) CALL_AVX2(rows, SUFFIX, transA, transB, rowBegin, rowEnd, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc); \
    else rows_portable_##SUFFIX(transA, transB, rowBegin, rowEnd, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc); \
}

#if defined(CKERNELS_X86)
#define SUMS_AVX2(SUFFIX, T, VL)                                                                      \
TARGET_AVX2 __attribute__((noinline)) static void sums_avx2_##SUFFIX(                              \
    int k, const T *const *arow, long cs, const T *b, long bs, T out[MR][2 * VL]) {                \
    sums_##SUFFIX(k, arow, cs, b, bs, out);                                                        \
}                                                                                                  \
TARGET_AVX2 __attribute__((noinline)) static void narrow_sums_avx2_##SUFFIX(                       \
    int k, const T *const *arow, long cs, const T *b, long bs, T out[MR][2 * VL]) {                \
    narrow_sums_##SUFFIX(k, arow, cs, b, bs, out);                                                 \
}                                                                                                  \
TARGET_AVX512 __attribute__((noinline)) static void wide_sums_avx512_##SUFFIX(                     \
    int k, const T *const *arow, long cs, const T *b, long bs, T out[][2 * VL]) {                  \
    wide_sums_##SUFFIX(k, arow, cs, b, bs, out);                                                   \
}
#define ROWS_AVX2(SUFFIX, T)                                                                       \
TARGET_AVX2 static void rows_avx2_##SUFFIX(bool transA, bool transB, int rowBegin, int rowEnd, int n, int k, \
                                           T alpha, const T *a, long lda, const T *b, long ldb,    \
                                           const T *packed, T beta, T *c, long ldc) {              \
    rows_##SUFFIX(1, transA, transB, rowBegin, rowEnd, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc); \
}                                                                                                  \
TARGET_AVX512 static void rows_avx512_##SUFFIX(bool transA, bool transB, int rowBegin, int rowEnd, int n, int k, \
                                               T alpha, const T *a, long lda, const T *b, long ldb, \
                                               const T *packed, T beta, T *c, long ldc) {          \
    rows_##SUFFIX(2, transA, transB, rowBegin, rowEnd, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc); \
}
#define LEVEL() level()
#define CALL_AVX2(NAME, SUFFIX, ...) NAME##_avx2_##SUFFIX(__VA_ARGS__)
#define CALL_AVX512(NAME, SUFFIX, ...) NAME##_avx512_##SUFFIX(__VA_ARGS__)
#else
#define ROWS_AVX2(SUFFIX, T)
#define SUMS_AVX2(SUFFIX, T, VL)
#define LEVEL() 0
#define CALL_AVX2(NAME, SUFFIX, ...) NAME##_portable_##SUFFIX(__VA_ARGS__)
#define CALL_AVX512(NAME, SUFFIX, ...) NAME##_portable_##SUFFIX(__VA_ARGS__)
#endif

DEFINE_GEMM(f32, float, 8)
DEFINE_GEMM(f64, double, 4)

// The array forms of ckernels_tanhf and ckernels_expf: one loop each, compiled for AVX-512, AVX2
// and the baseline.
#include "CKernelsTanh.h"

#define ARRAY_LOOP(NAME, FUNCTION, ATTR) \
ATTR static void NAME(float *x, long count) { for (long i = 0; i < count; i++) x[i] = FUNCTION(x[i]); }
#define ARRAY_FUNCTION(NAME, FUNCTION)                                                             \
ARRAY_LOOP(NAME##_portable, FUNCTION, )                                                            \
ARRAY_LOOP_X86(NAME, FUNCTION)                                                                     \
void ckernels_##NAME##_f32(float *x, long count) {                                                 \
    int l = LEVEL();                                                                               \
    if (l == 2) CALL_AVX512(NAME, f32, x, count);                                                  \
    else if (l == 1) CALL_AVX2(NAME, f32, x, count);                                               \
    else NAME##_portable(x, count);                                                                \
}
#if defined(CKERNELS_X86)
#define ARRAY_LOOP_X86(NAME, FUNCTION) \
ARRAY_LOOP(NAME##_avx2_f32, FUNCTION, TARGET_AVX2) ARRAY_LOOP(NAME##_avx512_f32, FUNCTION, TARGET_AVX512)
#else
#define ARRAY_LOOP_X86(NAME, FUNCTION)
#define tanh_portable_f32 tanh_portable
#define exp_portable_f32 exp_portable
#endif

ARRAY_FUNCTION(tanh, ckernels_tanhf)
ARRAY_FUNCTION(exp, ckernels_expf)
