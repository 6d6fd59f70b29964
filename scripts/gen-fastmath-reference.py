#!/usr/bin/env python3
"""Generates test/model/fastmath-reference.json: ln x and e^x at seeded inputs over the model's domains, each as
a double-double hi + lo (hi the correctly rounded value), from Python's decimal module at 60 digits, an
independent method for test/model/fastmath.test.ts. Run from the repository root:
  python3 scripts/gen-fastmath-reference.py > test/model/fastmath-reference.json
"""
import json
import math
import random
import struct
from decimal import Decimal, getcontext

getcontext().prec = 60
rng = random.Random(20261201)

def from_bits(b):
    return struct.unpack('<d', struct.pack('<Q', b))[0]

def dd(v):
    hi = float(v)
    return [hi, float(v - Decimal(hi))]

ln_x = []
ln_x += [from_bits(rng.randrange(1, 1 << 52)) for _ in range(100)]  # subnormals
ln_x += [from_bits(rng.randrange(0x0010000000000000, 0x7FF0000000000000)) for _ in range(400)]  # every binade
ln_x += [rng.random() for _ in range(300)]  # (0, 1): alpha and rho
ln_x += [1 + rng.uniform(-2**-7, 2**-7) for _ in range(200)]  # near 1 (the c = 1 intervals and beside)
ln_x += [1 + s * k * 2**-52 for k in range(1, 41) for s in (1, -0.5)]  # 1 +- a few ulps
ln_x += [1 + rng.uniform(-1, 1) * 2.0**-rng.randrange(10, 50) for _ in range(200)]  # 1 +- tiny
# both sides of every table interval's boundary, in [0.707, 1.414)
for i in range(256):
    b = 0x3FE6A00000000000 + i * 2**44
    ln_x += [from_bits(b), from_bits(b - 1)]
ln = [[x, *dd(Decimal(x).ln())] for x in ln_x if x > 0]

exp_x = []
exp_x += [rng.uniform(-745, 0) for _ in range(600)]  # q = exp((n+1) ln rho) <= 1
exp_x += [rng.uniform(-1, 0) for _ in range(200)]
exp_x += [-rng.random() * 2.0**-rng.randrange(1, 60) for _ in range(100)]  # 0 from below, tiny
exp_x += [rng.uniform(0, 5) for _ in range(100)]  # a bit above 0
exp_x += [rng.uniform(5, 709.78) for _ in range(100)]
exp_x += [rng.uniform(-745.1, -708.3) for _ in range(100)]  # subnormal results
# both sides of the rounding boundaries of k = round(x 128/ln2)
ln2n = math.log(2) / 128
for _ in range(200):
    k = rng.randrange(-137000, 131000)
    b = (k + 0.5) * ln2n
    exp_x += [b, math.nextafter(b, -math.inf), math.nextafter(b, math.inf)]
exp = [[x, *dd(Decimal(x).exp())] for x in exp_x]

expm1_x = []
expm1_x += [-rng.uniform(0, math.log(2)) for _ in range(600)]  # 1 - rho^k where rho^k > 1/2
expm1_x += [-rng.random() * 2.0**-rng.randrange(1, 60) for _ in range(200)]  # 0 from below
expm1_x += [rng.random() * 2.0**-rng.randrange(0, 60) for _ in range(100)]  # above 0
expm1_x += [rng.uniform(-40, -0.69) for _ in range(100)]  # beyond -ln 2
for k in range(-128, 129):  # both sides of the reduction boundaries inside (-ln 2, ln 2)
    b = (k + 0.5) * ln2n
    if abs(b) < math.log(2):
        expm1_x += [math.nextafter(b, -math.inf), math.nextafter(b, math.inf)]
expm1 = [[x, *dd(Decimal(x).exp() - 1)] for x in expm1_x]

print(json.dumps({'generator': 'scripts/gen-fastmath-reference.py', 'ln': ln, 'exp': exp, 'expm1': expm1}, separators=(',', ':')))
