class A:
    x = 1
    def m(self):
        pass
class B(A):
    'doc'
    y = 2
class E(Exception):
    pass
class F(E, A):
    pass
a = B()
a.z = 3
print(dir(A))
print(dir(B))
print(dir(a))
print(dir(E))
print(dir(E('m')))
print(dir(F) == sorted(set(dir(E)) | set(dir(A))))
print(dir(int) == dir(5), dir(bool) == dir(True), len(dir(object)), len(dir(type)))
print(dir(KeyError), dir(StopIteration()))
def f(p, q=2):
    r = 1
    print(dir())
f(1)
f.attr = 1
print(dir(f))
print(dir(iter('é')), dir(reversed('ab')), dir(reversed({})), dir(reversed({}.items())))
print(dir(range(2)) == dir(range), dir(zip()), dir(enumerate([])))
print(dir(print), dir(len.__call__) if False else 0, dir([].append))
print(dir(None), dir(...), dir(NotImplemented))
e = E()
e.add_note('n')
print(dir(e))
print(dir(sum), dir(A.m), dir(a.m), dir({}.keys()), dir({}.values()), dir(x for x in ()))
