name = "Koishi Komeiji"
def some_func():
    name = "Eirin Yagokoro"
    print(name)
some_func()
print(name)
