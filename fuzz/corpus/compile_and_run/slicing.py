x = [1, 2, 3]
print(x[1:], x[::-1], x[5:1])
try:
    x[10]
except IndexError as e:
    print(e)
