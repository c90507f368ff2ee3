x = 1
y = 2.5
s = "hello"
b = b"bytes\x00"
n = None
t = True
f = False
z = x + y * 3 - 4 / 2 // 1 % 5 ** 2
z += 1
z -= x
z *= 2
neg = -x
inv = ~x
pos = +x
nt = not x
c = (x < y) and (y <= 3) or x == 2
cc = 1 < x < 3
d = x != y
e = x is None
g = x is not None
h = x in [1, 2, 3]
i = x not in (1, 2)
del z
pass
