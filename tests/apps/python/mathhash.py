"""math, hashlib and friends: floating point, big integers, digests of the binary input."""
import decimal
import fractions
import hashlib
import hmac
import math
import random
import struct
import zlib

from common import run, section, show


@section
def floating_point():
    show("functions", [math.sin(1), math.cos(2), math.tan(0.5), math.exp(10), math.log(7),
                       math.log2(1000), math.log10(12345), math.sqrt(2), math.atan2(1, -1),
                       math.hypot(3, 4, 12), math.erf(0.5), math.gamma(4.5), math.lgamma(100)])
    show("rounding", [math.floor(-2.5), math.ceil(-2.5), round(2.5), round(3.5), round(2.675, 2),
                      math.trunc(-7.9), math.fmod(-7, 3), math.remainder(7, 3)])
    show("special", [math.inf, -math.inf, math.isnan(math.nan), math.copysign(0.0, -1),
                     math.nextafter(1, 2), math.ulp(1.0), float.fromhex("0x1.8p3")])
    show("fsum", (math.fsum([0.1] * 10), sum([0.1] * 10)))
    show("repr", [repr(1 / 3), repr(1e-320), repr(2.0 ** 1000 / 3), f"{math.pi:.40f}"])
    show("pack", struct.pack("<dfqI", math.e, math.pi, -(2 ** 62), 2 ** 32 - 1).hex())
    try:
        math.sqrt(-1)
    except ValueError as e:
        show("domain error", e)
    try:
        math.exp(1000)
    except OverflowError as e:
        show("overflow", e)


@section
def integers_and_exact():
    show("factorial", math.factorial(200) // 10 ** 330)
    show("pow", pow(3, 10 ** 5, 10 ** 9 + 7))
    show("big", ((7 ** 20000).bit_length(), (7 ** 2000) % 10 ** 20))
    show("gcd lcm comb", (math.gcd(2 ** 64, 6 ** 30), math.lcm(12, 18, 27), math.comb(60, 30),
                          math.isqrt(10 ** 40 + 12345)))
    decimal.getcontext().prec = 50
    show("decimal", decimal.Decimal(2).sqrt())
    show("fraction", sum(fractions.Fraction(1, n) for n in range(1, 30)))
    rng = random.Random(42)
    show("random", [rng.random() for _ in range(3)] + [rng.randrange(10 ** 12)])
    show("shuffle", rng.sample(range(100), 10))


@section
def digests():
    with open("big.bin", "rb") as f:
        data = f.read()
    for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "blake2b",
                 "blake2s"):
        show(name, hashlib.new(name, data).hexdigest())
    h = hashlib.sha256()
    with open("big.txt", "rb") as f:
        for block in iter(lambda: f.read(65536), b""):
            h.update(block)
    show("sha256 big.txt in blocks", h.hexdigest())
    show("shake_128", hashlib.shake_128(b"elfin").hexdigest(20))
    show("pbkdf2", hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 2000).hex())
    show("hmac", hmac.new(b"key", data[:100000], "sha1").hexdigest())
    show("crc32 adler32", (zlib.crc32(data), zlib.adler32(data)))
    packed = zlib.compress(data[:500000], 9)
    show("zlib", (len(packed), zlib.decompress(packed) == data[:500000]))


run()
