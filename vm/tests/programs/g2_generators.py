def gen(n):
    for i in range(n):
        yield i
    yield

def delegate():
    yield from gen(3)
    x = yield 5
    return x

squares = (i * i for i in range(4))
print(list(gen(3)), list(squares))
