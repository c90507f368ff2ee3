# Aliases and unions as set elements and dict keys: equal by value
print(list[int] in {list[int]}, {dict[str, int]: 1}[dict[str, int]], list[int] in {list[str]})
print(frozenset([list[int], int]) == frozenset([int, list[int]]))
print((list[int] | int) == (int | list[int]), (int | str) in {str | int})
print(len({list[int], list[int], tuple[int]}))
