def total(values):
    return sum(v * 2 for v in values if v > 0)


def spread(values):
    return max(
        v - 1
        for v in values  # a comment inside the call's parentheses
    )


def nested(rows):
    return list(sum(x for x in row) for row in rows)


print(total([3, -1, 4]), spread([1, 5]), nested([[1, 2], [3]]))
print(sorted((c for c in "cab"), key=str))
