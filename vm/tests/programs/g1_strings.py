def fmt(name, value, width):
    a = f"{name}"
    b = f"{name}: {value!r}"
    c = f"{value:>10}"
    d = f"{value:{width}}"
    e = f"{name!s} and {value!a}"
    g = f"plain"
    h = "con" "cat"
    i = f"{name}" "tail"
    return a, b, c, d, e, g, h, i

print(fmt("n", 1.5, 8))
