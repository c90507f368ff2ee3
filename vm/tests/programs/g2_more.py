class Point:
    count = 0

    def __init__(self, x, y=0):
        super().__init__()
        self.x = x
        self.y = y
        Point.count += 1

    def __repr__(self):
        return f"Point({self.x}, {self.y})"

    @staticmethod
    def origin():
        return Point(0)

    @property
    def norm(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5

    def __private(self):
        return self.__secret

def counter():
    total = 0
    def bump(step=1):
        nonlocal total
        total += step
        return total
    return bump

def nested_try():
    for i in range(3):
        try:
            if i == 1:
                continue
            if i == 2:
                break
        finally:
            print(i)
    while True:
        try:
            return 5
        except Exception:
            pass

def loop_with(items):
    for it in items:
        with it:
            if it:
                return it

def uninit(flag):
    if flag:
        value = 1
    return value

def deleter():
    x = 1
    del x
    return x

async_like = [lambda: i for i in range(3)]
p = Point(3, 4)
print(p, p.norm, Point.origin())
