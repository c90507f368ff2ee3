def loops(n):
    total = 0
    i = 0
    while i < n:
        i += 1
        if i == 3:
            continue
        if i > 8:
            break
        total += i
    else:
        total = -1
    for j in range(n):
        if j % 2:
            continue
        total += j
    else:
        total += 100
    for a, b in [(1, 2), (3, 4)]:
        total += a * b
    while True:
        total -= 1
        if total < 0:
            break
    return total

print(loops(10))
for k in range(3):
    print(k)
while 0:
    pass
