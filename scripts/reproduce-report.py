#!/usr/bin/env python3
"""Recompute a Margin disagreement report from an export bundle alone.

An auditor's tool: Python 3 standard library only, nothing of Margin's code. Give it the zip that

    GET /api/v1/campaigns/{id}/exports/bundle?format=csv|jsonl[&cuts=..&minN=..&ref=..&run=..]

returns. From the bundle's judgments file, its design file (the inclusion records of the routing run the report
used) and the report parameters in manifest.json it recomputes every headline figure of the report, per stratum
(overall, each tail bucket, each group): the counts, judge-human agreement (routing-corrected and naive), human
agreement and Krippendorff's alpha, Cohen's kappa (three weightings), Spearman's rho, the judge's bias (prediction
powered and naive) and the "worse than the reference" tests with Benjamini-Hochberg q-values.

The estimators, and why they are what they are, are described in docs/methodology.md. This file is a line-by-line
port of the app's TypeScript (function names follow it, so each piece can be checked against its original):

    lib/report/units.ts      buildUnits, itemConsensus, nearestIndex, dawidSkeneClasses
    lib/report/params.ts     bucketIndex, bucketBounds, bucketLabel
    lib/report/assemble.ts   assembleReport, flagWorse, strataContext
    lib/report/stratum.ts    computeStratum, biasPair, seedFor
    lib/stats/*.ts           hajekProportion, wilsonInterval, weightedMeanInterval, predictionPoweredBias,
                             alphaFromFlat, kappaFromFlat, spearmanFromFlat, unitCoincidences, typeUnitsBy,
                             tableBootstrapMany, poissonDraw, createRng, quantileSorted, normalCdf,
                             benjaminiHochberg, dawidSkene
    lib/random.ts            hash53 (per-stratum bootstrap seeds)
    db/queries/report.ts     which judgments count (labelledItems, reportAccounting)

Bootstrap intervals are reproduced bit for bit: the seeded generator (SplitMix32 + xoshiro128**) is ported with
explicit 32-bit masking, and JavaScript numbers are IEEE doubles like Python floats. The Poisson bootstrap draws
one count per type of unit in the order the types first appear among the labelled items, so its bounds depend on
that order: this script takes the labelled items in item order, the order of the design file.

Usage:
    python3 scripts/reproduce-report.py BUNDLE.zip            # the recomputed figures as JSON
    python3 scripts/reproduce-report.py --check BUNDLE.zip    # compare with the bundle's own report.json

Exit status: 0 success (with --check: every figure agrees within 1e-9), 1 a --check mismatch or a checksum
that does not match, 2 a bundle this script cannot read (e.g. Parquet, or a file missing).
"""

import argparse
import csv
import hashlib
import io
import json
import math
import re
import sys
import zipfile
from decimal import Decimal

# Constants of lib/report/assemble.ts and lib/stats/normal.ts.
ESTIMATOR_VERSION = "2026-12-01"
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20261127
FDR_Q = 0.05
NO_GROUP = "(none)"
Z_95 = 1.959963984540054
TOLERANCE = 1e-9

FIGURES = [
    "judgeAgreement", "judgeAgreementNaive", "humanAgreement", "humanAlpha", "kappa", "kappaUnweighted",
    "kappaLinear", "kappaQuadratic", "rho", "rhoMean", "bias", "biasNaive", "biasMean", "biasMeanNaive",
]
COUNTS = ["items", "judged", "routed", "sampled", "fullyJudged", "labelled", "pairable"]
# Paths of the figures whose interval is a bootstrap's (their bounds depend on the order of the labelled items).
BOOTSTRAP_BOUND = re.compile(r"\.(humanAlpha|kappa|kappaUnweighted|kappaLinear|kappaQuadratic|rho|rhoMean)\.(lower|upper):")

U32 = 0xFFFFFFFF


class BundleError(Exception):
    """The bundle cannot be read (exit status 2)."""


# ---------------------------------------------------------------------------------------------------------------
# JavaScript arithmetic that Python does differently
# ---------------------------------------------------------------------------------------------------------------

def imul(a, b):
    """Math.imul on unsigned 32-bit representations: the low 32 bits of the product."""
    return (a * b) & U32


def js_round(x):
    """Math.round: the nearest integer, halves towards +infinity."""
    f = math.floor(x)
    return f + 1 if x - f >= 0.5 else f


def js_number_to_string(x):
    """String(x) for a JavaScript number (ECMAScript Number::toString: shortest round-trip digits)."""
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    if x < 0:
        return "-" + js_number_to_string(-x)
    _, digits, exp = Decimal(repr(float(x))).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    exp += len(digits) - len(ds)
    k = len(ds)
    n = k + exp  # x = 0.ds × 10^n
    if k <= n <= 21:
        return ds + "0" * (n - k)
    if 0 < n <= 21:
        return ds[:n] + "." + ds[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + ds
    e = n - 1
    sign = "+" if e >= 0 else "-"
    mantissa = ds if k == 1 else ds[0] + "." + ds[1:]
    return f"{mantissa}e{sign}{abs(e)}"


def utf16_units(text):
    """The UTF-16 code units of a string (what String.prototype.charCodeAt walks)."""
    b = text.encode("utf-16-le", "surrogatepass")
    return [b[i] | (b[i + 1] << 8) for i in range(0, len(b), 2)]


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


# ---------------------------------------------------------------------------------------------------------------
# lib/random.ts, lib/stats/random.ts
# ---------------------------------------------------------------------------------------------------------------

def hash53(text, seed=0):
    """cyrb53-style string hash to a 53-bit integer (lib/random.ts)."""
    h1 = (0xDEADBEEF ^ seed) & U32
    h2 = (0x41C6CE57 ^ seed) & U32
    for ch in utf16_units(text):
        h1 = imul(h1 ^ ch, 2654435761)
        h2 = imul(h2 ^ ch, 1597334677)
    h1 = imul(h1 ^ (h1 >> 16), 2246822507) ^ imul(h2 ^ (h2 >> 13), 3266489909)
    h2 = imul(h2 ^ (h2 >> 16), 2246822507) ^ imul(h1 ^ (h1 >> 13), 3266489909)
    return 4294967296 * (2097151 & h2) + h1


def split_mix32(seed):
    s = seed & U32

    def nxt():
        nonlocal s
        s = (s + 0x9E3779B9) & U32
        z = s
        z = imul(z ^ (z >> 16), 0x85EBCA6B)
        z = imul(z ^ (z >> 13), 0xC2B2AE35)
        return (z ^ (z >> 16)) & U32

    return nxt


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & U32


class Rng:
    """createRng: xoshiro128** seeded through SplitMix32 (lib/stats/random.ts)."""

    def __init__(self, seed):
        if seed != int(seed):
            raise ValueError(f"createRng: seed {seed} is not an integer")
        init = split_mix32(int(seed))
        self.s0, self.s1, self.s2, self.s3 = init(), init(), init(), init()
        if (self.s0 | self.s1 | self.s2 | self.s3) == 0:
            self.s0 = 1

    def next_uint32(self):
        s0, s1, s2, s3 = self.s0, self.s1, self.s2, self.s3
        result = imul(rotl(imul(s1, 5), 7), 9)
        t = (s1 << 9) & U32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 11)
        self.s0, self.s1, self.s2, self.s3 = s0, s1, s2, s3
        return result

    def next(self):
        return self.next_uint32() / 4294967296


LOGGAM_COEF = [
    8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
    -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
]


def log_gamma(x):
    """logGamma: log Γ(x) for x ≥ 1 by the Stirling series."""
    if x == 1 or x == 2:
        return 0.0
    shift = math.floor(7 - x) if x < 7 else 0
    x0 = x + shift
    x2 = 1 / (x0 * x0)
    g = LOGGAM_COEF[9]
    for k in range(8, -1, -1):
        g = g * x2 + LOGGAM_COEF[k]
    gl = g / x0 + 0.5 * math.log(2 * math.pi) + (x0 - 0.5) * math.log(x0) - x0
    for _ in range(1, shift + 1):
        gl -= math.log(x0 - 1)
        x0 -= 1
    return gl


def poisson_draw(lam, exp_minus_lambda, rng):
    """poissonDraw: inversion below λ = 10, Hörmann's PTRS above."""
    if lam < 10:
        u = rng.next()
        k = 0
        p = exp_minus_lambda
        cdf = p
        while u > cdf and k < 1000:
            k += 1
            p *= lam / k
            cdf += p
        return k
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = rng.next() - 0.5
        v = rng.next()
        us = 0.5 - abs(u)
        k = math.floor(((2 * a) / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b) <= -lam + k * loglam - log_gamma(k + 1):
            return k


# ---------------------------------------------------------------------------------------------------------------
# lib/stats: normal, intervals, weighted, multiple testing
# ---------------------------------------------------------------------------------------------------------------

SQRT_PI = math.sqrt(math.pi)
SQRT2 = 1.4142135623730951  # Math.SQRT2


def erf_series(x):
    term = x
    total = x
    for n in range(1, 200):
        term *= (2 * x * x) / (2 * n + 1)
        total += term
        if term < total * 1e-17:
            break
    return (2 / SQRT_PI) * math.exp(-x * x) * total


def erfc_continued_fraction(x):
    tiny = 1e-300
    f = x
    c = x
    d = 0.0
    for n in range(1, 500):
        a = n / 2
        d = x + a * d
        d = tiny if abs(d) < tiny else d
        c = x + a / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = c * d
        f *= delta
        if abs(delta - 1) < 1e-16:
            break
    return math.exp(-x * x) / (SQRT_PI * f)


def erfc(x):
    if x != x:
        return math.nan
    if x < 0:
        return 2 - erfc(-x)
    if x >= 3:
        return erfc_continued_fraction(x)
    return 1 - erf_series(x)


def normal_cdf(z):
    return 0.5 * erfc(-z / SQRT2)


def wilson_effective(p, n_eff, z=Z_95):
    z2 = z * z
    denom = 1 + z2 / n_eff
    center = (p + z2 / (2 * n_eff)) / denom
    half = (z / denom) * math.sqrt((p * (1 - p)) / n_eff + z2 / (4 * n_eff * n_eff))
    return {"estimate": p, "lower": max(0.0, center - half), "upper": min(1.0, center + half)}


def wilson_interval(successes, n, z=Z_95):
    if n == 0:
        return {"estimate": math.nan, "lower": 0.0, "upper": 1.0}
    return wilson_effective(successes / n, n, z)


def quantile_sorted(xs, q):
    if not xs:
        return math.nan
    h = (len(xs) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def normal_interval(estimate, variance, clip=None):
    se = math.sqrt(variance)
    lower = estimate - Z_95 * se
    upper = estimate + Z_95 * se
    if clip is not None:
        lower = max(clip[0], lower)
        upper = min(clip[1], upper)
    return {"estimate": estimate, "lower": lower, "upper": upper}


def kish_effective_n(weights):
    s = 0.0
    s2 = 0.0
    for w in weights:
        s += w
        s2 += w * w
    return 0.0 if s2 == 0 else (s * s) / s2


def hajek_mean_with_variance(y, pi):
    num = 0.0
    den = 0.0
    for yi, p in zip(y, pi):
        num += yi / p
        den += 1 / p
    mu = num / den
    n_hat = 0.0
    v = 0.0
    for yi, p in zip(y, pi):
        n_hat += 1 / p
        d = yi - mu
        v += ((1 - p) / (p * p)) * (d * d)
    return normal_interval(mu, v / (n_hat * n_hat))


def hajek_proportion(outcomes, pi):
    """Hájek-weighted proportion, Wilson's interval at the Kish effective n of the weights 1/π."""
    y = [1 if o else 0 for o in outcomes]
    e = hajek_mean_with_variance(y, pi)
    w = wilson_effective(e["estimate"], kish_effective_n([1 / p for p in pi]), Z_95)
    return {"estimate": e["estimate"], "lower": w["lower"], "upper": w["upper"]}


def weighted_mean_interval(values, weights, clip=None):
    sw = 0.0
    for w in weights:
        sw += w
    acc = 0.0
    for y, w in zip(values, weights):
        acc += w * y
    mean = acc / sw
    acc = 0.0
    for y, w in zip(values, weights):
        d = y - mean
        acc += w * (d * d)
    v = acc / sw
    return normal_interval(mean, v / kish_effective_n(weights), clip)


def prediction_powered_bias(n, labelled):
    """predictionPoweredBias: (1/N) Σ_lab d/π, SE the larger of the design and superpopulation ones."""
    total = 0.0
    sum_sq = 0.0
    design = 0.0
    for d, pi in labelled:
        b = d / pi
        total += b
        sum_sq += b * b
        design += ((1 - pi) / (pi * pi)) * d * d
    estimate = total / n
    se_design = math.sqrt(design) / n
    se_super = math.sqrt(max(0.0, sum_sq / n - estimate * estimate) / n)
    se = max(se_design, se_super)
    return {"estimate": estimate, "lower": estimate - Z_95 * se, "upper": estimate + Z_95 * se}


def benjamini_hochberg(p_values, q=FDR_Q):
    order = sorted(((p, i) for i, p in enumerate(p_values) if p == p), key=lambda t: (t[0], t[1]))
    m = len(order)
    adjusted = [math.nan] * len(p_values)
    running = 1.0
    for r in range(m - 1, -1, -1):
        p, i = order[r]
        running = min(running, (m * p) / (r + 1))
        adjusted[i] = max(running, p)
    return adjusted, [a <= q for a in adjusted]


# ---------------------------------------------------------------------------------------------------------------
# lib/stats: α, κ, ρ on flat tables; the Poisson table bootstrap
# ---------------------------------------------------------------------------------------------------------------

def unit_coincidences(codes, k):
    """One unit's coincidences as sparse cells c·k + d of a flat k × k matrix."""
    m = len(codes)
    counts = {}
    for c in sorted(codes):
        counts[c] = counts.get(c, 0) + 1
    cells = []
    amounts = []
    for c, nc in counts.items():
        for d, nd in counts.items():
            pairs = nc * (nc - 1) if c == d else nc * nd
            if pairs == 0:
                continue
            cells.append(c * k + d)
            amounts.append(pairs / (m - 1))
    return cells, amounts


def alpha_from_flat(flat, scale, level):
    """Krippendorff's α from a flat k × k coincidence matrix (levels nominal and interval, as the report uses)."""
    k = len(scale)
    marg = [0.0] * k
    n = 0.0
    for c in range(k):
        for d in range(k):
            marg[c] += flat[c * k + d]
        n += marg[c]
    if n <= 1:
        return math.nan
    observed = 0.0
    expected = 0.0
    for c in range(k):
        if marg[c] == 0:
            continue
        between = 0.0
        for d in range(c + 1, k):
            between += marg[d - 1]
            if marg[d] == 0:
                continue
            vc = scale[c]
            vd = scale[d]
            if level == "nominal":
                delta = 1.0
            elif level == "interval":
                delta = (vc - vd) * (vc - vd)
            elif level == "ordinal":
                t = between + marg[d] - (marg[c] + marg[d]) / 2
                delta = t * t
            else:
                delta = 0.0 if vc + vd == 0 else ((vc - vd) / (vc + vd)) ** 2
            observed += (flat[c * k + d] + flat[d * k + c]) * delta
            expected += 2 * marg[c] * marg[d] * delta
    if expected == 0:
        return math.nan
    return 1 - ((n - 1) * observed) / expected


def disagreement(weights, i, j, k):
    if i == j:
        return 0.0
    if weights == "unweighted":
        return 1.0
    d = abs(i - j) / (k - 1)
    return d if weights == "linear" else d * d


def table_margins(flat, r, c):
    """tableMargins: row sums, column sums and the total of a flat row-major r x c table."""
    rows = [0.0] * r
    cols = [0.0] * c
    total = 0.0
    for i in range(r):
        for j in range(c):
            x = flat[i * c + j]
            rows[i] += x
            cols[j] += x
            total += x
    return rows, cols, total


def kappa_from_flat(flat, k, weights):
    rows, cols, total = table_margins(flat, k, k)
    if total == 0:
        return math.nan
    observed = 0.0
    expected = 0.0
    for i in range(k):
        for j in range(k):
            w = disagreement(weights, i, j, k)
            if w == 0:
                continue
            observed += w * flat[i * k + j]
            expected += (w * rows[i] * cols[j]) / total
    if expected == 0:
        return math.nan
    return 1 - observed / expected


def midranks(w):
    out = []
    below = 0.0
    for x in w:
        out.append(below + x / 2)
        below += x
    return out


def spearman_from_flat(flat, row_values, col_values):
    r = len(row_values)
    c = len(col_values)
    row_w, col_w, total = table_margins(flat, r, c)
    if total <= 0 or sum(1 for x in row_w if x > 0) < 2 or sum(1 for x in col_w if x > 0) < 2:
        return math.nan
    rr = midranks(row_w)
    cr = midranks(col_w)
    mr = 0.0
    mc = 0.0
    for i in range(r):
        mr += rr[i] * row_w[i]
    for j in range(c):
        mc += cr[j] * col_w[j]
    mr /= total
    mc /= total
    sxy = 0.0
    sxx = 0.0
    syy = 0.0
    for i in range(r):
        d = rr[i] - mr
        sxx += row_w[i] * (d * d)
    for j in range(c):
        d = cr[j] - mc
        syy += col_w[j] * (d * d)
    for i in range(r):
        for j in range(c):
            sxy += flat[i * c + j] * (rr[i] - mr) * (cr[j] - mc)
    return sxy / math.sqrt(sxx * syy)


def type_units_by(units, key, contribution):
    """typeUnitsBy: identical units form one type, in order of first appearance (the bootstrap's draw order)."""
    by_key = {}
    for u in units:
        kk = key(u)
        t = by_key.get(kk)
        if t is not None:
            t["count"] += 1
        else:
            cells, amounts = contribution(u)
            by_key[kk] = {"count": 1, "cells": cells, "amounts": amounts}
    return list(by_key.values())


def table_bootstrap_many(types, size, stats, resamples, seed):
    """tableBootstrapMany: Poisson bootstrap of statistics of a summed table, percentile 95% intervals."""
    full = [0.0] * size
    for t in types:
        for cell, amount in zip(t["cells"], t["amounts"]):
            full[cell] += t["count"] * amount
    estimates = [f(full) for f in stats]
    finite = [math.isfinite(e) for e in estimates]
    rng = Rng(seed)
    draws = [[] for _ in stats]
    exp_minus = [math.exp(-t["count"]) for t in types]
    for _ in range(resamples):
        flat = [0.0] * size
        for ti, t in enumerate(types):
            times = poisson_draw(t["count"], exp_minus[ti], rng)
            if times == 0:
                continue
            for cell, amount in zip(t["cells"], t["amounts"]):
                flat[cell] += times * amount
        for si, f in enumerate(stats):
            if not finite[si]:
                continue
            s = f(flat)
            if math.isfinite(s):
                draws[si].append(s)
    out = []
    for si, estimate in enumerate(estimates):
        xs = sorted(draws[si])
        if not finite[si] or len(xs) < resamples / 2:
            out.append(None)
        else:
            out.append({"estimate": estimate, "lower": quantile_sorted(xs, 0.025), "upper": quantile_sorted(xs, 0.975)})
    return out


# ---------------------------------------------------------------------------------------------------------------
# lib/stats/dawid-skene.ts
# ---------------------------------------------------------------------------------------------------------------

def dawid_skene(n_items, n_annotators, K, annotations, tolerance=1e-6, max_iterations=200, alpha=0.01):
    """Dawid–Skene by EM, deterministic: vote-share start, loops in index order. Returns the labels (argmax)."""
    by_item = [[] for _ in range(n_items)]
    for a in annotations:
        by_item[a[0]].append(a)
    annotated = [len(lst) > 0 for lst in by_item]
    n_annotated = sum(1 for x in annotated if x)
    post = []
    for lst in by_item:
        row = [1 / K if len(lst) == 0 else 0.0] * K
        for a in lst:
            row[a[2]] += 1 / len(lst)
        post.append(row)
    iterations = 0
    while iterations < max_iterations:
        prior_counts = [alpha] * K
        for i, row in enumerate(post):
            if annotated[i]:
                for k in range(K):
                    prior_counts[k] += row[k]
        prior_total = n_annotated + K * alpha
        priors = [c / prior_total if prior_total > 0 else 1 / K for c in prior_counts]
        counts = [[[alpha] * K for _ in range(K)] for _ in range(n_annotators)]
        for item, annotator, label in annotations:
            row = post[item]
            for k in range(K):
                counts[annotator][k][label] += row[k]
        confusion = []
        for mtx in counts:
            cm = []
            for row in mtx:
                total = 0.0
                for x in row:
                    total += x
                cm.append([x / total for x in row] if total > 0 else [1 / K for _ in row])
            confusion.append(cm)
        log_priors = [math.log(p) if p > 0 else -math.inf for p in priors]
        max_change = 0.0
        nxt = []
        for i, lst in enumerate(by_item):
            log_row = list(log_priors)
            for _, annotator, label in lst:
                mtx = confusion[annotator]
                for k in range(K):
                    log_row[k] += math.log(mtx[k][label])
            top = max(log_row)
            s = 0.0
            for x in log_row:
                s += math.exp(x - top)
            row = [math.exp(x - top) / s for x in log_row]
            for k in range(K):
                max_change = max(max_change, abs(row[k] - post[i][k]))
            nxt.append(row)
        post = nxt
        iterations += 1
        if max_change < tolerance:
            break
    labels = []
    for row in post:
        best = 0
        for k, v in enumerate(row):
            if v > row[best]:
                best = k
        labels.append(best)
    return labels


def dawid_skene_classes(rows, scale_index):
    """dawidSkeneClasses: latent classes for every labelled item, fitted on all of them."""
    rater_ids = {}
    annotations = []
    for item, r in enumerate(rows):
        for j, v in enumerate(r["values"]):
            label = scale_index(v)
            if label is None:
                continue
            key = r["raters"][j]
            a = rater_ids.get(key)
            if a is None:
                a = rater_ids[key] = len(rater_ids)
            annotations.append((item, a, label))
    out = {}
    if not annotations:
        return out
    labels = dawid_skene(len(rows), len(rater_ids), scale_index.k, annotations)
    for i, r in enumerate(rows):
        out[i] = labels[i]
    return out


# ---------------------------------------------------------------------------------------------------------------
# lib/report: params, units, stratum, assemble
# ---------------------------------------------------------------------------------------------------------------

def bucket_bounds(cuts):
    edges = [0.0] + list(cuts) + [1.0]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def fmt(x):
    return js_number_to_string(js_round(x * 1000) / 1000)


def bucket_label(bounds):
    return f"{fmt(bounds[0])}\u2013{fmt(bounds[1])}"


def bucket_index(tail, cuts):
    if tail is None or not math.isfinite(tail):
        return None
    i = 0
    while i < len(cuts) and tail >= cuts[i]:
        i += 1
    return i


def rubric_values(rubric):
    t = rubric["type"]
    if t == "likert":
        return [rubric["min"] + i for i in range(rubric["max"] - rubric["min"] + 1)]
    if t == "binary":
        return [0, 1]
    if t == "categorical":
        return list(rubric["options"])
    if t == "pairwise":
        return ["A", "B", "tie"] if rubric.get("allowTie") else ["A", "B"]
    raise BundleError(f"unknown rubric type {t!r}")


def numeric_scale(rubric):
    if rubric["type"] in ("likert", "binary"):
        return [float(v) for v in rubric_values(rubric)]
    return None


class ScaleIndex:
    """The rubric's value → scale index map (a JavaScript Map: 1 and true differ, as do 1 and "1")."""

    def __init__(self, rubric):
        self.values = rubric_values(rubric)
        self.k = len(self.values)
        self.map = {v: i for i, v in enumerate(self.values)}

    def __call__(self, v):
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            return None
        return self.map.get(v)


CONSENSUS_METHODS = {
    "likert": ["median", "majority", "mean", "dawid_skene"],
    "binary": ["majority", "median", "dawid_skene"],
}


def effective_consensus(rubric, setting):
    allowed = CONSENSUS_METHODS.get(rubric["type"], ["majority", "dawid_skene"])
    return setting if setting in allowed else allowed[0]


def nearest_index(numeric, x):
    i = math.floor(x - numeric[0] + 0.5)
    return min(len(numeric) - 1, max(0, i))


def majority_vote(codes):
    counts = {}
    for c in codes:
        counts[c] = counts.get(c, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def item_consensus(method, srt, codes, numeric, latent=None):
    m = len(srt)
    if method == "median":
        code = srt[(m - 1) >> 1]
        if numeric is None:
            value = None
        elif m % 2 == 1:
            value = numeric[code]
        else:
            value = (numeric[srt[m // 2 - 1]] + numeric[srt[m // 2]]) / 2
        return code, value
    if method == "mean":
        total = 0.0
        for c in srt:
            total += numeric[c]
        value = total / m
        return nearest_index(numeric, value), value
    if method == "dawid_skene":
        code = latent if latent is not None else majority_vote(codes)
        return code, (None if numeric is None else numeric[code])
    code = majority_vote(codes)
    return code, (None if numeric is None else numeric[code])


def pair_agreement(codes):
    m = len(codes)
    if m < 2:
        return math.nan
    agree = 0
    for i in range(m):
        for j in range(m):
            if i != j and codes[i] == codes[j]:
                agree += 1
    return agree / (m * (m - 1))


def cell_key(group, bucket, reason):
    return (group, bucket, reason)


def ratings_agree(values, rubric, agree_distance):
    """ratingsAgree (lib/assign/adaptive-k.ts): likert within agree_distance, otherwise all equal."""
    if len(values) < 2:
        return True
    if rubric["type"] == "likert":
        if not all(is_number(v) for v in values):
            return False
        return max(values) - min(values) <= agree_distance
    return all(v == values[0] for v in values)


def item_done(values, k, adaptive, rubric):
    """Whether an item reached its target: k, or under adaptive k its first k_min ratings agreeing."""
    if adaptive is None:
        return len(values) >= k
    k_min, distance = adaptive
    extended = len(values) >= k_min and not ratings_agree(values[:k_min], rubric, distance)
    return len(values) >= (k if extended else k_min)


def build_units(rows, rubric, cuts, sampled_per_cell, method, human_ratings=None):
    """buildUnits: labelled rows → analysis units with the design weight 1/π_eff. Under adaptive k, human-human
    measures read each item's first k_min ratings (`human_ratings`), in judgment order."""
    index = ScaleIndex(rubric)
    numeric = numeric_scale(rubric)
    latent = dawid_skene_classes(rows, index) if method == "dawid_skene" else None
    staged = []
    off_scale = 0
    for ri, r in enumerate(rows):
        codes = []
        for v in r["values"]:
            c = index(v)
            if c is None:
                off_scale += 1
            else:
                codes.append(c)
        m = len(codes)
        if m == 0:
            continue
        js = r["judgeScore"]
        judge = None if js is None else index(js)
        judge_value = None if numeric is None or judge is None else numeric[judge]
        if judge is None and rubric["type"] == "likert" and is_number(js) and rubric["min"] <= js <= rubric["max"]:
            judge = nearest_index(numeric, js)
            judge_value = float(js)
        srt = sorted(codes)
        consensus, consensus_value = item_consensus(method, srt, codes, numeric, None if latent is None else latent.get(ri))
        human_mean = None
        if numeric is not None:
            total = 0.0
            for c in srt:
                total += numeric[c]
            human_mean = total / m
        support = sum(1 for c in codes if c == consensus)
        bucket = bucket_index(r["tail"], cuts)
        hh = codes[:human_ratings] if human_ratings is not None else codes
        staged.append({
            "externalId": r["externalId"], "group": r["group"], "bucket": bucket,
            "cell": cell_key(r["group"], bucket, r["reason"]), "rawPi": r["pi"], "codes": codes, "hh": hh,
            "sorted": tuple(sorted(hh)), "pairShare": pair_agreement(hh), "judge": judge, "judgeValue": judge_value,
            "consensus": consensus, "consensusValue": consensus_value, "humanMean": human_mean, "support": support / m,
        })
    labelled_per_cell = {}
    for u in staged:
        labelled_per_cell[u["cell"]] = labelled_per_cell.get(u["cell"], 0) + 1
    units = []
    for u in staged:
        sampled = sampled_per_cell.get(u["cell"], 0)
        labelled = labelled_per_cell[u["cell"]]
        response = min(1, labelled / sampled) if sampled > 0 else 1
        pi = u["rawPi"] * response
        u["pi"] = pi
        u["w"] = 1 / pi
        units.append(u)
    return units, off_scale


def strata_context(rubric, min_n):
    numeric = numeric_scale(rubric)
    likert = rubric["type"] == "likert"
    return {
        "scale": numeric if likert else [float(i) for i in range(len(rubric_values(rubric)))],
        "numeric": numeric,
        "alphaLevel": "interval" if likert else "nominal",
        "kappaWeights": "quadratic" if likert else "unweighted",
        "likert": likert,
        "minN": min_n,
        "resamples": BOOTSTRAP_RESAMPLES,
        "seed": BOOTSTRAP_SEED,
    }


def seed_for(base, kind, key, what):
    return hash53(f"{kind}|{key}|{what}", base) % 4294967296


def normal(estimate, se):
    return {"estimate": estimate, "lower": estimate - Z_95 * se, "upper": estimate + Z_95 * se}


def bias_pair(n, diffs):
    """biasPair: prediction-powered over the stratum's N items, and naive over the labelled ones."""
    b = prediction_powered_bias(n, diffs)
    m = len(diffs)
    total = 0.0
    for d, _ in diffs:
        total += d
    mean = total / m
    acc = 0.0
    for d, _ in diffs:
        acc += (d - mean) * (d - mean)
    sd = math.sqrt(acc / max(1, m - 1))
    return b, normal(mean, sd / math.sqrt(m))


def compute_stratum(kind, key, units, population, ctx):
    """computeStratum: every figure of one stratum."""
    pairable = [u for u in units if len(u["hh"]) >= 2]
    out = {
        "kind": kind, "key": key,
        "counts": dict(population, labelled=len(units), pairable=len(pairable)),
        "enough": False, "worse": None,
    }
    for f in FIGURES:
        out[f] = None
    if len(units) < ctx["minN"]:
        return out
    out["enough"] = True
    k = len(ctx["scale"])
    scale = ctx["scale"]
    resamples = ctx["resamples"]

    def seed(what):
        return seed_for(ctx["seed"], kind, key, what)

    if len(pairable) >= ctx["minN"]:
        def alpha_contribution(u):
            cells, amounts = unit_coincidences(u["hh"], k)
            return cells, [a * u["w"] for a in amounts]

        types = type_units_by(pairable, lambda u: (u["w"], u["sorted"]), alpha_contribution)
        level = ctx["alphaLevel"]
        out["humanAlpha"] = table_bootstrap_many(types, k * k, [lambda flat: alpha_from_flat(flat, scale, level)], resamples, seed("alpha"))[0]
        share = weighted_mean_interval([u["pairShare"] for u in pairable], [u["w"] for u in pairable], clip=(0.0, 1.0))
        out["humanAgreement"] = share

    judged = [u for u in units if u["judge"] is not None]
    if len(judged) >= ctx["minN"]:
        out["judgeAgreement"] = hajek_proportion([u["judge"] == u["consensus"] for u in judged], [u["pi"] for u in judged])
        agree_n = sum(1 for u in judged if u["judge"] == u["consensus"])
        out["judgeAgreementNaive"] = wilson_interval(agree_n, len(judged))

        types = type_units_by(judged, lambda u: (u["w"], u["judge"], u["consensus"]), lambda u: ([u["judge"] * k + u["consensus"]], [u["w"]]))
        weights = ctx["kappaWeights"]
        statistics = [lambda flat: kappa_from_flat(flat, k, weights), lambda flat: kappa_from_flat(flat, k, "unweighted")]
        names = ["kappa", "kappaUnweighted"]
        if ctx["likert"]:
            statistics += [
                lambda flat: kappa_from_flat(flat, k, "linear"),
                lambda flat: kappa_from_flat(flat, k, "quadratic"),
                lambda flat: spearman_from_flat(flat, scale, scale),
            ]
            names += ["kappaLinear", "kappaQuadratic", "rho"]
        for name, iv in zip(names, table_bootstrap_many(types, k * k, statistics, resamples, seed("judge"))):
            out[name] = iv

        if ctx["numeric"] is not None:
            diffs = [(u["judgeValue"] - u["consensusValue"], u["pi"]) for u in judged]
            # The bias is a mean over the items the judge scored (N = those of the stratum's records).
            out["bias"], out["biasNaive"] = bias_pair(population["judged"], diffs)
            diffs_mean = [(u["judgeValue"] - u["humanMean"], u["pi"]) for u in judged]
            out["biasMean"], out["biasMeanNaive"] = bias_pair(population["judged"], diffs_mean)
        if ctx["likert"]:
            means = sorted(set(u["humanMean"] for u in judged))
            col = {m: i for i, m in enumerate(means)}
            c = len(means)
            mean_types = type_units_by(judged, lambda u: (u["w"], u["judge"], col[u["humanMean"]]), lambda u: ([u["judge"] * c + col[u["humanMean"]]], [u["w"]]))
            out["rhoMean"] = table_bootstrap_many(mean_types, k * c, [lambda flat: spearman_from_flat(flat, scale, means)], resamples, seed("rho-mean"))[0]
    return out


def sum_population(cells):
    p = {"items": 0, "judged": 0, "routed": 0, "sampled": 0, "fullyJudged": 0}
    for c in cells:
        for f in p:
            p[f] += c[f]
    return p


def flag_worse(strata, reference):
    """flagWorse: one-sided tests that judge agreement is below the reference's, BH-adjusted over the family."""
    ref = reference["judgeAgreement"] if reference is not None else None
    if ref is None:
        return

    def se(iv):
        return (iv["upper"] - iv["lower"]) / (2 * 1.959963984540054)

    tested = []
    for s in strata:
        a = s["judgeAgreement"]
        if s is reference or a is None:
            tested.append(math.nan)
            continue
        sa = se(a)
        sr = se(ref)
        denom = math.sqrt(sa * sa + sr * sr)
        if not denom > 0:
            tested.append(0.0 if a["estimate"] < ref["estimate"] else 1.0)
        else:
            tested.append(normal_cdf((a["estimate"] - ref["estimate"]) / denom))
    adjusted, rejected = benjamini_hochberg(tested)
    for i, s in enumerate(strata):
        if tested[i] != tested[i]:
            continue
        s["worse"] = {"p": tested[i], "q": adjusted[i], "flagged": rejected[i] and s["judgeAgreement"]["estimate"] < ref["estimate"]}


def assemble_report(rubric, params, population, k, rows, consensus_setting, adaptive=None):
    """assembleReport: population cells and labelled rows → the strata and their figures. `adaptive`:
    (k_min, agree distance) under adaptive k, else None."""
    cuts = params["cuts"]
    consensus = effective_consensus(rubric, consensus_setting)
    full = {}
    for r in rows:
        if not item_done(r["values"], k, adaptive, rubric):
            continue
        key = cell_key(r["group"], bucket_index(r["tail"], cuts), r["reason"])
        full[key] = full.get(key, 0) + 1
    cells = [dict(c, fullyJudged=full.get(cell_key(c["group"], c["bucket"], c["reason"]), 0)) for c in population]
    ctx = strata_context(rubric, params["minN"])
    sampled_per_cell = {}
    for c in cells:
        key = cell_key(c["group"], c["bucket"], c["reason"])
        sampled_per_cell[key] = sampled_per_cell.get(key, 0) + c["sampled"]
    units, off_scale = build_units(rows, rubric, cuts, sampled_per_cell, consensus, None if adaptive is None else adaptive[0])

    overall = compute_stratum("overall", "all", units, sum_population(cells), ctx)
    buckets = []
    for b, bounds in enumerate(bucket_bounds(cuts)):
        pop = sum_population([c for c in cells if c["bucket"] == b])
        if pop["items"] == 0:
            continue
        buckets.append(compute_stratum("bucket", bucket_label(bounds), [u for u in units if u["bucket"] == b], pop, ctx))
    group_values = []
    for c in cells:
        if c["group"] not in group_values:
            group_values.append(c["group"])
    groups = []
    for g in group_values:
        key = NO_GROUP if g is None else g
        groups.append(compute_stratum("group", key, [u for u in units if u["group"] == g], sum_population([c for c in cells if c["group"] == g]), ctx))
    # The app orders groups by size, then by localeCompare of the key; the order changes no figure.
    groups.sort(key=lambda s: (-s["counts"]["items"], s["key"]))

    notes = []
    bulk = next((s for s in buckets if s["judgeAgreement"] is not None), None)
    reference = bulk
    reference_info = {"kind": "bucket", "key": bulk["key"] if bulk else None}
    if params["reference"]["kind"] == "group":
        chosen = params["reference"]["group"]
        g = next((s for s in groups if s["key"] == chosen), None)
        if g is not None and g["judgeAgreement"] is not None:
            reference = g
            reference_info = {"kind": "group", "key": g["key"]}
        else:
            notes.append(f'The chosen reference group "{chosen}" has {"too little data" if g else "no items"}; the bulk tail bucket is the reference instead.')
    flag_worse(buckets, reference)
    flag_worse(groups, reference)
    if off_scale > 0:
        notes.append(f"{off_scale} human ratings off the rubric's scale were left out.")
    return {"consensus": consensus, "reference": reference_info, "overall": overall, "buckets": buckets, "groups": groups, "notes": notes, "offScale": off_scale}


# ---------------------------------------------------------------------------------------------------------------
# Reading the bundle
# ---------------------------------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def un_neutralise(cell):
    """Undo lib/export/csv-safe.ts neutraliseCell: a leading apostrophe before = + - @ tab or CR (or fullwidth = + - @)."""
    if len(cell) >= 2 and cell[0] == "'" and cell[1] in FORMULA_PREFIXES:
        return cell[1:]
    return cell


class CsvDecoder:
    """Cells as lib/export/csv-safe.ts csvCell writes them: null and "" both empty, JSON columns as JSON text
    except strings (bare), every cell neutralised against formula injection."""

    def __init__(self, nominal):
        self.nominal = nominal

    @staticmethod
    def text(cell):
        return None if cell == "" else un_neutralise(cell)

    @staticmethod
    def number(cell):
        return None if cell == "" else float(un_neutralise(cell))

    @staticmethod
    def integer(cell):
        return None if cell == "" else int(un_neutralise(cell))

    @staticmethod
    def boolean(cell):
        if cell == "":
            return None
        if cell in ("true", "false"):
            return cell == "true"
        raise BundleError(f"not a boolean cell: {cell!r}")

    def json_value(self, cell):
        """A rating or judge score. On a nominal rubric the scale is text, so the cell is read as text; on a
        numeric one it is parsed as JSON (a bare string that is not JSON stays text, i.e. off the scale)."""
        if cell == "":
            return None
        t = un_neutralise(cell)
        if self.nominal:
            return t
        try:
            return json.loads(t)
        except ValueError:
            return t


class JsonlDecoder:
    """JSONL rows are objects keyed by column name, with JSON types (lib/export/encode.ts jsonlBatch)."""

    @staticmethod
    def text(v):
        return v

    @staticmethod
    def number(v):
        return None if v is None else float(v)

    @staticmethod
    def integer(v):
        return None if v is None else int(v)

    @staticmethod
    def boolean(v):
        return v

    @staticmethod
    def json_value(v):
        return v


def read_rows(data, fmt_):
    text = data.decode("utf-8")
    if fmt_ == "jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    return [dict(zip(header, r)) for r in reader]


class Bundle:
    def __init__(self, path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as e:
            raise BundleError(f"{path}: not a readable zip ({e})") from e
        self.names = self.zip.namelist()
        if "manifest.json" not in self.names:
            raise BundleError("the zip has no manifest.json: is it a Margin export bundle (exports/bundle)?")
        self.manifest = json.loads(self.zip.read("manifest.json"))
        if "report" not in self.manifest:
            raise BundleError("manifest.json has no report section: export the bundle from a version of Margin that records it")
        self.files = {}
        for f in self.manifest.get("files", []):
            self.files[(f["kind"], f["format"])] = f["name"]
        data_formats = {f["format"] for f in self.manifest.get("files", []) if f["format"] != "json"}
        if "parquet" in data_formats:
            raise BundleError("this is a Parquet bundle; the standard library cannot read Parquet. Export the bundle again with format=csv or format=jsonl.")
        if len(data_formats) != 1 or next(iter(data_formats)) not in ("csv", "jsonl"):
            raise BundleError(f"unexpected data formats in the bundle: {sorted(data_formats)}")
        self.format = next(iter(data_formats))

    def read(self, name):
        try:
            return self.zip.read(name)
        except KeyError as e:
            raise BundleError(f"the bundle has no {name}") from e

    def file(self, kind, fmt_=None):
        name = self.files.get((kind, fmt_ or self.format))
        if name is None:
            raise BundleError(f"the manifest lists no {kind} file in {fmt_ or self.format}")
        return name

    def checksum_problems(self):
        """Files whose sha256 differs from SHA256SUMS or from the manifest."""
        problems = []
        sums = {}
        if "SHA256SUMS" in self.names:
            for line in self.read("SHA256SUMS").decode("utf-8").splitlines():
                if line.strip():
                    digest, name = line.split("  ", 1)
                    sums[name] = digest
        else:
            problems.append("SHA256SUMS: missing from the bundle")
        for f in self.manifest.get("files", []):
            if f["name"] not in self.names:
                problems.append(f"{f['name']}: listed in the manifest but missing from the zip")
                continue
            actual = hashlib.sha256(self.read(f["name"])).hexdigest()
            if actual != f.get("sha256"):
                problems.append(f"{f['name']}: sha256 {actual} differs from the manifest's {f.get('sha256')}")
            if f["name"] in sums and sums[f["name"]] != actual:
                problems.append(f"{f['name']}: sha256 {actual} differs from SHA256SUMS ({sums[f['name']]})")
        return problems


def parse_parameters(p):
    """The report parameters as lib/report/params.ts parseReportParams reads them from a query string."""
    cuts_text = p.get("cuts", "")
    if not cuts_text or cuts_text.strip() == "" or cuts_text == "deciles":
        cuts = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    else:
        cuts = [float(x.strip()) for x in cuts_text.split(",")]
    ref = p.get("ref", "bucket") or "bucket"
    reference = {"kind": "group", "group": ref[6:]} if ref.startswith("group:") and len(ref) > 6 else {"kind": "bucket"}
    return {"cuts": cuts, "minN": int(p.get("minN", "20")), "reference": reference, "run": p.get("run")}


def load_inputs(bundle):
    """The design rows (population and π), and the labelled rows: counted judgments joined to the design as
    db/queries/report.ts labelledItems does."""
    rubric = bundle.manifest["campaign"]["rubric"]
    nominal = rubric["type"] not in ("likert", "binary")
    dec = CsvDecoder(nominal) if bundle.format == "csv" else JsonlDecoder()
    run_id = bundle.manifest["report"].get("runId")

    design = []
    for r in read_rows(bundle.read(bundle.file("design")), bundle.format):
        if dec.text(r["run_id"]) != run_id:
            raise BundleError(f"the design file holds a record of run {r['run_id']}, the manifest names run {run_id}")
        design.append({
            # Join key: the cell as written (CSV judgments and design encode an external id the same way).
            "key": r["external_id"],
            "externalId": dec.text(r["external_id"]),
            "version": dec.integer(r["item_version"]),
            "group": dec.text(r["group"]),
            "tail": dec.number(r["tail_score"]),
            "routed": dec.boolean(r["routed"]),
            "inSample": dec.boolean(r["in_sample"]),
            "pi": dec.number(r["pi"]),
            "reason": dec.text(r["reason"]),
            "judgeScore": dec.json_value(r["judge_score"]),
        })
    by_key = {}
    for d in design:
        if d["key"] in by_key:
            raise BundleError(f"the design file has two records for item {d['externalId']!r}")
        by_key[d["key"]] = d

    counted = {}
    counted_judgments = 0
    for j in read_rows(bundle.read(bundle.file("judgments")), bundle.format):
        d = by_key.get(j["item_external_id"])
        if d is None or not d["inSample"] or dec.integer(j["item_version"]) != d["version"]:
            continue
        if dec.boolean(j["excluded_from_reports"]):
            continue
        entry = counted.setdefault(d["key"], {"values": [], "raters": []})
        entry["values"].append(dec.json_value(j["value"]))
        entry["raters"].append(j["annotator"])
        counted_judgments += 1

    rows = []
    for d in design:  # the design file's order: item id, ascending
        c = counted.get(d["key"])
        if c is None:
            continue
        rows.append({
            "externalId": d["externalId"], "group": d["group"], "tail": d["tail"], "pi": d["pi"], "reason": d["reason"],
            "judgeScore": d["judgeScore"], "values": c["values"], "raters": c["raters"],
        })
    return rubric, design, rows, {"items": len(counted), "judgments": counted_judgments}


def population_cells(design, cuts):
    """db/queries/report.ts reportCells: items, judged, sampled and routed per (group, tail bucket, reason) cell."""
    cells = {}
    for d in design:
        key = cell_key(d["group"], bucket_index(d["tail"], cuts), d["reason"])
        c = cells.get(key)
        if c is None:
            c = cells[key] = {"group": key[0], "bucket": key[1], "reason": key[2], "items": 0, "judged": 0, "sampled": 0, "routed": 0}
        c["items"] += 1
        c["judged"] += 1 if d["judgeScore"] is not None else 0
        c["sampled"] += 1 if d["inSample"] else 0
        c["routed"] += 1 if d["routed"] else 0
    return list(cells.values())


def reproduce(bundle):
    manifest_report = bundle.manifest["report"]
    params = parse_parameters(manifest_report.get("parameters", {}))
    rubric, design, rows, counted = load_inputs(bundle)
    consensus_setting = manifest_report.get("consensus")
    notes = []
    if manifest_report.get("estimatorVersion") != ESTIMATOR_VERSION:
        notes.append(f"The bundle's estimators are version {manifest_report.get('estimatorVersion')}; this script ports version {ESTIMATOR_VERSION}: figures may differ for that reason.")
    if consensus_setting == "dawid_skene":
        notes.append(
            "Consensus is Dawid-Skene: the EM fit is ported exactly, but its result can depend on floating-point "
            "rounding where an item's two most probable classes are (almost) tied.")
    k_min = manifest_report.get("kMin")
    adaptive = None if k_min is None else (k_min, manifest_report.get("agreeDistance", 0))
    result = assemble_report(rubric, params, population_cells(design, params["cuts"]), manifest_report.get("k", 1), rows, consensus_setting, adaptive)
    notes += result["notes"]

    def stratum_out(s):
        out = {"counts": s["counts"], "enough": s["enough"]}
        for f in FIGURES:
            out[f] = s[f]
        out["worse"] = s["worse"]
        return out

    return {
        "campaign": bundle.manifest["campaign"].get("slug"),
        "runId": manifest_report.get("runId"),
        "parameters": {"cuts": params["cuts"], "minN": params["minN"], "reference": params["reference"]},
        "rubric": rubric["type"],
        "consensus": result["consensus"],
        "reference": result["reference"],
        "accounting": {"counted": counted},
        "overall": stratum_out(result["overall"]),
        "buckets": {s["key"]: stratum_out(s) for s in result["buckets"]},
        "groups": {s["key"]: stratum_out(s) for s in result["groups"]},
        "notes": notes,
    }


# ---------------------------------------------------------------------------------------------------------------
# --check: compare with the bundle's report.json
# ---------------------------------------------------------------------------------------------------------------

class Checker:
    def __init__(self):
        self.mismatches = []
        self.checked = 0

    def number(self, path, mine, theirs):
        self.checked += 1
        if not is_number(theirs) or not is_number(mine) or not abs(mine - theirs) <= TOLERANCE:
            diff = f" (difference {abs(mine - theirs):.3g})" if is_number(mine) and is_number(theirs) else ""
            self.mismatches.append(f"{path}: reproduced {json.dumps(mine)}, report {json.dumps(theirs)}{diff}")

    def exact(self, path, mine, theirs):
        self.checked += 1
        if mine != theirs or type(mine) is bool and type(theirs) is not bool:
            self.mismatches.append(f"{path}: reproduced {json.dumps(mine)}, report {json.dumps(theirs)}")

    def interval(self, path, mine, theirs):
        if (mine is None) != (theirs is None):
            self.checked += 1
            self.mismatches.append(f"{path}: reproduced {json.dumps(mine)}, report {json.dumps(theirs)}")
            return
        if mine is None:
            self.checked += 1
            return
        for part in ("estimate", "lower", "upper"):
            self.number(f"{path}.{part}", mine[part], theirs.get(part))

    def stratum(self, path, mine, theirs):
        for c in COUNTS:
            self.exact(f"{path}.counts.{c}", mine["counts"][c], theirs["counts"].get(c))
        self.exact(f"{path}.enough", mine["enough"], theirs.get("enough"))
        for f in FIGURES:
            self.interval(f"{path}.{f}", mine[f], theirs.get(f))
        mw, tw = mine["worse"], theirs.get("worse")
        if (mw is None) != (tw is None):
            self.checked += 1
            self.mismatches.append(f"{path}.worse: reproduced {json.dumps(mw)}, report {json.dumps(tw)}")
        elif mw is not None:
            self.number(f"{path}.worse.p", mw["p"], tw.get("p"))
            self.number(f"{path}.worse.q", mw["q"], tw.get("q"))
            self.exact(f"{path}.worse.flagged", mw["flagged"], tw.get("flagged"))
        else:
            self.checked += 1

    def family(self, name, mine, theirs_list):
        theirs = {}
        for s in theirs_list:
            if s["key"] in theirs:
                self.mismatches.append(f'{name}["{s["key"]}"]: the report has two strata with this key')
            theirs[s["key"]] = s
        for key in mine:
            if key not in theirs:
                self.mismatches.append(f'{name}["{key}"]: reproduced, but not in the report')
        for key in theirs:
            if key not in mine:
                self.mismatches.append(f'{name}["{key}"]: in the report, but not reproduced')
        for key, s in mine.items():
            if key in theirs:
                self.stratum(f'{name}["{key}"]', s, theirs[key])


def check(bundle, mine):
    report = json.loads(bundle.read(bundle.file("report", "json")))
    c = Checker()
    for problem in bundle.checksum_problems():
        c.mismatches.append(f"checksum: {problem}")
    manifest_report = bundle.manifest["report"]
    c.exact("params.run", manifest_report.get("runId"), (report.get("design") or {}).get("runId"))
    c.exact("params.minN", mine["parameters"]["minN"], report["params"]["minN"])
    c.exact("params.cuts", mine["parameters"]["cuts"], report["params"]["cuts"])
    c.exact("consensus", mine["consensus"], report.get("consensus"))
    c.exact("reference.kind", mine["reference"]["kind"], report["reference"]["kind"])
    c.exact("reference.key", mine["reference"]["key"], report["reference"]["key"])
    counted = report["accounting"]["counted"]
    c.exact("accounting.counted.items", mine["accounting"]["counted"]["items"], counted["items"])
    c.exact("accounting.counted.judgments", mine["accounting"]["counted"]["judgments"], counted["judgments"])
    c.stratum("overall", mine["overall"], report["overall"])
    c.family("buckets", mine["buckets"], report["buckets"])
    c.family("groups", mine["groups"], report["groups"])
    return c


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="reproduce-report.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Recompute the headline figures of a Margin disagreement report from an export bundle alone\n"
            "(GET /api/v1/campaigns/{id}/exports/bundle?format=csv or format=jsonl), with nothing but Python 3.\n\n"
            "It reads the bundle's judgments and design files and the report parameters in manifest.json,\n"
            "applies the rules of which judgments count (made on the item version the routing run recorded,\n"
            "on an item in its sample, not by a rater excluded from reports; gold items are never counted) and\n"
            "recomputes, per stratum (overall, each tail bucket, each group): the counts, judge-human agreement\n"
            "(routing-corrected and naive), human agreement and Krippendorff's alpha, Cohen's kappa, Spearman's\n"
            "rho, the judge's bias and the 'worse than the reference' tests. The methods are described in\n"
            "docs/methodology.md; bootstrap intervals are reproduced exactly from their recorded seeds."
        ),
        epilog=(
            "output: without --check, a JSON object: accounting.counted {items, judgments}; overall, buckets{key}\n"
            "and groups{key}, each with counts {items, routed, sampled, fullyJudged, labelled, pairable}, enough,\n"
            "every figure as {estimate, lower, upper} or null, and worse {p, q, flagged} or null.\n\n"
            "--check compares that with the report the app computed (the bundle's <slug>-report.json), number by\n"
            "number (absolute tolerance 1e-9; counts, booleans and null-ness exactly), and verifies every file's\n"
            "sha256 against SHA256SUMS and the manifest. Every difference is printed with its path.\n\n"
            "exit status: 0 all agree (or figures printed), 1 a difference or a checksum that does not match,\n"
            "2 a bundle this script cannot read (Parquet bundles: export as csv or jsonl).\n\n"
            "limits: the top-disagreements list and the report's notes are not recomputed; in a CSV bundle an\n"
            "empty group cell is read as 'no group' (CSV cannot tell null from an empty string). Bootstrap bounds\n"
            "(alpha, kappa, rho) depend on the order of the labelled items; they are recomputed in item order (the\n"
            "design file's). Dawid-Skene consensus is refitted exactly, but a near tie between an item's two most\n"
            "probable classes could resolve differently under other floating-point rounding."
        ),
    )
    parser.add_argument("bundle", help="the export bundle (.zip) in csv or jsonl format")
    parser.add_argument("--check", action="store_true", help="compare with the bundle's report.json and exit 1 on any difference")
    args = parser.parse_args(argv)
    csv.field_size_limit(2**31 - 1)
    try:
        bundle = Bundle(args.bundle)
        mine = reproduce(bundle)
        if not args.check:
            json.dump(mine, sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
            return 0
        c = check(bundle, mine)
    except BundleError as e:
        print(f"reproduce-report: {e}", file=sys.stderr)
        return 2
    for note in mine["notes"]:
        print(f"note: {note}")
    strata = 1 + len(mine["buckets"]) + len(mine["groups"])
    if c.mismatches:
        for m in c.mismatches:
            print(f"MISMATCH {m}")
        if all(BOOTSTRAP_BOUND.search(m) for m in c.mismatches):
            print(
                "note: only bootstrap interval bounds differ (every count, estimate and closed-form interval agrees). "
                "The bootstrap draws Poisson counts per type of unit in the order the units first appear, and this "
                "script takes the labelled items in item order (the design file's order): a report computed from "
                "its rows in another order has other bounds for the same data.")
        print(f"{len(c.mismatches)} mismatches among {c.checked} values checked over {strata} strata.")
        return 1
    print(f"OK: all {c.checked} values checked over {strata} strata (overall, {len(mine['buckets'])} buckets, {len(mine['groups'])} groups) agree with the report within {TOLERANCE:g}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
