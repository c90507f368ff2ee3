# Constant folding at the edges of framespec's 64-bit ints and of float arithmetic: what
# CPython 3.12 folds (and to what), and what it leaves to run time.
def folded():
    a = (2**62 + 1) / 3
    b = 9007199254740993 / 10
    c = -1 << 63
    d = (-9223372036854775807 - 1) % -1
    e = 0.0 ** -1e400
    f = 2 ** -1
    g = -7 // 2, -7 % 2, -7.5 // 2, -7.5 % 2, 7.5 % -0.5
    h = ~True, -True, +False, True & False, True ^ 1
    return a, b, c, d, e, f, g, h


def unfolded():
    a = 10.0 ** 400
    b = 1 / 0
    c = 1 ** 5000000000
    d = 2 ** 200
    e = 1 << -1
    f = 1.5 @ 2
    g = 7 // 0.0
    return a, b, c, d, e, f, g
