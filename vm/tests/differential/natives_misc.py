class E(Exception):
    def __init__(self, a, b):
        super().__init__(a)
e = E(1, 2)
print(e.args, str(e), repr(e))
class G(Exception):
    def __init__(self, *a):
        pass
g = G(1, 2)
print(g.args, str(g))
class H(KeyError):
    def __init__(self, a):
        super().__init__(a, 'x')
print(H(1).args, str(H(1)))
class S(StopIteration):
    def __init__(self, v):
        super().__init__(v * 2)
print(S(3).value, S(3).args)
class X(SystemExit):
    def __init__(self):
        super().__init__(4, 5)
print(X().code, X().args)
class AE(AttributeError):
    def __init__(self, m):
        super().__init__(m, name='nm', obj=5)
ae = AE('m')
print(ae.args, ae.name, ae.obj)
try:
    Exception.__init__(e, foo=1)
except TypeError as err:
    print(err)
try:
    BaseException.__init__(1)
except TypeError as err:
    print(err)
print(AttributeError('m', name='n', obj=2).name, NameError('q', name='z').name, ImportError('i', name='a', path='p').path)
for call in (lambda: AttributeError(x=1), lambda: NameError(name=1, x=2), lambda: ImportError(a=1, b=2, c=3, d=4), lambda: ModuleNotFoundError(x=1), lambda: KeyError(x=1), lambda: SyntaxError('a', 5), lambda: IndentationError(1, 2)):
    try:
        call()
    except TypeError as err:
        print(err)
for s in ['ǅungla ΣΑΣ', 'hello world', 'ΣΑΣ ΣΑΣ. Σ', 'ﬁre ßtraße', 'a中b', 'ǆa Ǆb ǅc', "they're bill's", 'ΑΣ\u0301 x', 'İstanbul', 'ᾳ ᾲ', '']:
    print(s.title(), s.capitalize(), s.lower(), s.upper())
print(list(zip([1], [2], strict=True)), list(zip(strict=True)))
for z in (lambda: list(zip([1, 2], [3], strict=True)), lambda: list(zip([1], [2, 3], strict=True)), lambda: list(zip([1], [2], [3, 4], strict=True)), lambda: list(zip([1], [2], [], strict=True)), lambda: zip([1], foo=1), lambda: zip([1], strict=1, foo=1)):
    try:
        print(z())
    except (TypeError, ValueError) as err:
        print(type(err).__name__, err)
print(list(enumerate('ab', 5)), list(enumerate(iterable='ab', start=2)), list(enumerate(start=1, iterable='x')))
for z in (lambda: enumerate(), lambda: enumerate(1, start='a'), lambda: enumerate('a', 1, 2), lambda: enumerate(x=1, iterable=2), lambda: enumerate(a=1, b=2, c=3)):
    try:
        z()
    except TypeError as err:
        print(err)
print(int(b' 12 '), int(b'0x1f', 0), float(b'1.5'), ord(b'a'), b'xy'[1], b'xyz'[::-1], b'xyz'[1:])
KEY, NONE = 'a', None
for z in (lambda: int(b'\xff'), lambda: float(b'\xc3\xa9'), lambda: ord(b''), lambda: b'x'[5], lambda: b'x'[KEY], lambda: 'ab'[NONE]):
    try:
        z()
    except Exception as err:
        print(type(err).__name__, err)
for spec in ['\U0001f600', '\xe9', 'y', '\x7f', '\u3000']:
    for v in (42, 1.5, 'a'):
        try:
            format(v, spec)
        except ValueError as err:
            print(err)
for call in (lambda: __import__('x', 1, 1, 1, 1), lambda: __import__('sys', level=-1), lambda: __import__('nosuch'), lambda: __import__('sys.x'), lambda: __import__('')):
    try:
        call()
    except Exception as err:
        print(type(err).__name__, err)
print(__import__('sys', 1, 1, 1, 0).__name__)
print(type(iter('abc')).__name__, type(iter('é')).__name__, type(iter('')).__name__)
