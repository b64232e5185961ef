#!/usr/bin/env python3
"""Fits the Chebyshev coefficients in src/tensor/erf.ts. Run: /usr/bin/python3 tools/fit_erf.py

erf is approximated piecewise, the usual construction (cf. W. J. Cody, Math. Comp. 1969):
  |x| <= 1      erf(x)  = x * P(x^2)            P fitted on u = x^2 in [0, 1]
  1 < |x| <= 6  erfc(x) = exp(-x^2) * Q_k(x)    Q_k = erfc(x) exp(x^2) on [1,2], [2,3.5], [3.5,6]
  |x| > 6       erf(x)  = sign(x)               (erfc(6) = 2.2e-17 rounds away in float64)
Coefficients are Chebyshev interpolants computed in 50-digit arithmetic (mpmath) and rounded
to float64; the error is then measured in float64 arithmetic (Clenshaw, as erf.ts evaluates it)
against mpmath. Two sets: float64 (~1 ulp) and float32 (cheaper, far below float32 rounding).
"""
import math
import mpmath as mp

mp.mp.dps = 50
PIECES = [(1.0, 2.0), (2.0, 3.5), (3.5, 6.0)]

def cheb(f, a, b, n):
    xs = [mp.cos(mp.pi * (j + mp.mpf(1) / 2) / n) for j in range(n)]
    fv = [f(mp.mpf(a) + (mp.mpf(b) - a) * (x + 1) / 2) for x in xs]
    c = [2 * mp.fsum(fv[j] * mp.cos(mp.pi * k * (j + mp.mpf(1) / 2) / n) for j in range(n)) / n
         for k in range(n)]
    c[0] /= 2
    return [float(v) for v in c]

def clenshaw(c, a, b, x):
    t = (2 * x - (a + b)) / (b - a)
    b1 = b2 = 0.0
    for ck in reversed(c[1:]):
        b1, b2 = 2 * t * b1 - b2 + ck, b1
    return t * b1 - b2 + c[0]

P = lambda u: mp.mpf(1) if u == 0 else mp.erf(mp.sqrt(u)) / mp.sqrt(u)
Q = lambda x: mp.erfc(x) * mp.exp(x * x)

def build(nP, nQ):
    cp = cheb(P, 0.0, 1.0, nP)
    cq = [cheb(Q, a, b, n) for (a, b), n in zip(PIECES, nQ)]
    def erf(x):
        ax = abs(x)
        if ax <= 1: return x * clenshaw(cp, 0.0, 1.0, x * x)
        if ax > 6: return math.copysign(1.0, x)
        for (a, b), c in zip(PIECES, cq):
            if ax <= b:
                return math.copysign(1.0 - math.exp(-x * x) * clenshaw(c, a, b, ax), x)
    return cp, cq, erf

def report(name, nP, nQ):
    cp, cq, erf = build(nP, nQ)
    xs = [-7 + 14 * i / 40000 for i in range(40001)] + [1 - 1e-9, 1 + 1e-9, 2e-9, 1e-300]
    abs_err = max(abs(erf(x) - float(mp.erf(x))) for x in xs)
    rel_err = max(abs(erf(x) - float(mp.erf(x))) / float(mp.erf(x)) for x in xs if 0 < x <= 1.5)
    print(f"// {name}: max abs error {abs_err:.2e}, max rel error on (0, 1.5] {rel_err:.2e}")
    fmt = lambda c: "[" + ", ".join(repr(v) for v in c) + "]"
    print(f"{name}_P = {fmt(cp)}")
    for (a, b), c in zip(PIECES, cq):
        print(f"{name}_Q[{a}, {b}] = {fmt(c)}")

report("erf64", 13, [17, 17, 19])
report("erf32", 8, [9, 9, 10])
