print(reversed([1, 2]), list(reversed([1, 2])), type(reversed([1])).__name__)
for v in ['abc', (1, 2, 3), b'xy', range(1, 10, 3), range(0), range(5, -5, -2), {1: 'a', 2: 'b'}, {1: 'a'}.keys(), {1: 'a', 3: 'c'}.values(), {1: 'a', 3: 'c'}.items(), '', 'héllo']:
    r = reversed(v)
    print(type(r).__name__, list(r), list(r))
for v in [set(), 1, None, (x for x in ()), iter([1]), 1.5, print]:
    try:
        reversed(v)
    except TypeError as e:
        print(e)
class N:
    def __getitem__(self, i):
        return i
try:
    reversed(N())
except TypeError as e:
    print(e)
class R:
    def __reversed__(self):
        return 'custom'
print(reversed(R()))
class Z:
    __reversed__ = None
    def __len__(self):
        return 1
    def __getitem__(self, i):
        return i
try:
    reversed(Z())
except TypeError as e:
    print(e)
l = [1, 2, 3]
r = reversed(l)
print(next(r))
l.append(4)
print(list(r))
d = {1: 2, 3: 4}
r = reversed(d)
print(next(r))
d[5] = 6
try:
    next(r)
except RuntimeError as e:
    print(e)
d = {1: 2, 3: 4}
r = reversed(d.items())
d[3] = 'changed'
print(list(r))
print(list(reversed(range(-3, 10, 4))), list(reversed(range(10, -3, -4))))
t = 'ab'
r = reversed(t)
print(next(r), next(r))
try:
    next(r)
except StopIteration:
    print('stop')
