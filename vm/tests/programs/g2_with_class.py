class Base:
    """A base."""
    attr = 1

    def method(self, x):
        return self.attr + x

class Child(Base):
    def method(self, x):
        return super().method(x) * 2

def deco(fn):
    return fn

@deco
def decorated():
    with open("f") as fh, open("g"):
        data = fh.read()
    with open("h"):
        pass
    return data

def star(*args, **kwargs):
    return max(*args, **kwargs), dict(a=1, **kwargs), f(*args)

first, *middle, last = [1, 2, 3, 4]
