def f(a, b=2, *, c, d=4):
    return a + b + c + d

def g():
    return

def h(x):
    if x:
        return 1
    elif x is None:
        return 2
    else:
        return 3

def k():
    "docstring"
    global counter
    counter = 1
    return counter

print(f(1, c=3))
print(f(1, 2, c=3, d=5))
h(0)
k()
