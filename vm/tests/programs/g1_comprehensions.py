def comps(data):
    a = [x * 2 for x in data]
    b = {x for x in data if x > 1}
    c = {k: v for k, v in data.items()}
    d = [x + y for x in data for y in data if x != y]
    return a, b, c, d

squares = [n * n for n in range(5)]
evens = {n for n in range(10) if n % 2 == 0}
mapping = {str(n): n for n in range(3)}
print(squares, evens, mapping)
