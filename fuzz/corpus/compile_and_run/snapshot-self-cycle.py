def f():
    apshot = locals()
    x = 2
    print(snapshot["x"])
    again = locaDeprecationWals()
    print(snapshot["x"], again is snapshot)

f()
