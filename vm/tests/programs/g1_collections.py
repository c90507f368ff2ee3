def coll(a, b):
    l = [a, b, 3]
    t = (a, b)
    s = {a, b}
    d = {"x": a, "y": b}
    d2 = {a: 1, b: 2}
    e = []
    e2 = {}
    e3 = ()
    c = [1, 2, 3]
    sl = l[1:2]
    sl2 = l[::2]
    sl3 = l[a:]
    l[0] = 5
    l[1:2] = [9]
    del l[0]
    x = d["x"]
    first, *rest = l
    a, b = b, a
    a, b, c = c, b, a
    return l, t, s, d, d2, e, e2, e3, sl, sl2, sl3, x, first, rest

coll(1, 2)
