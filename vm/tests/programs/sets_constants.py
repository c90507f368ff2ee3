# Set displays of constants become frozenset constants, laid out as CPython lays them out.
a = {3, 1, 2}
b = {'x', 'yy', 'zzz', 'é', '€', '😀'}
c = {1, 9, 17, 25, 33}
d = {33, 25, 17, 9, 1}


def f(x):
    if x in {7, 15}:
        return {31, 23, 15, 7}
    return {x, *c, 4, 5}


for v in {'p!', 'q r', 'é', 1, 2.5, (1, 2), None, b'x', -1, -2}:
    print(v, v not in {'p', 'q', 'r'})
print([x for x in {17, 1, 9}], {x for x in {100, 36, 4}}, {1, 1.0, True}, f(7), f(0))
