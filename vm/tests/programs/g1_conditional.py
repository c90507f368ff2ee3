def pick(a, b):
    x = a if a > b else b
    if a and b:
        return x
    if a or not b:
        return -x
    if not (a is None):
        return 0
    if not a in [1, 2]:
        return 1
    return None

print(pick(1, 2))
