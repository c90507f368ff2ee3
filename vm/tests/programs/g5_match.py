# The match statement: every pattern kind, guards, or-patterns with reordered captures,
# star and double-star captures, class patterns, a trailing wildcard, match in loops.
def f(x):
    match x:
        case 1 | 2 | 3:
            return "small"
        case [a, b, *rest] if a > b:
            return a, b, rest
        case {"k": v, **kw}:
            return v, kw
        case Point(x=0, y=yy) | Point(yy, 0):
            return yy
        case (a, b) | [b, a]:
            return a, b
        case str() as s:
            return s
        case None:
            return None
        case True:
            return 1
        case -1:
            return -1
        case [*_, last]:
            return last
        case [first, *_, last]:
            return first, last
        case {1: _, "a": [x, y]}:
            return x
        case C.D.E:
            pass
        case {C.D: z}:
            pass
        case (1, 2, *others, 3) as t:
            return t
        case _:
            return "other"

def g(x):
    match x:
        case [a, [b, c]] if b:
            print(a)
        case y:
            print(y)

match 3:
    case z:
        pass

def h(x):
    match x:
        case {**rest}:
            return rest
        case ((1 | 2) as q) | ([q]):
            return q
        case [a, b] | {"x": b, "y": a} | C(b, a):
            return a

class K:
    def m(self, cmd):
        match cmd.split():
            case ["go", ("north" | "south" | "east" | "west") as direction]:
                return direction
            case ["drop", *objects] if objects:
                for o in objects:
                    print(o)
            case [("a" | "b") as x, (1 | 2) as y] | [(1 | 2) as y, ("a" | "b") as x]:
                return x, y
            case {"__priv": __v}:
                return __v
            case K(a=1, b=[_, *_]) | K(b=1, a=[*_]):
                pass
            case [1, [2, [3, *deep]]]:
                return deep
            case _ if cmd:
                return "guarded default"

def loops(xs):
    for x in xs:
        match x:
            case 0:
                continue
            case 1:
                break
            case _:
                try:
                    pass
                finally:
                    return x

match (1, 2):
    case (1, 2):
        pass
