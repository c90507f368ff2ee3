def outer():
    count = 0
    def inner():
        nonlocal count
        count += 1
        return count
    def reader():
        return count
    return inner, reader

def make_adder(n):
    return lambda x: x + n

def defaults():
    return lambda a, b=1: a * b

square = lambda v: v * v
adder = make_adder(3)
print(adder(4), square(5))
